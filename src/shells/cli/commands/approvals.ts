import { userInfo } from "node:os";
import type { Command } from "commander";
import { paperApprovalDeps } from "../../../app/approval-paper.ts";
import {
  type ApproveResult,
  approve,
  type CallerIdentity,
  listApprovals,
  type ProposalView,
  reject,
} from "../../../app/approval-service.ts";
import { configureApprovals } from "../../../app/approval-settings.ts";
import { type CliGlobals, globalsOf, printInfo, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";

/** The person at this terminal: the CLI is a person's channel, credited to the OS account */
export function cliPerson(): CallerIdentity {
  let user = "unknown";
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): still a person at a terminal
  }
  return { kind: "person", channel: "cli", credentialId: `os-user:${user}`, name: user };
}

const secondsLeft = (ms: number): string => `${Math.ceil(ms / 1000)} s`;

function renderProposal(p: ProposalView): void {
  const o = p.order;
  printLine(
    `${p.id}  ${p.state.padEnd(8)} ${o.side} ${o.quantity} ${o.symbol} ${o.type}${o.price === undefined ? "" : ` @ ${o.price}`}  session ${o.sessionId}` +
      (p.state === "pending" ? `  expires in ${secondsLeft(p.expiresInMs)}` : ""),
  );
  printLine(`  hash ${p.orderHash}`);
  printLine(`  ${p.explanation}`);
  printLine(
    `  proposed by ${p.proposedBy.name ?? p.proposedBy.credentialId} via ${p.proposedBy.channel} at ${p.createdAt}`,
  );
  if (p.decidedBy !== undefined)
    printLine(
      `  decided by ${p.decidedBy.name ?? p.decidedBy.credentialId} via ${p.decidedBy.channel} at ${p.decidedAt}`,
    );
  if (p.reason !== undefined) printLine(`  ${p.reason}`);
  if (p.clientOrderId !== undefined) printLine(`  order ${p.clientOrderId}`);
}

function renderApproved(r: ApproveResult, g: CliGlobals): void {
  if (g.json) printJson(r);
  else if (r.outcome === "placed") printLine(`approved ${r.id}: order ${r.clientOrderId} ${r.orderState}`);
  else printLine(`approved ${r.id}, but the order was not placed: ${r.reason}`);
}

/** `kairos approvals list|approve|reject|config`: a person's side of human approval */
export function registerApprovalsCommand(program: Command): void {
  const cmd = program
    .command("approvals")
    .description(
      "orders waiting for a person: list, approve or reject them; set each session's approval mode",
    );
  cmd
    .command("list")
    .description("proposals waiting for approval (--state all for every one)")
    .option("--state <state>", "pending (default), all, approved, rejected, expired, executed, failed")
    .option("--session <id>", "only this session's proposals")
    .option("--limit <n>", "at most this many, newest first")
    .action(async (o: { state?: string; session?: string; limit?: string }, c: Command) => {
      await withContainer(c, (ct, g) => {
        const r = listApprovals(paperApprovalDeps(ct.trading()), {
          ...(o.state === undefined ? {} : { state: o.state as "pending" }),
          ...(o.session === undefined ? {} : { sessionId: o.session }),
          ...(o.limit === undefined ? {} : { limit: o.limit }),
        });
        if (g.json) {
          printJson(r);
          return;
        }
        if (r.proposals.length === 0) printLine(`no ${o.state ?? "pending"} proposals`);
        for (const p of r.proposals) renderProposal(p);
      });
    });
  cmd
    .command("approve")
    .description("approve one proposal: its exact order goes through the risk gate to the venue")
    .argument("<id>", "the proposal's id (see `approvals list`)")
    .option("--hash <sha256>", "the order hash you checked (refused if the order differs)")
    .action(async (id: string, o: { hash?: string }, c: Command) => {
      await withContainer(c, async (ct, g) => {
        const r = await approve(paperApprovalDeps(ct.trading()), cliPerson(), {
          id,
          ...(o.hash === undefined ? {} : { orderHash: o.hash }),
        });
        renderApproved(r, g);
      });
    });
  cmd
    .command("reject")
    .description("reject one proposal: nothing is placed")
    .argument("<id>", "the proposal's id")
    .option("--reason <text>", "why (recorded)")
    .action(async (id: string, o: { reason?: string }, c: Command) => {
      await withContainer(c, (ct, g) => {
        const r = reject(paperApprovalDeps(ct.trading()), cliPerson(), {
          id,
          ...(o.reason === undefined ? {} : { reason: o.reason }),
        });
        if (g.json) printJson(r);
        else printLine(`rejected ${r.id}${r.reason === undefined ? "" : `: ${r.reason}`}`);
      });
    });
  cmd
    .command("config")
    .description(
      "show or change approval modes (auto, propose, approve-each, auto-within-limits), lifetime, tolerance",
    )
    .option("--mode <mode>", "auto | propose | approve-each | auto-within-limits")
    .option("--session <id>", "the session the mode is for (default: every session not named)")
    .option("--auto-below <notional>", "auto-within-limits: orders below this notional need no approval")
    .option("--ttl <seconds>", "how long a proposal waits for a person (default 60)")
    .option("--tolerance <rate>", "largest price move between proposal and approval (default 0.5%)")
    .action(
      (
        o: { mode?: string; session?: string; autoBelow?: string; ttl?: string; tolerance?: string },
        c: Command,
      ) => {
        const g = globalsOf(c);
        const r = configureApprovals(g.home, {
          ...(o.mode === undefined ? {} : { mode: o.mode as "auto" }),
          ...(o.session === undefined ? {} : { session: o.session }),
          ...(o.autoBelow === undefined ? {} : { autoBelow: o.autoBelow }),
          ...(o.ttl === undefined ? {} : { ttlSeconds: o.ttl }),
          ...(o.tolerance === undefined ? {} : { tolerance: o.tolerance }),
        });
        if (g.json) return printJson(r);
        if (r.changed) printInfo(`written ${r.path}`);
        const s = r.settings;
        const fmt = (m: { mode: string; autoBelowNotional?: number | undefined }) =>
          m.autoBelowNotional === undefined ? m.mode : `${m.mode} (below ${m.autoBelowNotional} automatic)`;
        printLine(`default mode   ${fmt(s.defaultMode)}`);
        for (const [id, m] of Object.entries(s.sessions)) printLine(`session ${id.padEnd(7)}${fmt(m)}`);
        printLine(`proposal ttl   ${s.ttlSeconds} s`);
        printLine(`price tolerance ${(s.priceTolerance * 100).toFixed(3)}%`);
      },
    );
}
