// A few DOM helpers instead of a component library: every text goes in through textContent (never
// innerHTML), so a symbol, headline or error message from the API can never become markup

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

/** Creates an element; `on*` attributes become listeners, `false`/`undefined` attributes are left out */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "number" ? String(c) : c);
  }
}

/** Replaces an element's children */
export function replace(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** A plain statement that a part is not in the API yet, with the terminal command that does it today */
export function notYet(what: string, needs: string, cli?: string): HTMLElement {
  return h(
    "p",
    { class: "not-yet", role: "note" },
    h("strong", {}, `${what}: not available from the API yet. `),
    `It needs ${needs}.`,
    cli === undefined ? null : h("span", {}, " In a terminal: ", h("code", {}, cli)),
  );
}

/** A table from rows of cells; the first row is the header */
export function table(caption: string, head: readonly string[], rows: readonly Child[][]): HTMLElement {
  return h(
    "div",
    { class: "table-wrap", tabindex: 0, role: "region", "aria-label": caption },
    h(
      "table",
      {},
      h("caption", {}, caption),
      h("thead", {}, h("tr", {}, ...head.map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c))))),
    ),
  );
}

export function card(title: string, ...children: Child[]): HTMLElement {
  return h("section", { class: "card", "aria-label": title }, h("h2", {}, title), ...children);
}

const nf = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const nf8 = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 8 });

/** A form control with its label (the label names the control by its id) */
export function field(id: string, label: Child, control: Child): HTMLElement {
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

export const num = (v: number): string => (Number.isFinite(v) ? nf.format(v) : "–");
export const price = (v: number): string => (Number.isFinite(v) ? nf8.format(v) : "–");
export const pct = (v: number): string => (Number.isFinite(v) ? `${nf.format(v * 100)}%` : "–");

/** ISO time without seconds, UTC */
export const utc = (ms: number): string =>
  Number.isFinite(ms) ? `${new Date(ms).toISOString().slice(0, 16).replace("T", " ")} UTC` : "–";

/** "3 h", "2 d": how long ago */
export function age(ms: number): string {
  const s = Math.max(0, ms) / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${nf.format(Math.round(s / 86400))} d`;
}

const TF_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** Milliseconds of a timeframe like 5m, 1h, 1d */
export function timeframeMs(tf: string): number {
  const m = /^(\d+)([mhdw])$/.exec(tf);
  return m === null ? Number.NaN : Number(m[1]) * TF_MS[m[2]!]!;
}

/** The message of anything thrown, for a status line */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
