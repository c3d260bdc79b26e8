// Approval expiry runs on a timer in a running process: a pending proposal becomes expired at its
// expiry without anyone listing or reading it, once (two processes' watchers race on the same
// home), with its audit record and an "approval expired" alert. A process that opens the trading
// state (the server, the trading process) runs the watcher itself. Proposals are made with a clock
// set back so they expire a few hundred ms from now, in real time (the lifetime's minimum is 5 s).
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ALERTS_LOG } from "../../src/app/alert-config.ts";
import { watchApprovalExpiry } from "../../src/app/approval-expiry.ts";
import { type CallerIdentity, createProposal, type ProposalDeps } from "../../src/app/approval-service.ts";
import { type Container, createContainer } from "../../src/composition-root.ts";
import type { Alert } from "../../src/ports/alert-sink.ts";
import type { ExactOrder } from "../../src/ports/approval-store.ts";

const agent: CallerIdentity = { kind: "agent", channel: "mcp", credentialId: "token:agent-1" };
const TTL_MS = 60_000; // the default lifetime
/** how late an expiry may be recorded on this shared machine (alerts must arrive within 5 s) */
const LATE_MS = 1_000;

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const f of cleanup.splice(0).reverse()) f();
});

function home(): { home: string; c: Container } {
  const h = mkdtempSync(join(tmpdir(), "kairos-approval-expiry-"));
  const c = createContainer({ home: h });
  cleanup.push(() => rmSync(h, { recursive: true, force: true }));
  cleanup.push(() => c.close());
  return { home: h, c };
}

const order = (n: number): ExactOrder => ({
  sessionId: "s1",
  venue: "paper",
  symbol: "BTC/USDT",
  side: "buy",
  type: "limit",
  quantity: `0.00${n + 1}`,
  price: "20000",
});

/** A proposal that expires `inMs` from now (real time): made by a clock set back by TTL - inMs */
function proposeExpiringIn(deps: ProposalDeps, n: number, inMs: number): { id: string; expiresAt: number } {
  const back = { now: () => Date.now() - (TTL_MS - inMs) };
  const p = createProposal({ ...deps, clock: back }, agent, {
    order: order(n),
    price: 20_000,
    risk: { accepted: true, checks: [] },
    quote: "USDT",
    mode: "propose",
  });
  return { id: p.id, expiresAt: Date.parse(p.expiresAt) };
}

const until = async (ok: () => boolean, ms: number): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((w) => setTimeout(w, 5));
};

