import { cellColour, plateauText } from "./heatmap.ts";
import { esc, fix, inlineScript, pct, scriptJson, table } from "./html.ts";
import type { Heatmap, ReportData } from "./types.ts";

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#14213d;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}
header p{margin:2px 0;opacity:.9}.headline{font-size:16px;font-weight:600;margin-top:8px!important}
main{max-width:1200px;margin:0 auto;padding:8px 24px 40px}
section{background:#fff;border:1px solid #e1e4ea;border-radius:8px;margin:16px 0;padding:14px 18px}
h2{font-size:17px;margin:0 0 10px}h3{font-size:14px;margin:12px 0 6px}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{border-bottom:1px solid #eceef2;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f6;font-weight:600}td.num,th.num{text-align:right}
.pass{color:#0a7a32;font-weight:600}.fail{color:#b3261e}
.chart{height:340px;width:100%}.legend{font-size:12px;margin:4px 0 0}.legend span{margin-right:12px}
.legend i{display:inline-block;width:12px;height:3px;vertical-align:middle;margin-right:4px}
table.heat td{text-align:center;min-width:34px;font-size:12px;padding:3px}
.bar{position:relative;height:10px;background:#eef0f4;border-radius:3px;min-width:160px}
.bar b{position:absolute;top:0;height:10px;background:#7aa2e3;border-radius:3px}
.bar u{position:absolute;top:-2px;width:2px;height:14px;background:#14213d}
.signal{border-left:4px solid #7aa2e3;padding:6px 12px;margin:10px 0}.signal.long{border-color:#0a7a32}
.signal.short{border-color:#b3261e}.muted{color:#5b6473;font-size:12px}
.signal h3{margin:4px 0}.signal p{margin:4px 0}details{margin:8px 0}summary{cursor:pointer;color:#14213d;font-weight:600}
table.leaderboard td,table.leaderboard th{font-size:12.5px;padding:3px 6px}.stale{color:#b3261e;font-weight:600}
.scale{position:relative;height:16px;min-width:160px;font-size:11px;color:#5b6473}
.scale span{position:absolute;top:0;transform:translateX(-50%);white-space:nowrap}
.bar s{position:absolute;top:-3px;width:1px;height:16px;background:#b3261e;text-decoration:none}
.age{font-weight:600}
`;

/** Renders the self-contained strategist report: inline CSS, inline chart library, data as inline JSON */
export function renderReportHtml(d: ReportData, chartLibrary: string): string {
  // what a reader decides on comes first (ensemble, curves, today's signals); the long tables after,
  // with everything beyond their first rows folded
  const body = [
    ensembleSection(d),
    chartSection("equity", "Equity: top variants and the ensemble against buy-and-hold", d.equity.series),
    chartSection("drawdown", "Drawdowns", d.drawdown.series),
    signalsSection(d),
    leaderboardSection(d),
    heatmapSection(d.heatmaps),
    monteCarloSection(d),
    settingsSection(d),
    notesSection(d),
  ].join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(d.title)}</title><style>${CSS}</style></head>
<body>
<header><h1>${esc(d.title)}</h1>
<p>Run ${esc(d.runId)} · ${esc(d.createdAt)} · ${esc(d.exchange)} · ${esc(d.timeframe)} · ${esc(d.symbols.join(", "))}</p>
<p>${d.variantsTried} variants tried, ${d.variantsPassed} passed the gate. Every figure below is out of sample.</p>
<p class="headline" id="headline">${esc(d.headline)}</p>${d.dataAge === null ? "" : `<p id="data-age">Latest closed bar ${esc(d.dataAge.latestBar)}, <span class="age">${esc(d.dataAge.ageText)}</span> when this report was written.</p>`}</header>
<main>
${body}
</main>
<script id="report-data" type="application/json">${scriptJson({ equity: d.equity, drawdown: d.drawdown })}</script>
<script>${inlineScript(chartLibrary)}</script>
<script>${CHART_SCRIPT}</script>
</body></html>
`;
}

const PALETTE = ["#14213d", "#8d99ae", "#e76f51", "#2a9d8f", "#e9c46a", "#9b5de5", "#f15bb5", "#00bbf9"];
const colourOf = (k: number): string => PALETTE[k % PALETTE.length]!;

// draws every chart container from the inline JSON; errors surface in the console
const CHART_SCRIPT = `(function(){
var data=JSON.parse(document.getElementById('report-data').textContent);
var palette=${JSON.stringify(PALETTE)};
function draw(id,set,fmt){var el=document.getElementById('chart-'+id);if(!el||set.series.length===0)return;
var chart=LightweightCharts.createChart(el,{autoSize:true,layout:{background:{color:'#ffffff'},textColor:'#1d2330'},
grid:{vertLines:{color:'#f0f2f6'},horzLines:{color:'#f0f2f6'}},timeScale:{timeVisible:true,minBarSpacing:0.001},
localization:{priceFormatter:fmt}});
set.series.forEach(function(s,k){var line=chart.addSeries(LightweightCharts.LineSeries,{color:palette[k%palette.length],
lineWidth:s.kind==='ensemble'?3:s.kind==='buy-and-hold'?2:1,priceLineVisible:false,lastValueVisible:false});
var pts=[];for(var i=0;i<set.time.length;i++){var v=s.values[i];if(v!==null&&isFinite(v))pts.push({time:set.time[i],value:v});}
line.setData(pts);});chart.timeScale().fitContent();window.__chartApis=window.__chartApis||{};window.__chartApis[id]=chart;
window.__charts=(window.__charts||0)+1;}
draw('equity',data.equity,function(v){return v.toFixed(2)+'x';});
draw('drawdown',data.drawdown,function(v){return (v*100).toFixed(1)+'%';});
})();`;

function settingsSection(d: ReportData): string {
  const rows = d.settings.map((s) => [esc(s.name), esc(s.value)]);
  return `<section id="settings"><h2>Settings</h2><details><summary>${esc(d.settings.map((s) => s.name).join(", "))}</summary>${table("settings", ["Setting", "Value"], rows)}</details></section>`;
}

/** Rows shown before the fold in the leaderboard */
const SHOWN = 10;

function leaderboardSection(d: ReportData): string {
  const notes = [...new Set(d.leaderboard.flatMap((r) => (r.sampleNote === null ? [] : [r.sampleNote])))];
  const rows = d.leaderboard.map((r) => [
    String(r.rank),
    esc(r.family),
    r.sampleNote === null ? esc(r.symbol) : `${esc(r.symbol)} <span title="${esc(r.sampleNote)}">*</span>`,
    esc(r.params),
    fix(r.oosSharpe),
    fix(r.deflatedSharpe, 3),
    pct(r.maxDrawdown),
    fix(r.vsBuyAndHold),
    String(r.trades),
    r.oosBars.toLocaleString("en-US"),
    r.familyPbo === null ? "n/a" : fix(r.familyPbo),
    r.passed ? `<span class="pass">pass</span>` : `<span class="fail">fail</span>`,
    reasonsCell(r.reasons),
  ]);
  const head = [
    "#",
    "Family",
    "Symbol",
    "Params",
    "OOS Sharpe",
    "Deflated Sharpe",
    "Max DD",
    "vs B&H",
    "Trades",
    "OOS bars",
    "Family PBO",
    "Verdict",
    "Reasons",
  ];
  const rest = rows.slice(SHOWN);
  const folded =
    rest.length === 0
      ? ""
      : `<details id="leaderboard-rest"><summary>${rest.length} more rows (ranks ${SHOWN + 1} to ${rows.length})</summary>${table("leaderboard leaderboard-rest", head, rest)}</details>`;
  const noteList =
    notes.length === 0
      ? ""
      : `<div id="sample-notes" class="muted"><p>* Too little data to judge:</p><ul>${notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul></div>`;
  return `<section id="leaderboard"><h2>Leaderboard (top ${Math.min(SHOWN, rows.length)} of ${rows.length} shown)</h2>${table("leaderboard", head, rows.slice(0, SHOWN))}${folded}${noteList}</section>`;
}

/** The first failing reason (or "all checks passed") in the cell, every reason in the tooltip */
function reasonsCell(reasons: readonly string[]): string {
  const fails = reasons.filter((r) => r.startsWith("fail"));
  const shown =
    fails.length === 0
      ? `all ${reasons.length} checks passed`
      : `${fails[0]!}${fails.length > 1 ? ` (+${fails.length - 1} more)` : ""}`;
  return `<span title="${esc(reasons.join("\n"))}">${esc(shown)}</span>`;
}

function ensembleSection(d: ReportData): string {
  const e = d.ensemble;
  const stats = table(
    "ensemble-stats",
    ["Record", "Sharpe", "Total return", "Annual return", "Max DD"],
    e.rows.map((r) => [
      esc(r.name),
      fix(r.sharpe),
      pct(r.totalReturn),
      pct(r.annualReturn),
      pct(r.maxDrawdown),
    ]),
  );
  const folds = table(
    "ensemble-folds",
    ["Fold", "From", "To", "Ensemble Sharpe", "Buy-and-hold", "Best single (hindsight)", "Walk-forward pick"],
    e.folds.map((f, k) => [
      String(k + 1),
      esc(f.from),
      esc(f.to),
      fix(f.ensemble),
      fix(f.buyAndHold),
      fix(f.bestSingle),
      fix(f.walkForwardPick),
    ]),
  );
  const members =
    e.members.length === 0
      ? `<p id="ensemble-members">No member holds weight for the next bar: the ensemble is in cash.</p>`
      : table(
          "ensemble-members",
          ["Member", "Weight for the next bar"],
          e.members.map((m) => [esc(m.id), `${fix(m.weightPct, 1)}%`]),
        );
  const alternatives =
    e.alternatives.length === 0
      ? ""
      : `<details><summary>Other weighting schemes (same pool, same folds; shown, never picked from)</summary>${table(
          "ensemble-alternatives",
          ["Scheme", "Sharpe", "Total return", "Max DD", "Beats buy-and-hold"],
          e.alternatives.map((a) => [
            esc(a.scheme),
            fix(a.sharpe),
            pct(a.totalReturn),
            pct(a.maxDrawdown),
            a.better ? "yes" : "no",
          ]),
        )}</details>`;
  return `<section id="ensemble"><h2>Ensemble (${esc(e.scheme)})</h2>
<p class="${e.better ? "pass" : "fail"}" id="ensemble-verdict">${esc(e.verdict)}</p>
${stats}${alternatives}<details><summary>Walk-forward folds (${e.folds.length})</summary>${folds}</details><details><summary>Members for the next bar (${e.members.length})</summary>${members}</details>
<p class="muted">${e.demotions} times a member was demoted because its recent record decayed.</p></section>`;
}

function chartSection(id: string, title: string, series: readonly { name: string }[]): string {
  const legend = series
    .map((s, k) => `<span><i style="background:${colourOf(k)}"></i>${esc(s.name)}</span>`)
    .join("");
  return `<section id="${id}"><h2>${esc(title)}</h2><div class="chart" id="chart-${id}"></div><p class="legend">${legend}</p></section>`;
}

function heatmapSection(maps: readonly Heatmap[]): string {
  if (maps.length === 0)
    return `<section id="heatmaps"><h2>Parameter heatmaps</h2><p>No two-parameter family was screened.</p></section>`;
  const blocks = maps.map((h) => {
    const maxAbs = Math.max(0, ...h.z.flat().map((v) => (v === null ? 0 : Math.abs(v))));
    const xl = (i: number): string => h.xLabels?.[i] ?? String(h.xs[i]);
    const yl = (j: number): string => h.yLabels?.[j] ?? String(h.ys[j]);
    const head = [`${h.yName} \\ ${h.xName}`, ...h.xs.map((_, i) => xl(i))];
    const rows = h.z.map((row, j) => [
      `<b>${esc(yl(j))}</b>`,
      ...row.map(
        (v) =>
          `<span title="${v === null ? "not tried" : fix(v)}" style="display:block;background:${cellColour(v, maxAbs)}">${v === null ? "·" : fix(v, 1)}</span>`,
      ),
    ]);
    return `<details class="heatmap"><summary>${esc(h.family)} on ${esc(h.symbol)} (${esc(h.metric)}): <span class="plateau">${esc(plateauText(h))}</span></summary>${table("heat", head, rows)}</details>`;
  });
  return `<section id="heatmaps"><h2>Parameter heatmaps</h2><p class="muted">A plateau (neighbours nearly as good as the best) is robust; a lone spike is likely luck. Open one to see its grid.</p>${blocks.join("\n")}</section>`;
}

function monteCarloSection(d: ReportData): string {
  if (d.monteCarlo.length === 0)
    return `<section id="monte-carlo"><h2>Monte Carlo ranges</h2><p>No Monte Carlo was run.</p></section>`;
  const lo = Math.min(0, ...d.monteCarlo.map((m) => m.totalReturn.p5));
  const hi = Math.max(0, ...d.monteCarlo.map((m) => m.totalReturn.p95));
  const span = hi - lo || 1;
  const at = (v: number): string => fix(((v - lo) / span) * 100, 1);
  const bar = (p5: number, p50: number, p95: number): string =>
    `<div class="bar"><s style="left:${at(0)}%"></s><b style="left:${at(p5)}%;width:${fix(((p95 - p5) / span) * 100, 1)}%"></b><u style="left:${at(p50)}%"></u></div>`;
  // the axis of the bars: its ends, zero and the quarter marks, in total return
  const ticks = [lo, lo + span / 4, lo + span / 2, lo + (3 * span) / 4, hi];
  if (!ticks.some((t) => Math.abs(t) < span / 20)) ticks.push(0);
  const scale = `<div class="scale" id="mc-scale">${ticks.map((t) => `<span style="left:${at(t)}%">${pct(t, 0)}</span>`).join("")}</div>`;
  const rows = d.monteCarlo.map((m) => [
    esc(m.id),
    `${pct(m.totalReturn.p5)} / ${pct(m.totalReturn.p50)} / ${pct(m.totalReturn.p95)}`,
    bar(m.totalReturn.p5, m.totalReturn.p50, m.totalReturn.p95),
    `${pct(m.maxDrawdown.p5)} / ${pct(m.maxDrawdown.p50)} / ${pct(m.maxDrawdown.p95)}`,
  ]);
  const body = table(
    "monte-carlo",
    ["Variant", "Total return", "Range", "Max drawdown"],
    [["", "", scale, ""], ...rows],
  );
  return `<section id="monte-carlo"><h2>Monte Carlo ranges</h2><details><summary>${d.monteCarlo.length} variants: 5th / 50th / 95th percentiles of total return and max drawdown over resamples of each record</summary><p class="muted">Blue: 5th to 95th percentile of total return on the axis above (${pct(lo, 0)} to ${pct(hi, 0)}); dark tick: the median; red line: 0%.</p>${body}</details></section>`;
}

function signalsSection(d: ReportData): string {
  const items = d.explanations.map(({ record: r, paragraph }) => {
    const votes =
      r.votes.length === 0
        ? ""
        : `<details><summary>${r.votes.length} member vote${r.votes.length === 1 ? "" : "s"}</summary>${table(
            "votes",
            ["Member", "Vote", "Weight"],
            r.votes.map((v) => [
              esc(`${v.family} ${v.params.map((p) => `${p.name} ${p.value}`).join(", ")}`),
              `${v.votePct}%`,
              `${v.weightPct}%`,
            ]),
          )}</details>`;
    // the explanation of a symbol the ensemble holds is open; the flat ones are folded under their headline
    return `<div class="signal ${r.action}" data-symbol="${esc(r.symbol)}"><details${r.exposurePct !== 0 ? " open" : ""}><summary><h3 style="display:inline">${esc(r.symbol)}: ${esc(r.action)} ${r.exposurePct}% · bar of ${esc(r.barTime)} · confidence ${esc(r.confidence.label)}</h3></summary><p>${esc(paragraph)}</p>${votes}</details></div>`;
  });
  const age =
    d.dataAge === null
      ? ""
      : `<p id="signals-age">Latest closed bar ${esc(d.dataAge.latestBar)}, <span class="age${d.dataAge.stale ? " stale" : ""}">${esc(d.dataAge.ageText)}</span>${d.dataAge.stale ? ": these signals are as of that bar, not of today; import newer data for today's" : ""}.</p>`;
  return `<section id="signals"><h2>Today's signals, explained</h2>${age}${items.length === 0 ? "<p>No symbol to explain.</p>" : items.join("\n")}</section>`;
}

function notesSection(d: ReportData): string {
  if (d.notes.length === 0) return "";
  return `<section id="notes"><h2>Notes</h2><ul>${d.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul></section>`;
}
