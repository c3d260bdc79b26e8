import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { WeightBudget } from "./weight-budget.ts";

interface Req {
  readonly weight: number;
  /** ms the client waits after its previous request was answered before asking again */
  readonly think: number;
  /** ms on the wire */
  readonly latency: number;
  /** where on the wire the venue counts it (0 = at send, 1 = at the response) */
  readonly at: number;
}

/**
 * Virtual-time run of `workers` concurrent clients sharing one budget: each asks for its next
 * request after thinking, waits for the budget, is on the wire for `latency`; the venue counts it
 * somewhere on the wire. Returns the venue's arrival times and weights.
 */
function run(budget: WeightBudget, workers: Req[][]): { t: number; w: number }[] {
  const arrivals: { t: number; w: number }[] = [];
  // events: a worker ready to ask at time t, or a request answered at time t
  type Ev = { t: number; kind: "ask" | "done"; worker: number; ticket?: number };
  const events: Ev[] = workers.map((_, i) => ({ t: workers[i]?.[0]?.think ?? 0, kind: "ask", worker: i }));
  const next = workers.map(() => 0);
  const waiting: number[] = []; // workers waiting for the budget, FIFO
  let guard = 0;
  while (events.length > 0 || waiting.length > 0) {
    if (++guard > 100_000) throw new Error("simulation did not end");
    events.sort((a, b) => a.t - b.t || (a.kind === "done" ? -1 : 1));
    const ev = events.shift();
    if (ev === undefined) throw new Error("a request waits for the budget with nothing on the wire");
    const now = ev.t;
    if (ev.kind === "done") {
      budget.release(ev.ticket as number, now);
      const i = ev.worker;
      next[i] = (next[i] ?? 0) + 1;
      const r = workers[i]?.[next[i] as number];
      if (r !== undefined) events.push({ t: now + r.think, kind: "ask", worker: i });
    } else if (ev.worker >= 0) waiting.push(ev.worker);
    // serve waiting workers in order while the budget admits them
    while (waiting.length > 0) {
      const i = waiting[0] as number;
      const r = workers[i]?.[next[i] as number] as Req;
      const w = budget.waitMs(r.weight, now);
      if (w === 0) {
        waiting.shift();
        const ticket = budget.admit(r.weight, now);
        arrivals.push({ t: now + r.at * r.latency, w: r.weight });
        events.push({ t: now + r.latency, kind: "done", worker: i, ticket });
      } else {
        // a tick (worker -1) wakes the queue when the budget frees up
        if (w !== "release") events.push({ t: now + w, kind: "ask", worker: -1 });
        break;
      }
    }
  }
  return arrivals;
}

/** the most weight the venue counts in one of its windows starting at `offset` + k * windowMs */
function maxPerWindow(arrivals: { t: number; w: number }[], windowMs: number, offset: number): number {
  const per = new Map<number, number>();
  for (const a of arrivals) {
    const k = Math.floor((a.t - offset) / windowMs);
    per.set(k, (per.get(k) ?? 0) + a.w);
  }
  return Math.max(0, ...per.values());
}

const req = (maxW: number, windowMs: number) =>
  fc.record({
    weight: fc.integer({ min: 1, max: maxW }),
    think: fc.integer({ min: 0, max: Math.floor(windowMs / 4) }),
    latency: fc.integer({ min: 0, max: windowMs }),
    at: fc.double({ min: 0, max: 1, noNaN: true }),
  });

describe("WeightBudget", () => {
  it("never lets the venue count more than the cap in any window, whatever the windows' alignment, latency and concurrency (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 40, max: 400 }), // cap >= 20 >= any weight drawn
        fc.integer({ min: 100, max: 2000 }),
        fc.double({ min: 0.5, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 4 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.array(fc.array(req(20, 100), { minLength: 1, maxLength: 40 }), {
              minLength: n,
              maxLength: n,
            }),
          ),
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (limit, windowMs, fraction, [, workersRaw], offsetFrac) => {
          // stretch think/latency to the window drawn (they were drawn against 100 ms)
          const workers = workersRaw.map((rs) =>
            rs.map((r) => ({
              ...r,
              think: (r.think * windowMs) / 100,
              latency: (r.latency * windowMs) / 100,
            })),
          );
          const budget = new WeightBudget({ limit, windowMs, fraction });
          const arrivals = run(budget, workers);
          expect(arrivals.length).toBe(workers.reduce((s, w) => s + w.length, 0));
          const cap = budget.cap;
          for (const off of [0, offsetFrac * windowMs, windowMs / 2, windowMs - 0.001])
            expect(maxPerWindow(arrivals, windowMs, off)).toBeLessThanOrEqual(cap);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("uses what it may: one client alone sends the full cap in the first window", () => {
    const b = new WeightBudget({ limit: 1000, windowMs: 60_000 });
    expect(b.cap).toBe(900);
    let sent = 0;
    while (b.waitMs(10, 0) === 0) {
      b.release(b.admit(10, 0), 0);
      sent += 10;
    }
    expect(sent).toBe(900);
    expect(b.waitMs(10, 0)).toBe(60_000);
    expect(b.waitMs(10, 60_000)).toBe(0);
  });

  it("admits nothing before a Retry-After passes (fast-check)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 1, max: 10_000 }), (now, wait) => {
        const b = new WeightBudget({ limit: 6000, windowMs: 60_000 });
        b.pause(now + wait);
        expect(b.waitMs(1, now)).toBe(wait);
        expect(b.waitMs(1, now + wait - 1)).toBe(1);
        expect(b.waitMs(1, now + wait)).toBe(0);
      }),
    );
  });

  it("holds weight the venue reports that kairos did not send", () => {
    const b = new WeightBudget({ limit: 1000, windowMs: 1000 });
    b.release(b.admit(100, 0), 5);
    b.observeUsed(700, 5); // 600 from someone else
    expect(b.heldAt(5)).toBe(700);
    expect(b.waitMs(201, 5)).toBe(1000); // 700 + 201 > 900 until both holds expire at 1005
    expect(b.waitMs(200, 5)).toBe(0);
    b.observeUsed(50, 6); // less than kairos holds: nothing new
    expect(b.heldAt(6)).toBe(700);
  });

  it("waits for a response while the cap is on the wire, and lets a request heavier than the cap go alone", () => {
    const b = new WeightBudget({ limit: 100, windowMs: 1000 });
    const t = b.admit(90, 0);
    expect(b.waitMs(1, 10)).toBe("release");
    b.release(t, 20);
    expect(b.waitMs(1, 20)).toBe(1000);
    expect(b.waitMs(500, 1020)).toBe(0);
    const big = b.admit(500, 1020);
    expect(b.waitMs(1, 1021)).toBe("release");
    b.release(big, 1030);
    expect(b.waitMs(1, 2029)).toBe(1);
    expect(() => new WeightBudget({ limit: 0, windowMs: 1000 })).toThrow(/weight limit 0/);
  });
});
