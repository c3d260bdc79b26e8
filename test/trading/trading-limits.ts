// Risk limits for the trading tests whose orders go beyond the conservative defaults (a 10,000
// USDT paper account trading its whole equity): written through the public use case (`risk set`),
// so the sessions still pass every pre-trade check, only against limits sized for the test
import { setRisk } from "../../src/app/risk-limits.ts";

/** limit key -> value, each set as `kairos risk set KEY VALUE --by tests` would */
export const TEST_LIMITS: Readonly<Record<string, string>> = {
  maxOrderValue: "100000",
  maxOrderQty: "100",
  maxExposurePerSymbol: "200000",
  maxExposureTotal: "200000",
  maxDailyLoss: "10000",
  maxDrawdown: "1",
};

export function writeTestLimits(home: string, limits: Readonly<Record<string, string>> = TEST_LIMITS): void {
  for (const [key, value] of Object.entries(limits))
    setRisk({ home, now: () => Date.now() }, { key, value, by: "tests" });
}
