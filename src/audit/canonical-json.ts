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

function serialise(v: unknown, path: string, out: string[]): void {
  if (v === null) {
    out.push("null");
    return;
  }
  switch (typeof v) {
    case "boolean":
      out.push(v ? "true" : "false");
      return;
    case "number":
      if (!Number.isFinite(v)) throw bad(path, String(v));
      // ECMAScript Number::toString is RFC 8785's number form; -0 becomes "0" as the RFC requires
      out.push(JSON.stringify(v));
      return;
    case "string":
      if (LONE_SURROGATE.test(v)) throw bad(path, "a string with a lone surrogate");
      out.push(JSON.stringify(v));
      return;
    case "object": {
      if (Array.isArray(v)) {
        out.push("[");
        for (let i = 0; i < v.length; i++) {
          if (i > 0) out.push(",");
          const e = v[i];
          if (e === undefined || typeof e === "function" || typeof e === "symbol")
            throw bad(`${path}[${i}]`, String(e));
          serialise(e, `${path}[${i}]`, out);
        }
        out.push("]");
        return;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null)
        throw bad(path, `a ${proto?.constructor?.name ?? "non-plain"} object`);
      const keys = Object.keys(v as object)
        .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
        .sort();
      out.push("{");
      let first = true;
      for (const k of keys) {
        if (LONE_SURROGATE.test(k)) throw bad(path, "a key with a lone surrogate");
        if (!first) out.push(",");
        first = false;
        out.push(JSON.stringify(k), ":");
        serialise((v as Record<string, unknown>)[k], path === "" ? k : `${path}.${k}`, out);
      }
      out.push("}");
      return;
    }
    default:
      throw bad(path, `a ${typeof v}`);
  }
}

/** The RFC 8785 canonical form of a JSON value (undefined object members are dropped, as JSON.stringify does) */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  serialise(value, "", out);
  return out.join("");
}
