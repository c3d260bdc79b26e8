// A frozen price feed in live trading: bars keep closing on time, but flat and without volume (the
// venue's feed stopped moving). Live, the reference price's time is when the market last traded
// (the close of the newest bar with volume), not the bar's close, so once the feed has been frozen
// longer than maxPriceAgeMs every order is refused with stale-price and nothing is stored or sent.
// Paper replay keeps the bar's close as the price time: the same bars pass there.
import { describe, expect, it } from "vitest";
import { setRisk } from "../../src/app/risk-limits.ts";
import { HOUR, setupSession, T0 } from "./session-gate.ts";

const BARS = 12;
/** the feed freezes from this bar on: the last trade was in bar FROZEN_FROM - 1 */
const FROZEN_FROM = 6;

function allowAll(home: string): void {
  const set = (key: string, value: string) => setRisk({ home, now: () => 0 }, { key, value, by: "test" });
  set("maxMessagesPerSecondVenue", "1000000");
  set("maxMessagesPerSecondStrategy", "1000000");
  set("throttleExecutions", "1000000");
  set("maxExposurePerSymbol", "1000000");
  set("maxExposureTotal", "1000000");
  set("maxPriceAgeMs", "5000");
}

/** flat bars without volume from FROZEN_FROM on, at the last traded close: what a stuck feed serves */
function freeze(series: ReturnType<typeof setupSession>["series"]): void {
  const last = series.close[FROZEN_FROM - 1]!;
  for (let i = FROZEN_FROM; i < BARS; i++) {
    series.open[i] = last;
    series.high[i] = last;
    series.low[i] = last;
    series.close[i] = last;
    series.volume[i] = 0;
  }
}

describe("stale reference price in live trading", () => {
  it("a frozen feed: orders are refused with stale-price, timed from the last trade, 0 stored, 0 sent", async () => {
    const s = setupSession({ bars: BARS, timing: "live" });
    try {
      allowAll(s.home);
      freeze(s.series);
      for (let t = 0; t < BARS; t++) {
        const closeTs = T0 + (t + 1) * HOUR;
        // the loop acts 1 s after each close: fresh by the bar's own close time
        s.time.t = closeTs + 1_000;
        const before = s.risk.decisions.length;
        const stored = s.store.ordersOf("r").length;
        const r = await s.session.onClosedBar(t);
        const d = s.risk.decisions.slice(before);
        expect(d, `bar ${t}`).toHaveLength(1);
        const stale = d[0]!.checks.find((c) => c.check === "stale-price")!;
        if (t < FROZEN_FROM) {
          expect(d[0]!.accepted, `bar ${t}`).toBe(true);
          expect(stale).toMatchObject({ observed: 1_000, pass: true });
          expect(r.orders).toHaveLength(1);
        } else {
          // the price was last seen at the close of bar FROZEN_FROM - 1
          const lastTrade = T0 + FROZEN_FROM * HOUR;
          expect(d[0]!.accepted, `bar ${t}`).toBe(false);
          expect(d[0]!.reason).toMatch(/stale-price/);
          expect(stale).toMatchObject({ limit: 5_000, observed: closeTs + 1_000 - lastTrade, pass: false });
          expect(r.orders).toHaveLength(0);
          expect(r.notes.join("\n")).toMatch(/refused by the risk gate \(.*stale-price/);
          expect(s.store.ordersOf("r")).toHaveLength(stored);
        }
      }
      expect(s.submits()).toBe(FROZEN_FROM);
    } finally {
      s.close();
    }
  });

  it("the feed trades again: orders pass again", async () => {
    const s = setupSession({ bars: BARS, timing: "live" });
    try {
      allowAll(s.home);
      freeze(s.series);
      // trading resumes in the last bar
      s.series.volume[BARS - 1] = 5;
      s.series.high[BARS - 1] = s.series.close[BARS - 1]! + 1;
      for (let t = 0; t < BARS; t++) {
        s.time.t = T0 + (t + 1) * HOUR + 1_000;
        await s.session.onClosedBar(t);
      }
      expect(s.risk.decisions.map((d) => d.accepted)).toEqual([
        ...Array<boolean>(FROZEN_FROM).fill(true),
        ...Array<boolean>(BARS - FROZEN_FROM - 1).fill(false),
        true,
      ]);
    } finally {
      s.close();
    }
  });

  it("paper replay keeps the bar's close as the price time: the same frozen bars pass", async () => {
    const s = setupSession({ bars: BARS, timing: "replay" });
    try {
      allowAll(s.home);
      freeze(s.series);
      for (let t = 0; t < BARS; t++) await s.session.onClosedBar(t);
      expect(s.risk.decisions.every((d) => d.accepted)).toBe(true);
      expect(s.submits()).toBe(BARS);
    } finally {
      s.close();
    }
  });
});
