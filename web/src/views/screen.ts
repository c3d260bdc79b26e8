// Research screens: start one (universe, timeframe, preset, variants) as a job, watch its progress, and
// read the leaderboard with each variant's verdict and reasons; stored runs can be reopened
import { field, h, messageOf, num, pct, replace, table, timeframeMs, utc } from "../dom.ts";
import { heatmapTable } from "../heatmap.ts";
import { type Job, progressText, runJob } from "../jobs.ts";
import type { SeriesSummary, StrategyInfo } from "../types.ts";
import type { ViewContext } from "../view.ts";
import { equityCurves } from "./curves.ts";

interface Variant {
  rank: number;
  family: string;
  symbol: string;
  params: Record<string, number | boolean>;
  oos: { sharpeAnnual: number; totalReturn?: number; maxDrawdown?: number };
  dsr: { probability: number };
  buyAndHold: { sharpeAnnual: number };
  passed: boolean;
  reasons: string[];
}

export interface ScreenRunJson {
  id: string;
  createdAt: string;
  timeframe: string;
  symbols: string[];
  preset: string | null;
  exchange?: string | null;
  config?: { fee?: number };
  headline: string;
  passed: number;
  trials: number;
  runPbo: number | null;
  clock: { from: number; to: number; oosStartTs: number };
  variants: Variant[];
}

interface RunSummary {
  id: string;
  createdAt: number;
  timeframe: string;
  symbols: string[];
  preset: string | null;
  best: { family: string; oosSharpe: number; passed: boolean } | null;
}

/** The leaderboard of one run: ranks, out-of-sample Sharpe beside buy-and-hold, verdicts and reasons */
export function leaderboard(r: ScreenRunJson, ctx: Pick<ViewContext, "api" | "onLeave">): HTMLElement {
  return h(
    "div",
    {},
    h(
      "section",
      { class: "card", id: "leaderboard", "aria-label": `Leaderboard of ${r.id}` },
      h("h2", {}, `Leaderboard of ${r.id}`),
      h("p", {}, r.headline),
      h(
        "p",
        { class: "note" },
        `${r.timeframe} ${r.symbols.join(", ")}${r.preset === null ? "" : `, preset ${r.preset}`}; ${r.trials} trials, ${r.passed} passed; out of sample from ${utc(r.clock.oosStartTs)}${r.runPbo === null ? "" : `; PBO ${pct(r.runPbo)}`}`,
      ),
      table(
        "Variants, best first",
        ["#", "Family", "Symbol", "Parameters", "OOS Sharpe", "Buy and hold", "DSR", "Verdict", "Reasons"],
        r.variants.slice(0, 50).map((v) => [
          String(v.rank),
          v.family,
          v.symbol,
          Object.entries(v.params)
            .map(([k, x]) => `${k} ${x}`)
            .join(", "),
          num(v.oos.sharpeAnnual),
          num(v.buyAndHold.sharpeAnnual),
          pct(v.dsr.probability),
          h("span", { class: v.passed ? "tag good" : "tag bad" }, v.passed ? "PASS" : "FAIL"),
          v.reasons.join("; "),
        ]),
      ),
    ),
    screenHeatmaps(r),
    equityCurves(
      ctx,
      "screen-curves",
      "Equity curves of the five best variants",
      `Each variant backtested again by the API on its symbol over the run's bars (${utc(r.clock.from)} to ${utc(r.clock.to)}) with the run's fee; realised equity after each closed trade (in and out of sample).`,
      () =>
        r.variants.slice(0, 5).map((v) => ({
          label: `#${v.rank} ${v.family} ${v.symbol} ${Object.entries(v.params)
            .map(([k, x]) => `${k} ${x}`)
            .join(", ")}`,
          body: {
            strategy: v.family,
            params: v.params,
            exchange: r.exchange ?? undefined,
            symbols: [v.symbol],
            timeframe: r.timeframe,
            from: new Date(r.clock.from).toISOString(),
            to: new Date(r.clock.to + timeframeMs(r.timeframe)).toISOString(),
            fee: r.config?.fee ?? 0.001,
          },
        })),
    ),
  );
}

