// Golden file of the HTML report for the hand-written 20-bar run (chart library stubbed out).
// Regenerate after an intended change: UPDATE_GOLDEN=1 npx vitest run test/backtest/report-golden.test.ts
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEngine } from "../../src/backtest/engine.ts";
import { analyseTrades } from "../../src/backtest/trade-analysis.ts";
import { defaultExecution } from "../../src/backtest/types.ts";
import { renderBacktestReport } from "../../src/explain/backtest/render-backtest-report.ts";
import { scripted, seriesOf, TWENTY } from "../support/backtest-fixtures.ts";
import { DATA_DIR } from "../support/bundled-data.ts";
import { readGolden } from "../support/golden.ts";

const GOLDEN = join(DATA_DIR, "..", "test", "golden", "backtest-report.html");

describe("backtest report golden file", () => {
  it("renders the 20-bar run exactly as recorded", () => {
    const s = seriesOf(TWENTY);
    const r = runEngine({
      series: [s],
      strategy: scripted({
        2: { targets: { "BTC/USDT": 0.5 } },
        8: { targets: { "BTC/USDT": 0 } },
        10: { targets: { "BTC/USDT": 1 } },
      }),
      config: defaultExecution({ fee: 0.001, exits: { stopLoss: 0.03 } }),
      params: { note: "golden" },
    });
    const html = renderBacktestReport({
      result: r,
      analysis: analyseTrades(r.trades),
      prices: [s],
      exchange: "test",
      chartLib: "/* lightweight-charts */",
    });
    expect(html).toBe(readGolden(GOLDEN, html));
    // the figures a reader checks by hand are in it
    expect(html).toContain("<td>Trades</td><td>2</td>");
    expect(html).toContain("stop-loss");
  });
});
