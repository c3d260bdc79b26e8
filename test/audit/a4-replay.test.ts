// A4 replay (issue 17): replayed risk checks give the recorded verdict for 100% of records.
// A home opened as kairos opens it (audited order store, audit log on its connection); seeded
// random order streams go through SessionRiskGate: every kind of violation (bad numbers, collar,
// drift, value, quantity, precision, duplicates, message bursts, exposure, losses, allowlist), limit
// changes by a person, a missing limits file, HALTED and REDUCING, orders leaving flight, and a
// restarted gate. `kairos audit replay` then re-runs every check from the log alone. The replay can
// fail: a record whose verdict was rewritten (and re-signed by a writer holding the key) is named.
// CI: 1,500 decisions; KAIROS_FULL=1: 20,000.
import { rmSync, unlinkSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { replayAudit } from "../../src/app/audit-replay.ts";
import { loadRiskLimits } from "../../src/app/risk-limits.ts";
import { writeTradingState } from "../../src/app/risk-trading-state.ts";
import { createContainer } from "../../src/composition-root.ts";
import { createRng } from "../../src/domain/random.ts";
import { defaultRules } from "../../src/execution/market-rules.ts";
import type { OrderRecord } from "../../src/ports/order-store.ts";
import { runKairosInProcess, tempHome } from "../support/cli.ts";
import { gateSession } from "../support/gate-session.ts";

const DECISIONS = process.env.KAIROS_FULL === "1" ? 20_000 : 1_500;
const home = tempHome("kairos-a4-");
afterAll(() => rmSync(`${home}-anchors`, { recursive: true, force: true }));

const SYMBOLS = ["BTC/USDT", "ETH/USDT", "DOGE/USDT"] as const;
const BASE_PRICE: Record<string, number> = { "BTC/USDT": 600, "ETH/USDT": 30, "DOGE/USDT": 0.1 };

describe("A4 replay", () => {
  it(`${DECISIONS.toLocaleString("en")} random decisions through the gate: every logged check replays to its recorded verdict; a rewritten verdict is named`, async () => {
    const c = createContainer({ home });
    const rng = createRng(17);
    const rules = new Map(SYMBOLS.map((s) => [s, defaultRules(s, BASE_PRICE[s]!)] as const));
    const { t, set, newGate } = gateSession(c, home, {
      id: "a4",
      by: "a4",
      limits: {
        maxOrderValue: "2000",
        maxExposurePerSymbol: "5000",
        maxExposureTotal: "8000",
        throttleExecutions: "1000000",
        maxOrderQty: "100000",
        maxDailyLoss: "1000",
        maxMessagesPerSecondStrategy: "3",
      },
      rules,
    });
    let gate = newGate();
    let clock = 1_780_000_000_000;
    const price: Record<string, number> = { ...BASE_PRICE };
    const pos: Record<string, number> = {};
    const inFlight: string[] = [];
    let seq = 0;
    let screened = 0;
    let accepted = 0;
    const verdicts = new Set<string>();
    const odd = [Number.NaN, Number.POSITIVE_INFINITY, 0, -1, 1e-9];
    for (let d = 0; d < DECISIONS; d++) {
      clock += rng.int(4) === 0 ? rng.int(300) : 500 + rng.int(5000);
      for (const s of SYMBOLS)
        price[s] = price[s]! * (1 + (rng.next() - 0.5) * (rng.int(50) === 0 ? 0.4 : 0.01));
      // a person's actions and the world between decisions
      const ev = rng.int(100);
      if (ev === 0) set("maxOrderValue", String(500 + rng.int(3000)));
      else if (ev === 1) set("priceCollar", String([0.01, 0.05, 0.1][rng.int(3)]));
      else if (ev === 2)
        writeTradingState(home, "halted", "a4", "test halt", new Date().toISOString(), t.audit);
      else if (ev === 3)
        writeTradingState(home, "reducing", "a4", "test reduce", new Date().toISOString(), t.audit);
      else if (ev <= 8)
        writeTradingState(home, "active", "a4", "test resume", new Date().toISOString(), t.audit);
      else if (ev === 9) {
        const saved = loadRiskLimits(home);
        if (saved.ok) {
          unlinkSync(saved.path); // no limits file for one decision: every order refused
          const s = await screenOne();
          writeFileSync(saved.path, saved.text);
          void s;
        }
      } else if (ev === 10) gate = newGate(); // a restart: a new gate instance, replayed on its own
      // some orders leave flight: their reservations are released at the next decision
      while (inFlight.length > 0 && rng.int(3) === 0) {
        const id = inFlight.splice(rng.int(inFlight.length), 1)[0]!;
        t.orders.updateOrder(id, { state: "cancelled" });
      }
      await screenOne();
    }

    async function screenOne(): Promise<void> {
      seq++;
      const n = 1 + rng.int(3);
      const intents: OrderRecord[] = [];
      for (let leg = 0; leg < n; leg++) {
        const symbol = SYMBOLS[rng.int(rng.int(10) === 0 ? 3 : 2)]!;
        const type = rng.int(2) === 0 ? "market" : "limit";
        const ref = price[symbol]!;
        let qty = (rng.next() * 2000) / ref;
        const step = Number(rules.get(symbol)!.stepSize);
        if (rng.int(4) > 0) qty = Number((Math.round(qty / step) * step).toFixed(8));
        if (rng.int(30) === 0) qty = odd[rng.int(odd.length)]!;
        const limit = ref * (1 + (rng.next() - 0.5) * 0.2);
        intents.push({
          clientOrderId: `a4-${seq}-${leg}`,
          sessionId: "a4",
          decisionSeq: seq,
          leg,
          venue: "paper",
          symbol,
          side: rng.int(2) === 0 ? "buy" : "sell",
          type,
          qty: String(qty),
          ...(type === "limit" ? { limitPrice: String(Math.round(limit * 100) / 100) } : {}),
          state: "intent",
          filledQty: "0",
          attempts: 0,
          createdAt: clock,
          updatedAt: clock,
        });
      }
      if (rng.int(20) === 0 && intents[0] !== undefined)
        intents.push({ ...intents[0], clientOrderId: `a4-${seq}-dup`, leg: n });
      for (const s of SYMBOLS) if (rng.int(10) === 0) pos[s] = (rng.next() - 0.3) * (3000 / price[s]!);
      const r = await gate.screen(intents, {
        sessionId: "a4",
        barTs: clock - 3_600_000,
        closeTs: clock,
        prices: Object.fromEntries(SYMBOLS.map((s) => [s, price[s]!])),
        positions: { ...pos },
        equity: 10_000 - rng.int(300),
      });
      screened += intents.length;
      accepted += r.accepted.length;
      for (const x of r.refused) verdicts.add(x.reason.split(":")[0]!);
      if (r.accepted.length > 0) {
        t.orders.recordDecision(
          { sessionId: "a4", seq, barTs: clock, targets: {}, explanation: "a4", createdAt: clock },
          r.accepted,
        );
        inFlight.push(...r.accepted.map((o) => o.clientOrderId));
      }
    }

    const rep = replayAudit(c.audit(), c.auditCrypto);
    process.stderr.write(
      `A4: ${rep.checks} risk checks (${accepted} accepted, refusals by ${[...verdicts].sort().join(", ")}), ${rep.gates} gates: ${rep.matched} replayed to the recorded verdict\n`,
    );
    expect(rep.chainOk).toBe(true);
    expect(rep.mismatches).toEqual([]);
    expect(rep.checks).toBe(screened);
    expect(rep.matched).toBe(screened);
    expect(rep.gates).toBeGreaterThan(1);
    // a decision's later checks name the account of its first ("as-before"): the replay resolved them
    const asBefore = [...c.audit().records()].filter((r) => {
      const x = JSON.parse(r.body) as { kind: string; data: { account?: unknown } };
      return x.kind === "risk.check" && x.data.account === "as-before";
    }).length;
    expect(asBefore).toBeGreaterThan(screened / 4);
    expect(accepted).toBeGreaterThan(screened / 10);
    for (const check of [
      "limits",
      "input",
      "trading-state",
      "allowlist",
      "price-collar",
      "order-value",
      "duplicate",
      "exposure-symbol",
    ])
      expect(verdicts, check).toContain(check);

    // the CLI says the same
    c.close();
    const cli = await runKairosInProcess(["--json", "audit", "replay"], { home });
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true, checks: screened, matched: screened });

    // a record rewritten by someone holding the key (chain and anchors still verify): the replay names it
    const c2 = createContainer({ home });
    const log = c2.audit();
    const last = [...log.records()]
      .reverse()
      .find((x) => x.body.includes('"kind":"risk.check"') && x.body.includes('"verdict":"accepted"'))!;
    const forged = JSON.parse(last.body) as { data: Record<string, unknown> };
    // the same inputs on a gate of its own: they pass, but the record now says refused
    const bad = log.append("risk.check", { ...forged.data, gate: "gate-forged", verdict: "refused" });
    log.anchorNow();
    const rep2 = replayAudit(log, c2.auditCrypto);
    c2.close();
    expect(rep2.chainOk).toBe(true);
    expect(rep2.ok).toBe(false);
    expect(rep2.firstMismatchSeq).toBe(bad.seq);
    const cli2 = await runKairosInProcess(["audit", "replay", "--from", String(bad.seq)], { home });
    // in process the exit status is process.exitCode (the binary exits with it)
    const status = process.exitCode;
    process.exitCode = 0;
    expect(status).toBe(1);
    expect(cli2.stdout).toMatch(new RegExp(`MISMATCH: 0 of 1 .*\\n  record ${bad.seq} `));
    expect((await runKairosInProcess(["audit", "replay", "--from", "0"], { home })).code).toBe(2);
  }, 600_000);
});