describe("approval expiry on a timer", () => {
  it("pending proposals expire at their expiry without anyone looking, once across two watchers, recorded and alerted", async () => {
    const { home: h, c } = home();
    const t = c.trading();
    const alerts: Alert[] = [];
    const deps: ProposalDeps = {
      home: h,
      store: t.approvals!.store,
      clock: { now: Date.now },
      ...(t.audit === undefined ? {} : { audit: t.audit }),
      alerts: { emit: (a) => alerts.push({ id: `a${alerts.length}`, at: Date.now(), ...a }) },
    };
    const early = proposeExpiringIn(deps, 0, 300);
    const later = proposeExpiringIn(deps, 1, 700);
    const far = proposeExpiringIn(deps, 2, 30_000);
    // two processes' watchers on the same home; the container's own one runs too
    const a = watchApprovalExpiry(deps);
    const b = watchApprovalExpiry(deps, { everyMs: 250 });
    cleanup.push(() => a.stop());
    cleanup.push(() => b.stop());
    // made after the watchers started: seen at a poll, then expired at its time
    const fresh = proposeExpiringIn(deps, 3, 1_800);
    const state = (id: string) => deps.store.get(id)!.state;
    for (const p of [early, later, fresh]) {
      await until(() => state(p.id) === "expired", p.expiresAt - Date.now() + 3_000);
      const r = deps.store.get(p.id)!;
      expect(r.state).toBe("expired");
      // never before the expiry, and on time after it
      expect(r.decidedAt!).toBeGreaterThanOrEqual(p.expiresAt);
      expect(r.decidedAt! - p.expiresAt).toBeLessThanOrEqual(LATE_MS);
    }
    expect(state(far.id)).toBe("pending");
    // one record and at most one alert per expiry, whichever watcher won
    const expiredRecords = [...c.audit().records()]
      .map((x) => JSON.parse(x.body) as { kind: string; data: { event?: string; proposal?: string } })
      .filter((x) => x.kind === "approval" && x.data.event === "expired")
      .map((x) => x.data.proposal)
      .sort();
    expect(expiredRecords).toEqual([early.id, later.id, fresh.id].sort());
    // the container's own watcher raises into the home's dispatcher (alerts.log): together, exactly one each
    const logged = async (): Promise<Alert[]> => {
      try {
        return (await readFile(join(h, ALERTS_LOG), "utf8"))
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => JSON.parse(l) as Alert);
      } catch {
        return [];
      }
    };
    const all = async () => [...alerts, ...(await logged())].filter((x) => x.kind === "approval-expired");
    const deadline = Date.now() + 5_000;
    while ((await all()).length < 3 && Date.now() < deadline) await new Promise((w) => setTimeout(w, 20));
    const mine = await all();
    expect(mine.map((x) => x.data.proposal).sort()).toEqual([early.id, later.id, fresh.id].sort());
    for (const x of mine) {
      expect(x.severity).toBe("warning");
      expect(x.title).toMatch(/^approval expired: buy 0\.00\d BTC\/USDT \(p-[0-9a-f]+\)$/);
      expect(x.text).toMatch(/nothing was placed/);
    }
  }, 30_000);

  it("a process that opens the trading state expires proposals on its own (the composition root's watcher)", async () => {
    const { home: h, c } = home();
    const t = c.trading();
    const deps: ProposalDeps = {
      home: h,
      store: t.approvals!.store,
      clock: { now: Date.now },
      ...(t.audit === undefined ? {} : { audit: t.audit }),
    };
    // expiring after the watcher's first poll (every 1 s): the poll finds it pending and arms the
    // timer for its expiry, so how late it is recorded is the timer's lateness alone. (Expiring at
    // 400 ms, before that poll, it waited for the poll: 600 ms late by design, and a 400 ms stall of
    // this process on a loaded machine put it past LATE_MS.)
    const p = proposeExpiringIn(deps, 0, 1_500);
    await until(() => deps.store.get(p.id)!.state === "expired", 10_000);
    const r = deps.store.get(p.id)!;
    expect(r.state).toBe("expired");
    expect(r.decidedAt! - p.expiresAt).toBeLessThanOrEqual(LATE_MS);
    expect(r.reason).toBe(`expired at ${new Date(p.expiresAt).toISOString()}`);
  }, 15_000);

  it("arms its timer for the earliest expiry (at most everyMs away), expires when due, and stops", () => {
    const { home: h, c } = home();
    const t = c.trading();
    let now = Date.now();
    const deps: ProposalDeps = { home: h, store: t.approvals!.store, clock: { now: () => now } };
    const armed: { fn: () => void; ms: number; cleared: boolean }[] = [];
    const timers = {
      set: (fn: () => void, ms: number) => {
        const x = { fn, ms, cleared: false };
        armed.push(x);
        return x;
      },
      clear: (x: unknown) => {
        (x as { cleared: boolean }).cleared = true;
      },
    };
    const w = watchApprovalExpiry(deps, { everyMs: 1_000, timers });
    // nothing pending: polls every everyMs
    expect(armed.at(-1)!.ms).toBe(1_000);
    const p = createProposal({ ...deps, clock: { now: () => now - (TTL_MS - 300) } }, agent, {
      order: order(0),
      price: 20_000,
      risk: { accepted: true, checks: [] },
      quote: "USDT",
      mode: "propose",
    });
    armed.at(-1)!.fn();
    // due in 300 ms: the timer fires just past it
    expect(armed.at(-1)!.ms).toBe(301);
    expect(w.tick()).toBe(0);
    now += 300;
    expect(w.tick()).toBe(1);
    expect(deps.store.get(p.id)!.state).toBe("expired");
    expect(armed.at(-1)!.ms).toBe(1_000);
    w.stop();
    expect(armed.at(-1)!.cleared).toBe(true);
    const n = armed.length;
    armed.at(-1)!.fn();
    expect(armed.length).toBe(n);
  });
});
