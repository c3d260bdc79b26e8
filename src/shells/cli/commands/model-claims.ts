import type { Command } from "commander";
import { checkClaims } from "../../../app/check-claims.ts";
import { printInfo, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";
import { table } from "./data-format.ts";

const n3 = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : "-");
const pv = (x: number): string => (!Number.isFinite(x) ? "-" : x < 0.0001 ? "<1e-4" : x.toFixed(4));

/** `kairos model claims`: the published forecasting figures measured beside a random walk */
export function registerModelClaimsCommand(model: Command): void {
  model
    .command("claims")
    .description("measure published forecasting claims on the bundled BTC data next to naive forecasts")
    .addHelpText("after", "\nExample:\n  kairos data import data/ && kairos model claims")
    .action((_opts: unknown, cmd: Command) =>
      withContainer(cmd, async (c, g) => {
        const out = await checkClaims(
          { store: c.store, tensors: c.tensors, clock: c.clock },
          g.json ? () => {} : (m) => printInfo(m),
        );
        if (g.json) {
          printJson(out);
          return;
        }
        printLine(
          table(
            [
              "#",
              "claim",
              "measured on",
              "test bars",
              "metric",
              "model",
              "naive",
              "other",
              "p vs naive",
              "beats naive",
            ],
            out.rows.map((r, i) => [
              String(i + 1),
              r.published,
              `${r.setting.exchange} ${r.setting.symbol} ${r.setting.timeframe} h=${r.setting.horizon}`,
              String(r.testBars),
              r.metric,
              n3(r.model),
              `${n3(r.naive)} (${r.naiveName})`,
              r.other === undefined ? "-" : `${n3(r.other.value)} (${r.other.name})`,
              pv(r.pVsNaive),
              r.beatsNaive ? "YES" : "no",
            ]),
          ),
        );
        printLine();
        for (const [i, r] of out.rows.entries()) printLine(`${i + 1}. ${r.verdict}`);
        for (const s of out.skipped)
          printLine(
            `skipped ${s.setting.exchange} ${s.setting.symbol} ${s.setting.timeframe} h=${s.setting.horizon}: ${s.reason}`,
          );
        printLine(`Took ${(out.elapsedMs / 1000).toFixed(1)} s.`);
      }),
    );
}
