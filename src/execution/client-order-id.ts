/**
 * Deterministic client order ids: the same (session, decision, leg) always gives the same id, so a
 * resend after an ambiguous outcome is recognised by the venue as the same order, and a lookup by
 * id after a crash finds it. Binance allows 36 characters of [A-Za-z0-9_-]; ours is
 * `kr-<session>-<decision base36>-<leg base36>`, at most 3 + 12 + 1 + 11 + 1 + 4 = 32 characters.
 */
import { invalidInput } from "../errors.ts";

export const CLIENT_ORDER_ID_MAX = 36;
const SESSION_ID = /^[a-z0-9]{1,12}$/;

/** A session id fits a client order id: 1-12 lower-case letters and digits */
export function checkSessionId(id: string): string {
  if (!SESSION_ID.test(id))
    throw invalidInput(
      `session id "${id}" must be 1-12 lower-case letters or digits (it is part of every order id)`,
    );
  return id;
}

export function clientOrderId(sessionId: string, decisionSeq: number, leg: number): string {
  checkSessionId(sessionId);
  if (!Number.isSafeInteger(decisionSeq) || decisionSeq < 0)
    throw new RangeError(`decision seq ${decisionSeq}`);
  if (!Number.isSafeInteger(leg) || leg < 0 || leg >= 36 ** 4) throw new RangeError(`order leg ${leg}`);
  return `kr-${sessionId}-${decisionSeq.toString(36)}-${leg.toString(36)}`;
}

/** The (session, decision, leg) an id of ours encodes; undefined for an id kairos did not make */
export function parseClientOrderId(
  id: string,
): { sessionId: string; decisionSeq: number; leg: number } | undefined {
  const m = /^kr-([a-z0-9]{1,12})-([a-z0-9]{1,11})-([a-z0-9]{1,4})$/.exec(id);
  if (m === null) return undefined;
  return { sessionId: m[1]!, decisionSeq: Number.parseInt(m[2]!, 36), leg: Number.parseInt(m[3]!, 36) };
}
