/**
 * The contract of every use case: one exported zod schema per use case, one way to parse into it.
 *
 * Pattern (every file in src/app follows it; a new use case copies it):
 *
 *   export const ShowSeriesInput = z.object({ symbol: symbolField(), from: isoTimeField().optional(), ... });
 *   export type ShowSeriesInput = z.input<typeof ShowSeriesInput>;
 *   export function showSeries(deps, raw: ShowSeriesInput) {
 *     const input = parseInput(ShowSeriesInput, raw);   // INVALID_INPUT naming the field path
 *     ...
 *   }
 *
 * Shells hand the raw values over as they come: the CLI its option strings ("14", "0.1%",
 * "2024-01-05"), HTTP and MCP their JSON. The field builders below accept both forms and parse
 * strictly (no "1.5" for a whole number, no "foo 2020" for a date, no local time). A failure is an
 * `INVALID_INPUT` AppError whose details carry `field` (the path, e.g. "from" or "params.fast"),
 * `problem` and `allowed`; only the CLI turns the path back into a flag name.
 */
import { z } from "zod";
import { normaliseSymbol } from "../data/file-names.ts";
import { TIMEFRAMES, type Timeframe } from "../domain/timeframe.ts";
import { AppError, fillFields, invalidField } from "../errors.ts";

/**
 * INVALID_INPUT about one field, with a message written whole (it already says what to use, e.g.
 * `unknown universe "x": use one of ai-tokens, majors`); the field still reaches JSON errors
 */
export function fieldError(field: string, message: string): AppError {
  return new AppError("INVALID_INPUT", fillFields(message), { details: { field, template: message } });
}

/** Parses raw input into a use case's schema, or throws INVALID_INPUT naming the first bad field */
export function parseInput<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw issueToError(issue, raw);
}

/** The first zod issue as one INVALID_INPUT with field path, problem and allowed range */
export function issueToError(issue: z.core.$ZodIssue, raw?: unknown): AppError {
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "?";
    return invalidField([...path, key].join("."), "is not a known field");
  }
  const field = path.length > 0 ? path.join(".") : "input";
  const params = (issue as { params?: { allowed?: string } }).params;
  if (issue.code === "custom") return invalidField(field, issue.message, params?.allowed);
  if (
    (issue.code === "invalid_type" || issue.code === "invalid_union") &&
    valueAt(raw, issue.path) === undefined
  )
    return invalidField(field, "is required");
  if (issue.code === "invalid_value")
    return invalidField(field, `${String(valueAt(raw, issue.path))}: use one of ${issue.values.join(", ")}`);
  if (issue.code === "too_small" || issue.code === "too_big") {
    const bound = Number(issue.code === "too_small" ? issue.minimum : issue.maximum);
    const op = issue.code === "too_small" ? (issue.inclusive ? ">=" : ">") : issue.inclusive ? "<=" : "<";
    const got = valueAt(raw, issue.path);
    const what =
      typeof got === "number" || typeof got === "string" ? `${got} is out of range` : issue.message;
    return invalidField(field, what, `${op} ${bound}`);
  }
  return invalidField(field, issue.message);
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

const NUMERAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

/** A number given as a number or a plain decimal numeral ("14", "0.5", "1e3"); nothing else */
export function strictNumber(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v !== "string" || !NUMERAL.test(v.trim())) return undefined;
  const n = Number(v.trim());
  return Number.isFinite(n) ? n : undefined;
}

const rangeText = (min: number | undefined, max: number | undefined, whole: boolean): string => {
  const kind = whole ? "a whole number" : "a number";
  if (min !== undefined && max !== undefined) return `${kind} from ${min} to ${max}`;
  if (min !== undefined) return `${kind} >= ${min}`;
  if (max !== undefined) return `${kind} <= ${max}`;
  return kind;
};

export interface NumberBounds {
  min?: number;
  max?: number;
  /** the minimum itself is refused (e.g. cash > 0) */
  minExclusive?: boolean;
  /** why the maximum is where it is, added to the allowed text ("the machine's cores") */
  maxReason?: string;
}

