// The guard around user code: throws become STRATEGY_FAILED with the bar, copies protect the engine
import { describe, expect, it } from "vitest";
import { scripted, seriesOf, TWENTY } from "../../test/support/backtest-fixtures.ts";
import { AppError } from "../errors.ts";
import type { PreparedData, Strategy } from "../strategies/types.ts";
import { runEngine } from "./engine.ts";
import { guardStrategy, strategyFactoryFromModule } from "./guard.ts";
import { defaultExecution } from "./types.ts";

const S = seriesOf(TWENTY);
const run = (st: Strategy) => runEngine({ series: [S], strategy: st, config: defaultExecution() });

function failure(f: () => unknown): AppError {
  try {
    f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected a failure");
}

describe("user strategy guard", () => {
  it("a throw becomes STRATEGY_FAILED naming the bar, its time and the message", () => {
    const bad: Strategy = {
      id: "bad",
      warmup: 0,
      onBar(ctx) {
        if (ctx.bar === 7) throw new Error("division by zero in my signal");
        return undefined;
      },
    };
    const e = failure(() => run(guardStrategy(bad, "my-strategy.ts")));
    expect(e.code).toBe("STRATEGY_FAILED");
    expect(e.message).toBe(
      "strategy my-strategy.ts failed at bar 7 (2024-01-01T07:00:00.000Z): division by zero in my signal",
    );
    expect(e.details).toEqual({ bar: 7, ts: S.ts[7] });
  });

  it("a malformed decision is refused with the bar", () => {
    const nan: Strategy = { id: "nan", warmup: 0, onBar: () => ({ targets: { "BTC/USDT": Number.NaN } }) };
    expect(failure(() => run(guardStrategy(nan))).message).toMatch(
      /at bar 0 .*targets\["BTC\/USDT"\] must be a finite number/,
    );
    const badOrder = {
      id: "o",
      warmup: 0,
      onBar: () => ({ orders: [{ symbol: "BTC/USDT", side: "hold", type: "market", qty: 1 }] }),
    };
    expect(failure(() => run(guardStrategy(badOrder as unknown as Strategy))).message).toMatch(
      /orders\[0\]\.side/,
    );
  });

  it("the user gets copies: mutating them changes nothing in the engine", () => {
    const plan = { 2: { targets: { "BTC/USDT": 1 } }, 9: { targets: { "BTC/USDT": 0 } } };
    const clean = run(scripted(plan));
    const vandal: Strategy = {
      id: "vandal",
      warmup: 0,
      prepare(d: PreparedData) {
        d.series["BTC/USDT"]!.close.fill(1);
      },
      onBar(ctx) {
        ctx.series().open.fill(0);
        const d = plan[ctx.bar as 2 | 9];
        return d === undefined ? undefined : { targets: { ...d.targets } };
      },
    };
    const guarded = run(guardStrategy(vandal));
    expect(guarded.fills).toEqual(clean.fills);
    expect(Array.from(guarded.equity)).toEqual(Array.from(clean.equity));
    expect(S.close[5]).toBe(TWENTY.c[5]);
  });

  it("loads modules exporting createStrategy, strategy or a default", () => {
    const make = (p: Record<string, unknown>): Strategy => ({
      id: "m",
      warmup: Number(p.w ?? 0),
      onBar: (ctx) => (ctx.bar === 2 ? { targets: { "BTC/USDT": 1 } } : undefined),
    });
    for (const mod of [{ createStrategy: make }, { strategy: make({}) }, { default: make }]) {
      const st = strategyFactoryFromModule(mod, "x.ts")({ w: 0 });
      expect(run(st).fills.length).toBe(1);
    }
    expect(strategyFactoryFromModule({ createStrategy: make }, "x.ts")({ w: 3 }).warmup).toBe(3);
    const e = failure(() => strategyFactoryFromModule({ nothing: 1 }, "empty.ts"));
    expect(e.code).toBe("STRATEGY_FAILED");
    expect(e.message).toMatch(/empty\.ts: export createStrategy\(params\) or a strategy object/);
    const throwing = {
      createStrategy: () => {
        throw new Error("bad params");
      },
    };
    expect(failure(() => strategyFactoryFromModule(throwing, "t.ts")({})).message).toBe(
      "strategy t.ts failed while being created: bad params",
    );
  });
});
