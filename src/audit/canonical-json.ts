/**
 * RFC 8785 JSON Canonicalization Scheme (JCS): the exact bytes every audit record is hashed as.
 * Object keys sorted by UTF-16 code units (what Array.prototype.sort compares), no whitespace,
 * strings escaped as ECMAScript JSON.stringify does, numbers as ECMAScript Number-to-String
 * (RFC 8785 section 3.2.2.3 adopts that algorithm). Values JSON cannot carry faithfully (NaN,
 * Infinity, undefined in arrays, lone surrogates, bigint, functions) are refused, not guessed.
 */
import { AppError } from "../errors.ts";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function bad(path: string, what: string): AppError {
  return new AppError(
    "INVALID_INPUT",
    `audit record at ${path || "<root>"}: ${what} cannot be put in canonical JSON (RFC 8785); record a string or a finite number instead`,
  );
}

// Every audit record passes here on the trading path (a bar of 100 orders writes several hundred
// records), so the walk is built for speed: one string grown in place, a string needing no escape
// (the usual case: ids, symbols, decimals) quoted as is, numbers by String() (the same text as
// JSON.stringify for finite numbers), and no path strings: the path of a refused value is rebuilt
// from the stack of keys and indices only when there is one to report.
type Path = (string | number)[];
const pathText = (p: Path): string =>
  p.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : s === "" ? k : `${s}.${k}`), "");

/** true when `s` holds a character JSON escapes (", \\, U+0000-U+001F) or a surrogate (checked for lone halves) */
function needsCare(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}

function quote(s: string, path: Path, what: string): string {
  if (!needsCare(s)) return `"${s}"`;
  if (LONE_SURROGATE.test(s)) throw bad(pathText(path), what);
  return JSON.stringify(s);
}

function serialise(v: unknown, path: Path): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
      if (!Number.isFinite(v)) throw bad(pathText(path), String(v));
      // ECMAScript Number::toString is RFC 8785's number form; -0 becomes "0" as the RFC requires
      return String(v);
    case "string":
      return quote(v, path, "a string with a lone surrogate");
    case "object": {
      if (Array.isArray(v)) {
        let out = "[";
        for (let i = 0; i < v.length; i++) {
          const e = v[i];
          path.push(i);
          if (e === undefined || typeof e === "function" || typeof e === "symbol")
            throw bad(pathText(path), String(e));
          out += i > 0 ? `,${serialise(e, path)}` : serialise(e, path);
          path.pop();
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null)
        throw bad(pathText(path), `a ${proto?.constructor?.name ?? "non-plain"} object`);
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      let out = "{";
      let first = true;
      for (const k of keys) {
        const e = o[k];
        if (e === undefined) continue;
        const key = quote(k, path, "a key with a lone surrogate");
        path.push(k);
        out += `${first ? "" : ","}${key}:${serialise(e, path)}`;
        path.pop();
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw bad(pathText(path), `a ${typeof v}`);
  }
}

/** The RFC 8785 canonical form of a JSON value (undefined object members are dropped, as JSON.stringify does) */
export function canonicalJson(value: unknown): string {
  return serialise(value, []);
}
