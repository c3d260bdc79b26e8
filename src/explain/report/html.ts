/** Escapes text for HTML element content and attribute values */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe to place inside a <script> element */
export function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** A script's source made safe to inline (a literal "</script" would end the element early) */
export function inlineScript(src: string): string {
  return src.replace(/<\/script/gi, "<\\/script");
}

export const pct = (x: number, d = 1): string => (Number.isFinite(x) ? `${(x * 100).toFixed(d)}%` : "n/a");
export const fix = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : "n/a");

/** A table from a header row and body rows of already escaped cell HTML */
export function table(cls: string, head: readonly string[], rows: readonly (readonly string[])[]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table class="${cls}"><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}
