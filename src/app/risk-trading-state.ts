/**
 * The account's trading state, ACTIVE / REDUCING / HALTED, persisted in the home
 * (<home>/trading-state.json, atomic writes) so a latch survives a restart. HALTED is latched by
 * the repeated-execution throttle and the kill switch and is cleared only by a named person
 * (`kairos risk resume --by NAME --reason TEXT`); every change is kept in the file's history.
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { AuditLog } from "../ports/audit-log.ts";
import type { OrderStore } from "../ports/order-store.ts";
import type { TradingMode } from "../risk/pre-trade-gate.ts";
import { parseInput } from "./contract.ts";
import { writePrivateFile } from "./write-private-file.ts";

const Change = z.object({
  at: z.string(),
  state: z.enum(["active", "reducing", "halted"]),
  by: z.string(),
  reason: z.string(),
});
const StateFile = z.object({
  version: z.literal(1),
  state: z.enum(["active", "reducing", "halted"]),
  history: z.array(Change),
});
export type TradingStateFile = z.infer<typeof StateFile>;

export const TRADING_STATE_FILE = "trading-state.json";

/** The persisted state; an unreadable file reads as HALTED (fail closed), a missing one as ACTIVE */
export function readTradingState(home: string): {
  state: TradingMode;
  file?: TradingStateFile;
  problem?: string;
} {
  let text: string;
  try {
    text = readFileSync(join(home, TRADING_STATE_FILE), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { state: "active" };
    return { state: "halted", problem: `cannot read ${TRADING_STATE_FILE}: ${(err as Error).message}` };
  }
  try {
    const file = StateFile.parse(JSON.parse(text));
    return { state: file.state, file };
  } catch {
    return { state: "halted", problem: `${TRADING_STATE_FILE} is not a valid trading state` };
  }
}

/**
 * Writes a new state with who and why (temp file, fsync, rename: a crash leaves the old or the new).
 * The audit record is appended first: the state lives in a file, not in the log's SQLite
 * transaction, and a log that names a latch a crash then prevented is the safe side of the two.
 */
export function writeTradingState(
  home: string,
  state: TradingMode,
  by: string,
  reason: string,
  at: string,
  audit?: AuditLog,
): TradingStateFile {
  const before = readTradingState(home);
  audit?.append("session.state", { scope: "account", state, previous: before.state, by, reason, at });
  const cur = before.file;
  const file: TradingStateFile = {
    version: 1,
    state,
    history: [...(cur?.history ?? []), { at, state, by, reason }].slice(-200),
  };
  mkdirSync(home, { recursive: true });
  const path = join(home, TRADING_STATE_FILE);
  writePrivateFile(path, `${JSON.stringify(file, null, 2)}\n`);
  return file;
}

export const ResumeTradingStateInput = z
  .object({
    by: z
      .string()
      .regex(/^[\p{L}\p{N} ._@-]{1,64}$/u, "a person's name: 1-64 letters, digits, spaces or ._@-"),
    reason: z.string().min(3).max(500),
    state: z.enum(["active", "reducing"]).default("active"),
  })
  .strict();
export type ResumeTradingStateInput = z.input<typeof ResumeTradingStateInput>;

/** Sessions halted by a latch (not by a reconciliation difference, which needs `trade resume SESSION --accept-balances`) */
export const LATCH_HALT = /^(kill switch|repeated-execution throttle)/;

/**
 * A person clears HALTED (or sets REDUCING); recorded with name and reason. With the order store,
 * sessions the kill switch or the throttle halted go back to active too (a session halted by a
 * reconciliation difference stays halted: that needs its own review). Running gates see the resume
 * at their next decision and clear their throttle window (risk-gate.ts), so the next execution
 * does not latch again at once.
 */
export function resumeTradingState(
  deps: { home: string; now: () => number; audit?: AuditLog; orders?: OrderStore },
  raw: ResumeTradingStateInput,
): TradingStateFile & { sessionsResumed: string[] } {
  const input = parseInput(ResumeTradingStateInput, raw);
  const file = writeTradingState(
    deps.home,
    input.state,
    input.by,
    input.reason,
    new Date(deps.now()).toISOString(),
    deps.audit,
  );
  const sessionsResumed: string[] = [];
  for (const s of deps.orders?.listSessions() ?? [])
    if (s.state === "halted" && LATCH_HALT.test(s.haltReason ?? "")) {
      deps.orders!.setState(s.id, "active");
      sessionsResumed.push(s.id);
    }
  return { ...file, sessionsResumed };
}

/**
 * The last change a person made that left HALTED (undefined: none): a gate that sees it change
 * knows a person resumed since its previous decision
 */
export function lastResumeMark(file: TradingStateFile | undefined): string | undefined {
  const h = file?.history;
  for (let i = (h?.length ?? 0) - 1; i >= 0; i--) {
    const c = h![i]!;
    if (c.state !== "halted") return `${c.at}|${c.by}|${c.reason}`;
  }
  return undefined;
}
