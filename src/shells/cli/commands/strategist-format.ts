import type { ReportData } from "../../../explain/report/types.ts";
import { table } from "./data-format.ts";

const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "n/a");
const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : "n/a");

/** The leaderboard with deflated Sharpe, the ensemble against its baselines, and the explained signals */
export function renderStrategist(d: ReportData, top = 10): string {
  const lines: string[] = [d.headline, ""];
  lines.push(
    table(
      [
        "#",
        "family",
        "symbol",
        "params",
        "OOS Sharpe",
        "deflated Sharpe",
        "max DD",
        "vs B&H",
        "trades",
        "OOS bars",
        "verdict",
      ],
      d.leaderboard
        .slice(0, top)
        .map((r) => [
          String(r.rank),
          r.family,
          r.sampleNote === null ? r.symbol : `${r.symbol}*`,
          r.params,
          f2(r.oosSharpe),
          r.deflatedSharpe.toFixed(3),
          pct(r.maxDrawdown),
          f2(r.vsBuyAndHold),
          String(r.trades),
          r.oosBars.toLocaleString("en-US"),
          r.passed ? "pass" : "fail",
        ]),
    ),
  );
  const notes = [
    ...new Set(d.leaderboard.slice(0, top).flatMap((r) => (r.sampleNote === null ? [] : [r.sampleNote]))),
  ];
  for (const n of notes) lines.push(`* ${n}`);
  lines.push("", `Ensemble (${d.ensemble.scheme}), out of sample: ${d.ensemble.verdict}`);
  lines.push(
    table(
      ["record", "Sharpe", "total return", "max DD"],
      d.ensemble.rows.map((r) => [
        r.name.length > 70 ? `${r.name.slice(0, 67)}...` : r.name,
        f2(r.sharpe),
        pct(r.totalReturn),
        pct(r.maxDrawdown),
      ]),
    ),
  );
  if (d.ensemble.alternatives.length > 0)
    lines.push(
      `Other weighting schemes on the same pool (for comparison): ${d.ensemble.alternatives
        .map((a) => `${a.scheme} Sharpe ${f2(a.sharpe)}, return ${pct(a.totalReturn)}`)
        .join("; ")}`,
    );
  lines.push(
    "",
    d.dataAge === null
      ? "Signals at the latest closed bar:"
      : `Signals at the latest closed bar, ${d.dataAge.latestBar}, ${d.dataAge.ageText}${d.dataAge.stale ? " (not today's: import newer data)" : ""}:`,
  );
  for (const e of d.explanations) lines.push("", `- ${e.paragraph}`);
  return lines.join("\n");
}