/**
 * OOS Sharpe by two parameters for each family and symbol whose variants vary in two numeric
 * parameters (the first two by name when more vary), the mean where several variants share a cell
 */
export function screenHeatmaps(r: ScreenRunJson): HTMLElement {
  const groups = new Map<string, Variant[]>();
  for (const v of r.variants)
    groups.set(`${v.family} ${v.symbol}`, [...(groups.get(`${v.family} ${v.symbol}`) ?? []), v]);
  const maps: HTMLElement[] = [];
  for (const [key, vs] of groups) {
    const names = [
      ...new Set(vs.flatMap((v) => Object.keys(v.params).filter((k) => typeof v.params[k] === "number"))),
    ].sort();
    const varying = names.filter((k) => new Set(vs.map((v) => v.params[k])).size > 1);
    if (varying.length < 2 || vs.length < 4) continue;
    const [xName, yName] = varying as [string, string];
    maps.push(
      heatmapTable({
        id: `screen-heatmap-${maps.length}`,
        caption: `OOS Sharpe of ${key} ${r.timeframe} by ${xName} and ${yName} (${vs.length} variants)`,
        xName,
        yName,
        points: vs.map((v) => ({
          x: v.params[xName] as number,
          y: v.params[yName] as number,
          value: v.oos.sharpeAnnual,
        })),
        format: num,
      }),
    );
  }
  return h(
    "section",
    { class: "card", "aria-label": "Heatmaps", id: "screen-heatmaps" },
    h("h2", {}, "Heatmaps"),
    maps.length === 0
      ? h(
          "p",
          { class: "note" },
          "No family here has at least four variants that differ in two numeric parameters; run more variants, or sweep two parameters below.",
        )
      : h("div", {}, ...maps),
  );
}