function numberField(whole: boolean, b: NumberBounds) {
  const allowed =
    (b.minExclusive === true && b.min !== undefined
      ? `${whole ? "a whole number" : "a number"} > ${b.min}${b.max === undefined ? "" : ` and <= ${b.max}`}`
      : rangeText(b.min, b.max, whole)) + (b.maxReason === undefined ? "" : ` (${b.maxReason})`);
  return z.union([z.number(), z.string()]).transform((v, ctx) => {
    const n = strictNumber(v);
    const bad = (message: string): never => {
      ctx.issues.push({ code: "custom", message, input: v, params: { allowed } });
      return z.NEVER as never;
    };
    if (n === undefined) return bad(`"${String(v)}" is not a number`);
    if (whole && !Number.isInteger(n)) return bad(`${String(v)} is not a whole number`);
    if (b.min !== undefined && (n < b.min || (b.minExclusive === true && n === b.min)))
      return bad(`${String(v)} is out of range`);
    if (b.max !== undefined && n > b.max) return bad(`${String(v)} is out of range`);
    return n;
  });
}

/** A whole number within bounds, from a number or a numeral string */
export const wholeNumberField = (b: NumberBounds = {}) => numberField(true, b);

/** A finite number within bounds, from a number or a numeral string */
export const numberFieldOf = (b: NumberBounds = {}) => numberField(false, b);

const RATE = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*(%|bps|bp)?$/i;

/**
 * A rate as a fraction: 0.001, "0.1%" or "10bps", from 0 to `max`. The output is the fraction;
 * "exchange" and other words are the caller's to allow before this field
 */
export function rateField(max = 1) {
  return rateOrWordField(max, [] as const);
}

/** A rate as rateField, or one of `words` passed through as is (`--fee exchange`) */
export function rateOrWordField<W extends string>(max: number, words: readonly W[]) {
  const allowed = `a fraction from 0 to ${max} (0.001 = 0.1% = 10bps)${words.map((w) => ` or ${w}`).join("")}`;
  return z.union([z.number(), z.string()]).transform((v, ctx): number | W => {
    if (typeof v === "string" && (words as readonly string[]).includes(v)) return v as W;
    const m = typeof v === "number" ? null : RATE.exec(v.trim());
    const x =
      typeof v === "number"
        ? v
        : m === null
          ? Number.NaN
          : Number(m[1]) / (m[2]?.toLowerCase() === "%" ? 100 : m[2] === undefined ? 1 : 10_000);
    if (!Number.isFinite(x) || x < 0 || x > max) {
      ctx.issues.push({
        code: "custom",
        message: Number.isFinite(x)
          ? `${String(v)} is out of range`
          : `"${String(v)}": write a fraction (0.001), a percentage (0.1%) or basis points (10bps)`,
        input: v,
        params: { allowed },
      });
      return z.NEVER as never;
    }
    return x;
  });
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]00:?00)?)?$/;
const ISO_EXAMPLE = "an ISO 8601 date or time in UTC, e.g. 2024-01-31 or 2024-01-31T12:00Z";

/**
 * The one date parser of kairos: ISO 8601 dates and times in UTC only (no offset, Z or +00:00),
 * never local time, refusing impossible dates (2024-02-30) and anything else (01/02/2024, 5,
 * "foo 2020"). Returns epoch ms, or the reason it is refused.
 */
export function parseUtcTime(value: string): number | { problem: string } {
  const v = value.trim();
  const m = ISO.exec(v);
  if (m === null) {
    if (/[+-]\d\d:?\d\d$/.test(v) && ISO.exec(v.replace(/[+-]\d\d:?\d\d$/, "Z")) !== null)
      return { problem: `"${value}" has a time-zone offset; give the time in UTC (Z)` };
    return { problem: `"${value}" is not an ISO 8601 date or time` };
  }
  const [y, mo, d, h = "0", mi = "0", s = "0", ms = "0"] = m.slice(1).map((x) => x ?? undefined) as string[];
  const Y = Number(y);
  const M = Number(mo);
  const D = Number(d);
  const t = Date.UTC(Y, M - 1, D, Number(h), Number(mi), Number(s), Number(ms.padEnd(3, "0")));
  const back = new Date(t);
  if (
    Y < 1970 ||
    back.getUTCFullYear() !== Y ||
    back.getUTCMonth() !== M - 1 ||
    back.getUTCDate() !== D ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  )
    return { problem: `"${value}" is not a real date or time` };
  return t;
}

/** An ISO 8601 UTC date or time (see parseUtcTime); the output is epoch ms */
export function isoTimeField() {
  return z.union([z.string(), z.number()]).transform((v, ctx) => {
    const t =
      typeof v === "number"
        ? Number.isInteger(v) && v >= 0
          ? v
          : { problem: `${v} is not a time` }
        : parseUtcTime(v);
    if (typeof t === "number") return t;
    ctx.issues.push({ code: "custom", message: t.problem, input: v, params: { allowed: ISO_EXAMPLE } });
    return z.NEVER as never;
  });
}

