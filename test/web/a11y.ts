// Accessibility checks run inside a page: names, labels, headings, language and text contrast (WCAG 2.x
// relative luminance; 4.5:1 for body text)

export interface A11yReport {
  unnamed: string[];
  unlabelled: string[];
  h1: number;
  lang: string;
  lowContrast: string[];
  checkedText: number;
}

/** A page expression (a string: the test project is typed for Node, not the DOM) */
export const A11Y_AUDIT = `(() => {
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none";
  };
  const describe = (el) =>
    \`\${el.tagName.toLowerCase()}\${el.id === "" ? "" : \`#\${el.id}\`} "\${(el.textContent ?? "").trim().slice(0, 30)}"\`;
  const nameOf = (el) => {
    const aria = el.getAttribute("aria-label") ?? "";
    const by = el.getAttribute("aria-labelledby");
    const labelled =
      by === null
        ? ""
        : by
            .split(" ")
            .map((id) => document.getElementById(id)?.textContent ?? "")
            .join(" ");
    const labels =
      "labels" in el ? [...(el.labels ?? [])].map((l) => l.textContent).join(" ") : "";
    return \`\${aria} \${labelled} \${labels} \${el instanceof HTMLInputElement ? "" : (el.textContent ?? "")} \${el.getAttribute("title") ?? ""}\`.trim();
  };
  const unnamed = [];
  const unlabelled = [];
  for (const el of document.querySelectorAll(
    "button, a[href], [role=img], [role=region], nav, section[aria-label], dialog",
  ))
    if (visible(el) && nameOf(el) === "") unnamed.push(describe(el));
  for (const el of document.querySelectorAll("input, select, textarea"))
    if (visible(el) && nameOf(el) === "") unlabelled.push(describe(el));

  const rgb = (c) => {
    const m = /rgba?(([^)]+))/.exec(c);
    if (m === null) return [0, 0, 0, 0];
    const p = m[1]
      .split(/[,s/]+/)
      .filter((x) => x !== "")
      .map(Number);
    return [p[0], p[1], p[2], p[3] ?? 1];
  };
  const lum = ([r, g, b]) => {
    const f = (v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e !== null; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c[3] > 0.5) return c;
    }
    return [255, 255, 255, 1];
  };
  const lowContrast = [];
  let checkedText = 0;
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest(".chart") !== null || el.closest("dialog:not([open])") !== null || !visible(el)) continue;
    const ownText = [...el.childNodes].some(
      (n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? "").trim() !== "",
    );
    if (!ownText) continue;
    const s = getComputedStyle(el);
    const fg = rgb(s.color);
    const bg = background(el);
    // disabled controls are exempt in WCAG 1.4.3
    if (el.disabled === true) continue;
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    checkedText++;
    const large =
      Number.parseFloat(s.fontSize) >= 24 ||
      (Number.parseFloat(s.fontSize) >= 18.66 && Number(s.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5))
      lowContrast.push(
        \`\${describe(el)} \${ratio.toFixed(2)}:1 (\${s.color} on rgb(\${bg.slice(0, 3).join(",")}))\`,
      );
  }
  return {
    unnamed,
    unlabelled,
    h1: document.querySelectorAll("h1").length,
    lang: document.documentElement.lang,
    lowContrast,
    checkedText,
  };
})()`;
