/**
 * Approve and Reject buttons under Telegram alerts. A press counts as a person's approval through
 * the "telegram" channel only when it comes from the configured chat; from anywhere else it is
 * treated as an agent's (refused by the approval rules, and recorded). The button carries the
 * proposal id and the first 16 hex digits of its order hash: a proposal whose hash no longer
 * starts so is refused as a changed order.
 */
import type { ButtonPress, ChatButtons } from "../ports/alert-sink.ts";
import type { CallerIdentity } from "../ports/approval-store.ts";
import { type ApprovalDeps, approve, reject } from "./approval-service.ts";

export interface ButtonDeps {
  approvals: ApprovalDeps;
  buttons: ChatButtons;
  /** the only chat whose presses are a person's */
  chatId: string;
  parse(data: string): { action: "approve" | "reject"; proposalId: string; hashPrefix: string } | undefined;
}

export function pressIdentity(p: ButtonPress, chatId: string): CallerIdentity {
  const fromChat = p.chatId !== undefined && p.chatId === chatId;
  return {
    kind: fromChat ? "person" : "agent",
    channel: "telegram",
    credentialId: `telegram:${p.fromId}`,
    name: fromChat ? p.fromName : `telegram user ${p.fromId} outside the configured chat`,
  };
}

/** Handles one press: approves or rejects, and answers it with what happened */
export async function handlePress(deps: ButtonDeps, p: ButtonPress): Promise<string> {
  const parsed = deps.parse(p.data);
  let answer: string;
  if (parsed === undefined) answer = "unknown button";
  else {
    const caller = pressIdentity(p, deps.chatId);
    try {
      if (parsed.action === "approve") {
        const stored = deps.approvals.store.get(parsed.proposalId);
        const hash = stored?.orderHash.startsWith(parsed.hashPrefix) ? stored.orderHash : "0".repeat(64);
        const r = await approve(deps.approvals, caller, { id: parsed.proposalId, orderHash: hash });
        answer =
          r.outcome === "placed"
            ? `approved: order ${r.clientOrderId} ${r.orderState}`
            : `approved, not placed: ${r.reason}`;
      } else {
        reject(deps.approvals, caller, {
          id: parsed.proposalId,
          reason: `rejected in Telegram by ${caller.name}`,
        });
        answer = "rejected";
      }
    } catch (err) {
      answer = err instanceof Error ? err.message : String(err);
    }
  }
  await deps.buttons.answer(p.id, answer).catch(() => undefined);
  return answer;
}

/** Polls for presses and handles them until `signal` aborts */
export async function listenForButtons(
  deps: ButtonDeps,
  signal: AbortSignal,
  onPress?: (p: ButtonPress, answer: string) => void,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    let presses: ButtonPress[];
    try {
      presses = await deps.buttons.presses(signal.aborted ? 0 : 20);
      failures = 0;
    } catch {
      // the Bot API is unreachable: back off, then poll again
      await sleep(Math.min(30_000, 500 * 2 ** failures++));
      continue;
    }
    for (const p of presses) {
      const answer = await handlePress(deps, p);
      onPress?.(p, answer);
    }
  }
}
