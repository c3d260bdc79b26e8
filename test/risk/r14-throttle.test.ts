// R14 throttle: N executions per window latch HALTED (account file and session), the latch
// survives a restart (a fresh read of the home), and only a person's resume clears it; the resume
// also clears the throttle's window, so it takes N new executions to latch again
import { describe, expect, it } from "vitest";
import { setRisk } from "../../src/app/risk-limits.ts";
import { readTradingState, resumeTradingState } from "../../src/app/risk-trading-state.ts";
import { setupSession } from "./session-gate.ts";

describe("R14 throttle", () => {
  it("N executions latch HALTED; nothing passes until a named person resumes", async () => {
    const s = setupSession({ bars: 40, timing: "replay" });
    try {
      const set = (key: string, value: string) =>
        setRisk({ home: s.home, now: () => 0 }, { key, value, by: "test" });
      set("maxExposurePerSymbol", "1000000");
      set("maxExposureTotal", "1000000");
      set("throttleExecutions", "5");
      set("throttleWindowMs", String(24 * 3_600_000));
      for (let t = 0; t < 5; t++) await s.session.onClosedBar(t);
      expect(s.submits()).toBe(5);
      // latched: persisted for the account, and the session is halted with the reason
      expect(readTradingState(s.home).state).toBe("halted");
      expect(s.store.getSession("r")!.state).toBe("halted");
      expect(s.store.getSession("r")!.haltReason).toMatch(/repeated-execution throttle: 5 executions/);
      for (let t = 5; t < 15; t++) await s.session.onClosedBar(t);
      expect(s.submits()).toBe(5);
      // the session state alone does not clear it: the account latch still refuses every order
      s.store.setState("r", "active");
      const r = await s.session.onClosedBar(15);
      expect(r.orders).toHaveLength(0);
      expect(r.notes.join("\n")).toMatch(/trading-state: observed halted/);
      expect(s.submits()).toBe(5);
      // a person resumes: recorded with name and reason
      const file = resumeTradingState(
        { home: s.home, now: () => 0 },
        { by: "alice", reason: "reviewed the fills" },
      );
      expect(file.history.at(-1)).toMatchObject({
        state: "active",
        by: "alice",
        reason: "reviewed the fills",
      });
      expect(() =>
        resumeTradingState({ home: s.home, now: () => 0 }, { by: "", reason: "x" } as never),
      ).toThrow(/by/);
      await s.session.onClosedBar(16);
      expect(s.submits()).toBe(6);
      // the resume started the throttle's window afresh: one execution does not latch again at once
      expect(readTradingState(s.home).state).toBe("active");
      for (let t = 17; t < 20; t++) await s.session.onClosedBar(t);
      expect(readTradingState(s.home).state).toBe("active");
      // the fifth execution since the resume latches again
      await s.session.onClosedBar(20);
      expect(s.submits()).toBe(10);
      expect(readTradingState(s.home).state).toBe("halted");
    } finally {
      s.close();
    }
  });
});
