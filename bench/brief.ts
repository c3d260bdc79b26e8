// The brief benchmark of issue 20: `kairos brief` over 100 symbols × 1h × 1 year (8,760 bars each;
// the nine AI tokens and BTC/USDT among them), (a) the pure brief (buildBrief + both templates) and
// (b) the whole use case reading the series and 20 stored headlines per symbol from a real SQLite
// home; target <= 2 s each; and the sentiment scorer's throughput over the labelled headline sets
// (target >= 20,000 headlines/s) beside plain AFINN-165 (the peer, same texts, same run). Wall and
// CPU milliseconds are both given: on a shared, loaded machine the CPU time is the comparable one.
// Usage: npm run bench -- brief [--symbols 100] [--bars 8760]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { marketBrief, SECTOR } from "../src/app/brief.ts";
import { createContainer } from "../src/composition-root.ts";
import type { CandleSeries } from "../src/domain/candle-series.ts";
import { buildBrief } from "../src/explain/brief/brief.ts";
import { renderBrief } from "../src/explain/brief/templates.ts";

const args = process.argv.slice(2);
const arg = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? dflt) : dflt;
};
const nSymbols = Number(arg("symbols", "100"));
const bars = Number(arg("bars", "8760"));
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 1);

// seeded geometric random walk (mulberry32), so every run reads the same candles
function walk(symbol: string, seed: number): CandleSeries {
  let a = seed >>> 0;
  const rnd = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const ts = new Float64Array(bars);
  const open = new Float64Array(bars);
  const high = new Float64Array(bars);
  const low = new Float64Array(bars);
  const close = new Float64Array(bars);
  const volume = new Float64Array(bars);
  let p = 100;
  for (let i = 0; i < bars; i++) {
    ts[i] = T0 + i * HOUR;
    open[i] = p;
    p *= Math.exp((rnd() - 0.5) * 0.02);
    close[i] = p;
    high[i] = Math.max(open[i]!, p) * (1 + rnd() * 0.003);
    low[i] = Math.min(open[i]!, p) * (1 - rnd() * 0.003);
    volume[i] = 1 + rnd();
  }
  return { exchange: "bench", symbol, timeframe: "1h", ts, open, high, low, close, volume };
}

const names = ["BTC/USDT", ...SECTOR];
for (let k = names.length; k < nSymbols; k++) names.push(`S${k}/USDT`);
const series = names.slice(0, nSymbols).map((s, k) => walk(s, k + 1));

const line = (o: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(o)}\n`);
};

/** CPU milliseconds of this process since `c0` */
const cpuMs = (c0: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(c0);
  return Math.round((c.user + c.system) / 1000);
};

{
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const b = buildBrief({ series, sector: SECTOR });
  const en = renderBrief(b, "en");
  const de = renderBrief(b, "de");
  const ms = performance.now() - t0;
  line({
    bench: "brief",
    case: "pure",
    symbols: nSymbols,
    bars,
    lines: en.length + de.length,
    ms: Math.round(ms),
    cpu_ms: cpuMs(c0),
    target_ms: 2000,
    ok: ms <= 2000,
  });
}

const home = mkdtempSync(join(tmpdir(), "kairos-bench-brief-"));
try {
  const c = createContainer({ home });
  try {
    c.store.batch(() => {
      for (const s of series) c.store.upsert(s);
    });
    // 20 headlines per symbol over the last week, scored as `news import` scores them
    const end = T0 + bars * HOUR;
    c.news.addItems(
      series.flatMap((s, k) =>
        Array.from({ length: 20 }, (_, j) => ({
          key: `id:bench-${k}-${j}`,
          title: `${s.symbol} headline ${j}`,
          publishedAt: end - (j + 1) * 8 * HOUR,
          source: "bench",
          lang: "en",
          symbols: [s.symbol],
          score: (j % 5) - 2,
          label:
            (j % 5) - 2 > 0
              ? ("positive" as const)
              : (j % 5) - 2 < 0
                ? ("negative" as const)
                : ("neutral" as const),
        })),
      ),
    );
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const out = marketBrief(
      { store: c.store, funding: c.funding, news: c.news, briefs: c.briefs },
      { timeframe: "1h", save: false },
    );
    const ms = performance.now() - t0;
    const cpu = cpuMs(c0);
    line({
      bench: "brief",
      case: "use-case-sqlite",
      symbols: nSymbols,
      bars,
      lines: out.text.length,
      headline_lines: out.brief.lines.filter((l) => l.kind === "headlines").length,
      ms: Math.round(ms),
      cpu_ms: cpu,
      target_ms: 2000,
      ok: ms <= 2000,
    });
  } finally {
    c.close();
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}

// sentiment throughput: kairos's scorer over every labelled headline (English and German sets)
{
  const { readFileSync } = await import("node:fs");
  const { csvColumn, scoreHeadline, scorePlainAfinn } = await import("../src/app/sentiment-score.ts");
  const en = csvColumn(readFileSync("data/sentiment/twitter_financial_news_en.csv", "utf8"), "text").texts;
  const de = csvColumn(readFileSync("data/sentiment/gerntsa_de.csv", "utf8"), "text").texts;
  for (const [lang, texts] of [
    ["en", en],
    ["de", de],
  ] as const) {
    const rate = (score: (t: string) => unknown) => {
      for (const t of texts.slice(0, 500)) score(t); // warm-up
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      let reps = 0;
      while (performance.now() - t0 < 1000) {
        for (const t of texts) score(t);
        reps++;
      }
      const ms = performance.now() - t0;
      return {
        n: reps * texts.length,
        wall: Math.round((reps * texts.length * 1000) / ms),
        cpu: Math.round((reps * texts.length * 1000) / Math.max(1, cpuMs(c0))),
      };
    };
    const ours = rate((t) => scoreHeadline(t, lang));
    const peer = rate((t) => scorePlainAfinn(t));
    line({
      bench: "sentiment",
      case: `score-${lang}`,
      headlines: ours.n,
      headlines_per_s: ours.wall,
      headlines_per_cpu_s: ours.cpu,
      target_per_s: 20_000,
      ok: ours.wall >= 20_000,
      peers: { "plain-afinn-165": ours.wall === 0 ? 0 : peer.wall },
      peers_per_cpu_s: { "plain-afinn-165": peer.cpu },
    });
  }
}
