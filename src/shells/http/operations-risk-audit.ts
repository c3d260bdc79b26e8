/**
 * The risk and audit operations of the table (operations.ts): limits, the trading state, and the audit log.
 */
import { z } from "zod";
import { showAudit } from "../../app/audit-show.ts";
import { auditVerifyJson, verifyStoredLog } from "../../app/audit-verify.ts";
import { parseInput } from "../../app/contract.ts";
import { SetRiskInput, ShowRiskInput, setRisk, showRisk } from "../../app/risk-limits.ts";
import {
  ResumeTradingStateInput,
  readTradingState,
  resumeTradingState,
} from "../../app/risk-trading-state.ts";
import type { Container } from "../../composition-root.ts";
import { AppError, isAppError } from "../../errors.ts";

import type { Operation } from "./operation.ts";

/**
 * Over HTTP, changing a risk limit and leaving HALTED need the person's password in the request as
 * well as their session token: a token is a bearer secret that can leak (a copied header, a script
 * in the page) for its whole hour, a typed password proves the person is at the screen now. The
 * CLI's forms need none (the local user owns the home). Chosen over "a login in the last N minutes":
 * that still lets a freshly stolen token act, and the dashboard asks for the password anyway.
 */
const Reauth = { password: z.string().max(1024).optional() };
const SetRiskHttpInput = SetRiskInput.extend(Reauth).strict();
const ResumeHttpInput = ResumeTradingStateInput.extend(Reauth).strict();

/** Checks the password sent with a grave act; a wrong or missing one is FORBIDDEN (403), never 401,
 * so a mistyped password does not end the session; failures count toward the login lockout */
async function reauthenticate(c: Container, what: string, password: string | undefined): Promise<void> {
  if (password === undefined || password === "")
    throw new AppError(
      "FORBIDDEN",
      `${what} needs the person's password in the request ("password"), not only a session token`,
      { details: { field: "password" } },
    );
  try {
    await c.auth.confirmPassword({ password });
  } catch (e) {
    if (isAppError(e) && e.code === "AUTH_FAILED")
      throw new AppError("FORBIDDEN", `${what} refused: the password does not match; type it again`, {
        details: { field: "password" },
      });
    throw e;
  }
}

/** audit show and verify take no exported contract in src/app: the shapes their CLI flags give */
const AuditShowInput = z
  .object({ order: z.string().min(1).max(200).optional(), decision: z.string().min(1).max(200).optional() })
  .strict();
const AuditVerifyInput = z.object({}).strict();
export const RISK_AUDIT_OPERATIONS: readonly Operation[] = [
  // risk
  {
    id: "risk_show",
    method: "get",
    path: "/v1/risk",
    summary: "the pre-trade risk limits in force, their revision and hash (kairos risk show)",
    access: "read",
    run: ({ c }) => showRisk({ home: c.home, now: c.clock.now }, parseInput(ShowRiskInput, {})),
  },
  {
    id: "risk_state",
    method: "get",
    path: "/v1/risk/state",
    summary: "the account's trading state (active, reducing, halted) and who changed it (kairos risk state)",
    access: "read",
    // the CLI's `risk state --json` shape: the state, any problem reading it, and its history
    run: ({ c }) => {
      const r = readTradingState(c.home);
      return {
        state: r.state,
        ...(r.problem === undefined ? {} : { problem: r.problem }),
        history: r.file?.history ?? [],
      };
    },
  },
  {
    id: "risk_set",
    method: "post",
    path: "/v1/risk/set",
    summary:
      "changes one risk limit, recorded with who and the old and new hash (kairos risk set); needs the person's password again in `password`",
    access: "person",
    input: SetRiskHttpInput,
    run: async ({ c }, raw) => {
      // the password is checked and dropped here: it never reaches the limits file, its log or the audit
      const { password, ...input } = parseInput(SetRiskHttpInput, raw);
      await reauthenticate(c, "changing a risk limit", password);
      return setRisk({ home: c.home, now: c.clock.now, audit: c.audit() }, input);
    },
  },
  {
    id: "risk_resume",
    method: "post",
    path: "/v1/risk/resume",
    summary:
      "a person clears HALTED (or sets REDUCING), with name and reason (kairos risk resume); needs the password again in `password`",
    access: "person",
    input: ResumeHttpInput,
    run: async ({ c }, raw) => {
      const { password, ...input } = parseInput(ResumeHttpInput, raw);
      await reauthenticate(c, "leaving HALTED", password);
      return resumeTradingState(
        { home: c.home, now: c.clock.now, audit: c.audit(), orders: c.trading().orders },
        input,
      );
    },
  },
  // audit
  {
    id: "audit_verify",
    method: "post",
    path: "/v1/audit/verify",
    summary: "re-computes the audit log's chain and signed anchors (kairos audit verify --json)",
    access: "read",
    input: AuditVerifyInput,
    run: ({ c }, raw) => {
      parseInput(AuditVerifyInput, raw);
      return auditVerifyJson(verifyStoredLog(c.audit(), c.auditCrypto));
    },
  },
  {
    id: "audit_show",
    method: "post",
    path: "/v1/audit/show",
    summary: "walks one order or decision back through the audit log (kairos audit show --json)",
    access: "read",
    input: AuditShowInput,
    run: ({ c }, raw) => {
      const q = parseInput(AuditShowInput, raw);
      return showAudit(c.audit(), {
        ...(q.order === undefined ? {} : { order: q.order }),
        ...(q.decision === undefined ? {} : { decision: q.decision }),
      });
    },
  },
];