/** Parses an optional time the use case got as text; throws INVALID_INPUT naming `field` */
export function timeOf(value: string | number | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const t = typeof value === "number" ? value : parseUtcTime(value);
  if (typeof t === "number") return t;
  throw invalidField(field, t.problem, ISO_EXAMPLE);
}

const isoText = (t: number): string =>
  new Date(t)
    .toISOString()
    .replace(/T00:00:00\.000Z$|:00\.000Z$|\.000Z$/, (m) =>
      m.startsWith("T") ? "" : m === ":00.000Z" ? "Z" : "Z",
    );

/** Refuses a reversed or empty [from, to) range, naming `to` */
export function checkRange(
  from: number | undefined,
  to: number | undefined,
  fields = { from: "from", to: "to" },
): void {
  if (from !== undefined && to !== undefined && to <= from)
    throw invalidField(
      fields.to,
      `must be after {${fields.from}} (${isoText(to)} is not after ${isoText(from)})`,
      `a time after {${fields.from}}`,
    );
}

/** A zod refinement for objects holding optional `from`/`to` epoch ms: `to` must be after `from` */
export const rangeRefinement = (
  o: { from?: number | undefined; to?: number | undefined },
  ctx: z.RefinementCtx,
): void => {
  if (o.from !== undefined && o.to !== undefined && o.to <= o.from)
    ctx.addIssue({
      code: "custom",
      path: ["to"],
      message: `must be after {from} (${isoText(o.to)} is not after ${isoText(o.from)})`,
      params: { allowed: "a time after {from}" },
    });
};

/** Control characters (C0, DEL, C1) in an identifier or a message */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** A ccxt-style exchange id: letters, digits, "-" and "_" (no paths, no spaces, no control characters) */
export function exchangeField() {
  return z.string().transform((v, ctx) => {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(v)) {
      ctx.issues.push({
        code: "custom",
        message: `"${v}" is not an exchange id`,
        input: v,
        params: { allowed: "letters, digits, - and _ (a ccxt id such as binance)" },
      });
      return z.NEVER as never;
    }
    return v.toLowerCase();
  });
}

/** A symbol written BASE/QUOTE or BASE-QUOTE (perps BASE/QUOTE:SETTLE), upper-cased */
export function symbolField() {
  return z.string().transform((v, ctx) => {
    const s = normaliseSymbol(v);
    if (s === undefined) {
      ctx.issues.push({
        code: "custom",
        message: `"${v}" is not a symbol`,
        input: v,
        params: { allowed: "BASE/QUOTE, e.g. BTC/USDT" },
      });
      return z.NEVER as never;
    }
    return s;
  });
}

/** Several symbols, as an array or comma-separated text */
export function symbolListField() {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (typeof v === "string" ? v.split(",") : v).map((s) => s.trim()).filter((s) => s !== ""))
    .pipe(z.array(symbolField()).min(1));
}

/** One of kairos's timeframes */
export const timeframeField = () =>
  z.string().transform((v, ctx): Timeframe => {
    if ((TIMEFRAMES as readonly string[]).includes(v)) return v as Timeframe;
    ctx.issues.push({
      code: "custom",
      message: `"${v}" is not a timeframe`,
      input: v,
      params: { allowed: TIMEFRAMES.join(", ") },
    });
    return z.NEVER as never;
  });

/** A stored object's id (a run, a model): letters, digits, ".", "_" and "-" */
export const idField = () =>
  z.string().transform((v, ctx) => {
    if (/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(v)) return v;
    ctx.issues.push({
      code: "custom",
      message: `"${v}" is not an id`,
      input: v,
      params: { allowed: "letters, digits, ., _ and - (e.g. s-20261122-203000)" },
    });
    return z.NEVER as never;
  });

/** A yes/no flag: a boolean, or "true"/"false" text */
export const flagField = () =>
  z.union([z.boolean(), z.enum(["true", "false"])]).transform((v) => v === true || v === "true");

/**
 * Refuses a job too large to finish, with its size estimate: `size` units of work against `limit`.
 * `field` names the input that made it that large.
 */
export function checkWorkSize(field: string, size: number, limit: number, unit: string, hint: string): void {
  if (size <= limit) return;
  throw invalidField(
    field,
    `asks for ${formatCount(size)} ${unit}, too many to finish; ${hint}`,
    `at most ${formatCount(limit)} ${unit}`,
  );
}

const formatCount = (n: number): string =>
  n >= 1e9 ? n.toExponential(2).replace("e+", "e") : Math.round(n).toLocaleString("en-US");