export async function screenSection(
  ctx: ViewContext,
  strategies: StrategyInfo[],
  series: SeriesSummary[],
): Promise<HTMLElement> {
  const { api } = ctx;
  const runs = await api.op<RunSummary[]>("screen_list");
  const presets = [
    ...new Set(strategies.flatMap((s) => (s as StrategyInfo & { presets?: string[] }).presets ?? [])),
  ].sort();
  const tfs = [...new Set(series.map((s) => s.timeframe))].sort();
  const tf = h("select", { id: "sc-tf" }, ...tfs.map((t) => h("option", { value: t }, t)));
  const symbolsBox = h("fieldset", { class: "symbols" }, h("legend", {}, "Symbols"));
  const showSymbols = (): void => {
    const syms = [...new Set(series.filter((s) => s.timeframe === tf.value).map((s) => s.symbol))].sort();
    const all = (on: boolean) => (): void => {
      for (const box of symbolsBox.querySelectorAll<HTMLInputElement>("input[name=sc-symbol]"))
        box.checked = on;
      count();
    };
    const count = (): void => {
      const n = symbolsBox.querySelectorAll("input[name=sc-symbol]:checked").length;
      counter.textContent = `${n} of ${syms.length} symbols in the universe`;
    };
    const counter = h("span", { class: "note", id: "sc-universe", "aria-live": "polite" });
    replace(
      symbolsBox,
      h("legend", {}, `Universe (symbols stored at ${tf.value})`),
      h(
        "div",
        { class: "row start" },
        h(
          "button",
          { type: "button", class: "small", id: "sc-all", "aria-label": "Every symbol", onclick: all(true) },
          "All",
        ),
        h(
          "button",
          { type: "button", class: "small", id: "sc-none", "aria-label": "No symbol", onclick: all(false) },
          "None",
        ),
        counter,
      ),
      ...syms.map((s, i) =>
        h(
          "label",
          { class: "check" },
          h("input", {
            type: "checkbox",
            name: "sc-symbol",
            value: s,
            checked: i === 0,
            onchange: () => count(),
          }),
          ` ${s}`,
        ),
      ),
    );
    count();
  };
  tf.addEventListener("change", showSymbols);
  showSymbols();
  const preset = h(
    "select",
    { id: "sc-preset" },
    ...presets.map((p) => h("option", { value: p, selected: p === "trend-follower" }, p)),
  );
  const variants = h("input", {
    id: "sc-variants",
    type: "number",
    min: 2,
    max: 100000,
    step: 1,
    value: "20",
  });
  const seed = h("input", { id: "sc-seed", type: "number", min: 0, step: 1, value: "1" });
  const bar = h("progress", { id: "sc-progress", max: 1, value: 0, "aria-label": "Screen progress" });
  const status = h("p", { class: "status", role: "status", id: "sc-status" });
  const out = h("div", { id: "sc-out" });
  const go = h("button", { type: "submit", class: "primary", id: "sc-start" }, "Start screen");
  const onJob = (j: Job): void => {
    status.textContent = progressText(j);
    if (j.progress !== null && j.progress.total > 0) {
      bar.max = j.progress.total;
      bar.value = j.progress.done;
    }
  };
  const open = (id: string): void => {
    replace(out, "Loading the run…");
    api.op<ScreenRunJson>("screen_show", { id }).then(
      (r) => replace(out, leaderboard(r, ctx)),
      (e: unknown) => replace(out, messageOf(e)),
    );
  };
  const form = h(
    "form",
    {
      class: "card",
      "aria-label": "Start a screen",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const symbols = [...symbolsBox.querySelectorAll<HTMLInputElement>("input:checked")].map(
          (i) => i.value,
        );
        go.disabled = true;
        bar.value = 0;
        const ac = new AbortController();
        ctx.onLeave(() => ac.abort());
        runJob<ScreenRunJson>(
          api,
          "screen_start",
          {
            symbols,
            timeframe: tf.value,
            preset: preset.value,
            variants: Number(variants.value),
            seed: Number(seed.value),
          },
          onJob,
          ac.signal,
        )
          .then((r) => {
            status.textContent = `Done: run ${r.id}, ${r.passed} of ${r.variants.length} passed.`;
            replace(out, leaderboard(r, ctx));
          })
          .catch((err: unknown) => (status.textContent = `Screen failed: ${messageOf(err)}`))
          .finally(() => {
            go.disabled = false;
          });
      },
    },
    h("h2", {}, "Screen"),
    h(
      "p",
      { class: "note" },
      "Generates variants of the preset's families, backtests them, validates out of sample (walk-forward, CPCV, deflated Sharpe, PBO, random entry) and judges each.",
    ),
    h(
      "div",
      { class: "fields" },
      field("sc-tf", "Timeframe", tf),
      field("sc-preset", "Preset", preset),
      field("sc-variants", "Variants", variants),
      field("sc-seed", "Seed", seed),
    ),
    symbolsBox,
    go,
    bar,
    status,
  );
  const past =
    runs.length === 0
      ? h("p", {}, "No stored screen runs yet.")
      : table(
          "Stored screen runs, newest first",
          ["Run", "Timeframe", "Symbols", "Preset", "Best", ""],
          runs
            .slice(0, 20)
            .map((r) => [
              r.id,
              r.timeframe,
              r.symbols.join(", "),
              r.preset ?? "–",
              r.best === null
                ? "–"
                : `${r.best.family}, OOS Sharpe ${num(r.best.oosSharpe)}, ${r.best.passed ? "PASS" : "FAIL"}`,
              h(
                "button",
                { type: "button", class: "small", "aria-label": `Open ${r.id}`, onclick: () => open(r.id) },
                "Open",
              ),
            ]),
        );
  return h(
    "div",
    {},
    form,
    h("section", { class: "card", "aria-label": "Stored runs" }, h("h2", {}, "Stored runs"), past),
    out,
  );
}
