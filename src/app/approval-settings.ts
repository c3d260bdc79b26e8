/**
 * Approval settings in the home (<home>/approvals.json, zod-validated, written atomically): each
 * session's mode (`auto`, `propose`, `approve-each`, `auto-within-limits` with its notional), the
 * default for sessions not named, how long a proposal waits and how far the price may move. No
 * file: every session trades automatically (the pre-trade gate still judges every order). An
 * unreadable or invalid file: every order waits for a person (fail closed).
 */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { type ApprovalPolicy, DEFAULT_APPROVAL_POLICY } from "../approval/rules.ts";
import type { ApprovalMode } from "../ports/approval-store.ts";
import { idField, numberFieldOf, parseInput, rateField } from "./contract.ts";
import { writePrivateFile } from "./write-private-file.ts";

export const APPROVALS_FILE = "approvals.json";

const MODES = ["auto", "propose", "approve-each", "auto-within-limits"] as const;

const SessionMode = z
  .object({ mode: z.enum(MODES), autoBelowNotional: z.number().positive().finite().optional() })
  .strict();

export const ApprovalSettings = z
  .object({
    version: z.literal(1),
    ttlSeconds: z.number().int().min(5).max(3600),
    priceTolerance: z.number().min(0).max(0.2),
    defaultMode: SessionMode,
    sessions: z.record(z.string(), SessionMode),
  })
  .strict();
export type ApprovalSettings = z.infer<typeof ApprovalSettings>;

export const defaultApprovalSettings = (): ApprovalSettings => ({
  version: 1,
  ttlSeconds: DEFAULT_APPROVAL_POLICY.ttlMs / 1000,
  priceTolerance: DEFAULT_APPROVAL_POLICY.priceTolerance,
  defaultMode: { mode: "auto" },
  sessions: {},
});

export type LoadedApprovalSettings =
  | { ok: true; settings: ApprovalSettings; path: string; written: boolean }
  | { ok: false; problem: string; path: string };

/** Reads the settings; never throws (a bad file is a value the session fails closed on) */
export function loadApprovalSettings(home: string): LoadedApprovalSettings {
  const path = join(home, APPROVALS_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    if ((err as { code?: string }).code === "ENOENT")
      return { ok: true, settings: defaultApprovalSettings(), path, written: false };
    return { ok: false, path, problem: `${path} cannot be read` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, path, problem: `${path} is not JSON; rewrite it with \`kairos approvals config\`` };
  }
  const r = ApprovalSettings.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    return {
      ok: false,
      path,
      problem: `${path}: ${i.path.join(".") || "file"} ${i.message}; fix it or rewrite it with \`kairos approvals config\``,
    };
  }
  return { ok: true, settings: r.data, path, written: true };
}

/** A session's mode; a bad settings file means every order waits for a person */
export function sessionModeOf(
  loaded: LoadedApprovalSettings,
  sessionId: string,
): { mode: ApprovalMode; autoBelowNotional?: number | undefined } {
  if (!loaded.ok) return { mode: "approve-each" };
  return loaded.settings.sessions[sessionId] ?? loaded.settings.defaultMode;
}

/** The proposal lifetime and price tolerance in force (the defaults when the file is bad) */
export function policyOf(loaded: LoadedApprovalSettings): ApprovalPolicy {
  if (!loaded.ok) return DEFAULT_APPROVAL_POLICY;
  return { ttlMs: loaded.settings.ttlSeconds * 1000, priceTolerance: loaded.settings.priceTolerance };
}

/** `kairos approvals config`: change the mode of a session (or the default), the lifetime, the tolerance */
export const ApprovalConfigInput = z
  .object({
    mode: z.enum(MODES).optional(),
    /** a session's id; without it the mode is the default of every session not named */
    session: idField().optional(),
    /** auto-within-limits: orders below this notional (quote currency) go straight through */
    autoBelow: numberFieldOf({ min: 0, minExclusive: true }).optional(),
    ttlSeconds: numberFieldOf({ min: 5, max: 3600 }).optional(),
    tolerance: rateField(0.2).optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.mode === "auto-within-limits" && o.autoBelow === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["autoBelow"],
        message: "is required with auto-within-limits (orders below it go through without approval)",
        params: { allowed: "a notional in the quote currency > 0, e.g. 250" },
      });
    if (o.autoBelow !== undefined && o.mode !== "auto-within-limits")
      ctx.addIssue({
        code: "custom",
        path: ["autoBelow"],
        message: "only applies to mode auto-within-limits",
        params: { allowed: "--mode auto-within-limits --auto-below N" },
      });
    if (o.session !== undefined && o.mode === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["mode"],
        message: "is required with a session",
        params: { allowed: MODES.join(", ") },
      });
  });
export type ApprovalConfigInput = z.input<typeof ApprovalConfigInput>;

export interface ApprovalConfigResult {
  path: string;
  settings: ApprovalSettings;
  changed: boolean;
}

/** Shows (no fields) or changes the settings, atomically */
export function configureApprovals(home: string, raw: ApprovalConfigInput): ApprovalConfigResult {
  const input = parseInput(ApprovalConfigInput, raw);
  const loaded = loadApprovalSettings(home);
  const base = loaded.ok ? loaded.settings : defaultApprovalSettings();
  const next: ApprovalSettings = structuredClone(base);
  if (input.mode !== undefined) {
    const m = {
      mode: input.mode,
      ...(input.autoBelow === undefined ? {} : { autoBelowNotional: input.autoBelow }),
    };
    if (input.session === undefined) next.defaultMode = m;
    else next.sessions[input.session] = m;
  }
  if (input.ttlSeconds !== undefined) next.ttlSeconds = Math.round(input.ttlSeconds);
  if (input.tolerance !== undefined) next.priceTolerance = input.tolerance;
  const changed =
    JSON.stringify(next) !== JSON.stringify(base) || (!loaded.ok && Object.keys(input).length > 0);
  const path = join(home, APPROVALS_FILE);
  if (changed) {
    mkdirSync(home, { recursive: true });
    writePrivateFile(path, `${JSON.stringify(ApprovalSettings.parse(next), null, 2)}\n`);
  }
  return { path, settings: next, changed };
}
