/**
 * The number check of the assistant: every number in an answer must appear in a tool result of the
 * same conversation. Numbers compare by value after reading "1,234.5", "1.234,5" (German), "-14,1 %"
 * and "0.74"; a tool value also grounds its roundings to 0, 1 and 2 decimals (an answer says "-14.2%"
 * for -14.15). Signs are ignored ("fell 40%" for -40).
 */
const NUMBER = /\d+(?:[.,]\d+)*/g;

/** The numbers written in a text, as values */
export function numbersIn(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(NUMBER)) {
    const s = m[0];
    const v = readNumber(s);
    if (Number.isFinite(v)) out.push(v);
  }
  return out;
}

/** "1,234.5" -> 1234.5, "1.234,5" -> 1234.5, "14,1" -> 14.1, "2024" -> 2024 */
function readNumber(s: string): number {
  const dots = (s.match(/\./g) ?? []).length;
  const commas = (s.match(/,/g) ?? []).length;
  if (dots > 0 && commas > 0)
    return s.lastIndexOf(",") > s.lastIndexOf(".")
      ? Number(s.replace(/\./g, "").replace(",", "."))
      : Number(s.replace(/,/g, ""));
  if (commas === 1 && !/,\d{3}$/.test(s)) return Number(s.replace(",", "."));
  if (commas > 0) return Number(s.replace(/,/g, ""));
  if (dots > 1) return Number(s.replace(/\./g, ""));
  return Number(s);
}

const key = (v: number): string => String(Math.round(Math.abs(v) * 1e6) / 1e6);

/** Every value (and its roundings) written in the tool results */
export function groundSet(toolResults: readonly string[]): Set<string> {
  const set = new Set<string>();
  for (const r of toolResults)
    for (const v of numbersIn(r)) {
      set.add(key(v));
      for (const d of [0, 1, 2]) set.add(key(Number(Math.abs(v).toFixed(d))));
    }
  return set;
}

/** The numbers of `answer` found in no tool result (nor in the question) */
export function ungroundedNumbers(answer: string, toolResults: readonly string[], question = ""): string[] {
  const set = groundSet([...toolResults, question]);
  const bad: string[] = [];
  for (const m of answer.matchAll(NUMBER)) {
    const v = readNumber(m[0]);
    // "1,068" is 1068 in English and 1.068 in German: grounded when either reading is
    const alt = /^\d{1,3},\d{3}$/.test(m[0]) ? Number(m[0].replace(",", ".")) : Number.NaN;
    if (Number.isFinite(v) && !set.has(key(v)) && !(Number.isFinite(alt) && set.has(key(alt))))
      bad.push(m[0]);
  }
  return bad;
}
