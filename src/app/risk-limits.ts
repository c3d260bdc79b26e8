/**
 * The risk limits file (<home>/risk-limits.json): read, validated and hashed for the gate; changed
 * only by `risk set`, atomically (temp file, fsync, rename), each change appended with its author
 * to <home>/risk-changes.jsonl. A missing or invalid file means no limits: the gate refuses every
 * order (fail closed) until a person writes one.
 */
import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { AppError } from "../errors.ts";
import type { AuditLog } from "../ports/audit-log.ts";
import { defaultRiskLimits, RiskLimits, setRiskLimit } from "../risk/limits.ts";
import { fieldError, parseInput } from "./contract.ts";
import { writePrivateFile } from "./write-private-file.ts";

export const RISK_LIMITS_FILE = "risk-limits.json";

export type LoadedLimits =
  | { ok: true; limits: RiskLimits; hash: string; path: string; text: string }
  | { ok: false; problem: string; path: string };

export const limitsHash = (text: string): string => createHash("sha256").update(text).digest("hex");

/** Reads and validates the limits; never throws (a problem is a value the gate refuses on) */
export function loadRiskLimits(home: string): LoadedLimits {
  const path = join(home, RISK_LIMITS_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return {
      ok: false,
      path,
      problem: `no limits file at ${path}: write one with \`kairos risk set KEY VALUE --by NAME\``,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, path, problem: `${path} is not JSON` };
  }
  const r = RiskLimits.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    return { ok: false, path, problem: `${path}: ${i.path.join(".") || "document"} ${i.message}` };
  }
  return { ok: true, limits: r.data, hash: limitsHash(text), path, text };
}

const serialise = (l: RiskLimits): string => `${JSON.stringify(l, null, 2)}\n`;

export const ShowRiskInput = z.object({}).strict();
export type ShowRiskInput = z.input<typeof ShowRiskInput>;

export interface RiskShow {
  path: string;
  /** false: no valid file; `limits` are then the defaults a first `risk set` writes, and every order is refused */
  written: boolean;
  problem?: string;
  hash?: string;
  limits: RiskLimits;
}

/** The limits in force (or the defaults and why no order passes without a file) */
export function showRisk(deps: { home: string; now: () => number }, raw: ShowRiskInput): RiskShow {
  parseInput(ShowRiskInput, raw);
  const l = loadRiskLimits(deps.home);
  if (l.ok) return { path: l.path, written: true, hash: l.hash, limits: l.limits };
  return {
    path: l.path,
    written: false,
    problem: l.problem,
    limits: defaultRiskLimits(new Date(deps.now()).toISOString()),
  };
}

export const SetRiskInput = z
  .object({
    key: z.string().min(1),
    value: z.string().min(1),
    by: z
      .string()
      .regex(/^[\p{L}\p{N} ._@-]{1,64}$/u, "a person's name: 1-64 letters, digits, spaces or ._@-"),
  })
  .strict();
export type SetRiskInput = z.input<typeof SetRiskInput>;

/**
 * Changes one limit (writing the defaults first when there is no file); the change, its author and
 * the old and new hash are appended to risk-changes.jsonl
 */
export function setRisk(
  deps: { home: string; now: () => number; audit?: AuditLog },
  raw: SetRiskInput,
): RiskShow & { previousHash?: string } {
  const input = parseInput(SetRiskInput, raw);
  const at = new Date(deps.now()).toISOString();
  const cur = loadRiskLimits(deps.home);
  if (!cur.ok && !cur.problem.startsWith("no limits file"))
    throw new AppError("INVALID_INPUT", `${cur.problem}; fix or remove the file, then set again`);
  const base = cur.ok ? cur.limits : defaultRiskLimits(at);
  let next: RiskLimits;
  try {
    next = setRiskLimit(base, input.key, input.value, input.by, at);
  } catch (err) {
    if (err instanceof RangeError) throw fieldError("key", err.message);
    if (err instanceof z.ZodError) {
      const i = err.issues[0]!;
      throw fieldError("value", `${input.key} = ${input.value}: ${i.path.join(".")} ${i.message}`);
    }
    throw err;
  }
  const text = serialise(next);
  const path = join(deps.home, RISK_LIMITS_FILE);
  mkdirSync(deps.home, { recursive: true });
  const hash = limitsHash(text);
  const change = {
    at,
    by: input.by,
    key: input.key,
    value: input.value,
    revision: next.revision,
    hash,
    previousHash: cur.ok ? cur.hash : null,
  };
  // logged before the file changes: the log may name a change that a crash then prevented, never miss one
  deps.audit?.append("limits.change", { ...change, limitsText: text });
  writePrivateFile(path, text);
  appendFileSync(join(deps.home, "risk-changes.jsonl"), `${JSON.stringify(change)}\n`);
  return { path, written: true, hash, limits: next, ...(cur.ok ? { previousHash: cur.hash } : {}) };
}

/**
 * A home without a limits file gets the conservative defaults (written atomically, recorded in
 * risk-changes.jsonl as created by "kairos defaults") so `trade start` can trade a little at once;
 * an existing file, valid or not, is left as it is (an invalid one keeps refusing every order).
 * Returns the path written, or undefined when a file was there already.
 */
export function ensureRiskLimits(deps: {
  home: string;
  now: () => number;
  audit?: AuditLog;
}): string | undefined {
  const cur = loadRiskLimits(deps.home);
  if (cur.ok || !cur.problem.startsWith("no limits file")) return undefined;
  const at = new Date(deps.now()).toISOString();
  const limits: RiskLimits = { ...defaultRiskLimits(at), updatedBy: "kairos defaults" };
  const text = serialise(limits);
  mkdirSync(deps.home, { recursive: true });
  const hash = limitsHash(text);
  const change = {
    at,
    by: "kairos defaults",
    key: "*",
    value: "defaults",
    revision: limits.revision,
    hash,
    previousHash: null,
  };
  deps.audit?.append("limits.change", { ...change, limitsText: text });
  writePrivateFile(cur.path, text);
  appendFileSync(join(deps.home, "risk-changes.jsonl"), `${JSON.stringify(change)}\n`);
  return cur.path;
}
