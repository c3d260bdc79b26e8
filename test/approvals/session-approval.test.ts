// A trading session in an approval mode holds the orders its strategy wants as proposals (nothing
// stored, nothing sent); a person approves one through the CLI and its exact order goes through
// the risk gate to the paper venue; a second approval of it, and an agent's, are refused; every
// step is in the audit log. auto-within-limits passes orders below the notional straight through.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { paperApprovalDeps } from "../../src/app/approval-paper.ts";
import { approve } from "../../src/app/approval-service.ts";
import { createContainer } from "../../src/composition-root.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { isAppError } from "../../src/errors.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { runKairosInProcess } from "../support/cli.ts";

const homes: string[] = [];
afterAll(() => {
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

const all = loadBundledSeries("binance", "BTC/USDT", "1h");
const bars = sliceSeries(all, all.ts.length - 160);

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), "kairos-session-approval-"));
  homes.push(home);
  const c = createContainer({ home });
  c.store.upsert(bars);
  c.close();
  return home;
}

const start = (home: string, id: string) =>
  runKairosInProcess(
    [
      "trade",
      "start",
      "--id",
      id,
      "--strategy",
      "sma-cross",
      "--fast",
      "2",
      "--slow",
      "5",
      "--symbols",
      "BTC/USDT",
      "--timeframe",
      "1h",
      "--capital",
      "500",
      "--from",
      new Date(bars.ts[100]!).toISOString(),
    ],
    { home },
  );

function state(home: string, id: string) {
  const c = createContainer({ home });
  try {
    const t = c.trading();
    const approvals = c.trading().approvals!.store.list({ sessionId: id });
    const audit = [...c.audit().records()].map(
      (r) => JSON.parse(r.body) as { kind: string; data: { event?: string; proposal?: string } },
    );
    return { orders: t.orders.ordersOf(id), approvals, audit: audit.filter((r) => r.kind === "approval") };
  } finally {
    c.close();
  }
}

describe("sessions in an approval mode", () => {
  it("approve-each: orders wait as proposals; a person's CLI approval places exactly that order once", async () => {
    const home = newHome();
    const cfg = await runKairosInProcess(
      [
        "approvals",
        "config",
        "--session",
        "held",
        "--mode",
        "approve-each",
        "--tolerance",
        "20%",
        "--ttl",
        "600",
      ],
      { home },
    );
    expect(cfg.code, cfg.stderr).toBe(0);
    const run = await start(home, "held");
    expect(run.code, run.stderr).toBe(0);
    const s0 = state(home, "held");
    expect(s0.orders).toHaveLength(0);
    expect(s0.approvals.length).toBeGreaterThan(0);
    expect(s0.approvals.every((p) => p.state === "pending" && p.proposer.channel === "session")).toBe(true);
    expect(s0.audit.filter((r) => r.data.event === "proposed")).toHaveLength(s0.approvals.length);

    const list = await runKairosInProcess(["--json", "approvals", "list"], { home });
    expect(list.code, list.stderr).toBe(0);
    const listed = JSON.parse(list.stdout) as {
      proposals: { id: string; orderHash: string; explanation: string }[];
    };
    expect(listed.proposals.map((p) => p.id).sort()).toEqual(s0.approvals.map((p) => p.id).sort());
    const newest = listed.proposals[0]!;
    expect(newest.explanation).toMatch(/^(Buy|Sell) [\d.]+ BTC on BTC\/USDT at market/);

    const ok = await runKairosInProcess(
      ["--json", "approvals", "approve", newest.id, "--hash", newest.orderHash],
      { home },
    );
    expect(ok.code, ok.stderr).toBe(0);
    const r = JSON.parse(ok.stdout) as { outcome: string; state: string; clientOrderId: string };
    expect(r.outcome).toBe("placed");
    expect(r.state).toBe("executed");
    const s1 = state(home, "held");
    expect(s1.orders.map((o) => o.clientOrderId)).toEqual([r.clientOrderId]);
    const p = s1.approvals.find((x) => x.id === newest.id)!;
    expect(s1.orders[0]).toMatchObject({
      symbol: p.order.symbol,
      side: p.order.side,
      qty: p.order.quantity,
      type: "market",
    });
    expect(s1.audit.filter((x) => x.data.proposal === newest.id).map((x) => x.data.event)).toEqual([
      "proposed",
      "approved",
      "executed",
    ]);

    // spent: the CLI again (exit 5, CONFLICT), and nothing more is placed
    const again = await runKairosInProcess(["approvals", "approve", newest.id], { home });
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/not pending|decided/);
    // an agent cannot approve another one
    const other = s0.approvals.find((x) => x.id !== newest.id);
    if (other !== undefined) {
      const c = createContainer({ home });
      try {
        const e = await approve(
          paperApprovalDeps(c.trading()),
          { kind: "agent", channel: "mcp", credentialId: "t1" },
          { id: other.id },
        ).then(
          () => undefined,
          (err: unknown) => err,
        );
        expect(isAppError(e) && e.code).toBe("FORBIDDEN");
      } finally {
        c.close();
      }
      const rej = await runKairosInProcess(["approvals", "reject", other.id, "--reason", "not now"], {
        home,
      });
      expect(rej.code, rej.stderr).toBe(0);
      expect(rej.stdout).toContain(`rejected ${other.id}: not now`);
    }
    expect(state(home, "held").orders).toHaveLength(1);
  });

  it("auto-within-limits: below the notional orders go straight through, above it they wait", async () => {
    const home = newHome();
    await runKairosInProcess(
      ["approvals", "config", "--session", "big", "--mode", "auto-within-limits", "--auto-below", "1000000"],
      { home },
    );
    await runKairosInProcess(
      ["approvals", "config", "--session", "small", "--mode", "auto-within-limits", "--auto-below", "1"],
      { home },
    );
    expect((await start(home, "big")).code).toBe(0);
    expect((await start(home, "small")).code).toBe(0);
    const big = state(home, "big");
    const small = state(home, "small");
    expect(big.approvals).toHaveLength(0);
    expect(big.orders.length).toBeGreaterThan(0);
    expect(small.orders).toHaveLength(0);
    // the same decisions: each buy waits (a held buy leaves no position, so no sell follows it)
    expect(small.approvals.map((p) => p.order.side)).toEqual(
      big.orders.filter((o) => o.side === "buy").map(() => "buy"),
    );
  });
});
