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

// Every audit record passes here on the trading path (a bar of 100 orders writes ~300 records), so
// the walk builds no path strings: the path of a refused value is rebuilt from the stack of keys
// and indices only when there is one to report.
type Path = (string | number)[];
const pathText = (p: Path): string =>
  p.reduce<string>((s, k) => (typeof k === "number" ? `${s}[${k}]` : s === "" ? k : `${s}.${k}`), "");

function serialise(v: unknown, path: Path, out: string[]): void {
  if (v === null) {
    out.push("null");
    return;
  }
  switch (typeof v) {
    case "boolean":
      out.push(v ? "true" : "false");
      return;
    case "number":
      if (!Number.isFinite(v)) throw bad(pathText(path), String(v));
      // ECMAScript Number::toString is RFC 8785's number form; -0 becomes "0" as the RFC requires
      out.push(JSON.stringify(v));
      return;
    case "string":
      if (LONE_SURROGATE.test(v)) throw bad(pathText(path), "a string with a lone surrogate");
      out.push(JSON.stringify(v));
      return;
    case "object": {
      if (Array.isArray(v)) {
        out.push("[");
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out.push(",");
          const e = v[i];
          path.push(i);
          if (e === undefined || typeof e === "function" || typeof e === "symbol")
            throw bad(pathText(path), String(e));
          serialise(e, path, out);
          path.pop();
        }
        out.push("]");
        return;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null)
        throw bad(pathText(path), `a ${proto?.constructor?.name ?? "non-plain"} object`);
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      out.push("{");
      let first = true;
      for (const k of keys) {
        const e = o[k];
        if (e === undefined) continue;
        if (LONE_SURROGATE.test(k)) throw bad(pathText(path), "a key with a lone surrogate");
        if (!first) out.push(",");
        first = false;
        out.push(JSON.stringify(k), ":");
        path.push(k);
        serialise(e, path, out);
        path.pop();
      }
      out.push("}");
      return;
    }
    default:
      throw bad(pathText(path), `a ${typeof v}`);
  }
}

/** The RFC 8785 canonical form of a JSON value (undefined object members are dropped, as JSON.stringify does) */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  serialise(value, [], out);
  return out.join("");
}
