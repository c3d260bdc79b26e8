import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openDatabase } from "../../src/adapters/sqlite/database.ts";
import { SqliteCandleStore } from "../../src/adapters/sqlite/sqlite-candle-store.ts";
import { SqliteScreenRunStore } from "../../src/adapters/sqlite/sqlite-screen-run-store.ts";
import { buildEnsembleFromRun } from "../../src/app/build-ensemble.ts";
import { loadScreenSeries } from "../../src/app/run-screen.ts";
import { signalHitRates } from "../../src/explain/brief/hit-rates.ts";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";

describe("out-of-sample hit rates of each kind of signal", () => {
  it("counts entries only, from the first out-of-sample bar, against hand-counted moves and drift", () => {
    //               t:  0    1    2    3    4    5    6    7
    const c = Float64Array.from([100, 101, 103, 102, 104, 103, 101, 102]);
    const a = Float64Array.from([1, 1, 0, 1, 1, -1, -1, 0]); // entries: t=3 long, t=5 short (t=0,1 before `from`)
    const b = Float64Array.from([0, 0, 1, 0, 0, 0, -1, 0]); // entries: t=2 long, t=6 short
    const rates = signalHitRates(
      [
        { family: "x", symbol: "S", exposure: a },
        { family: "x", symbol: "S", exposure: b },
      ],
      new Map([["S", c]]),
      2,
      1,
    );
    // moves from t=2..6 one bar ahead: 103->102 down, 102->104 up, 104->103 down, 103->101 down, 101->102 up
    // long entries: t=3 (102->104 right), t=2 (103->102 wrong): 1 of 2; baseline up share 2/5
    // short entries: t=5 (103->101 right), t=6 (101->102 wrong): 1 of 2; baseline down share 3/5
    const long = rates.find((r) => r.direction === "long")!;
    const short = rates.find((r) => r.direction === "short")!;
    expect([long.signals, long.right, long.baseline]).toEqual([2, 1, 0.4]);
    expect([short.signals, short.right]).toEqual([2, 1]);
    expect(short.baseline).toBeCloseTo(0.6, 12);
  });

  it("the 95% interval is Wilson's: 0 of 10 gives [0, 0.2775]", () => {
    const c = Float64Array.from({ length: 40 }, (_, i) => 100 - i); // falls every bar
    const e = Float64Array.from({ length: 40 }, (_, i) => (i % 4 === 1 ? 1 : 0)); // 10 long entries
    const [r] = signalHitRates([{ family: "f", symbol: "S", exposure: e }], new Map([["S", c]]), 0, 1);
    expect(r!.signals).toBe(10);
    expect(r!.rate).toBe(0);
    expect(r!.low).toBe(0);
    expect(r!.high).toBeCloseTo(0.2775, 4);
    expect(r!.baseline).toBe(0);
  });
});

describe("kairos brief with a stored screen run and a trading session", () => {
  const home = bundledHome("kairos-brief-signals-", ["binance_BTC-USDT_1d.csv", "binance_ETH-USDT_1d.csv"]);

  it("names the ensemble's signals, each kind's out-of-sample hit rate beside its baseline, positions, and what changed", async () => {
    const sc = await runKairosInProcess(
      ["screen", "--universe", "majors", "--timeframe", "1d", "--variants", "60", "--no-report"],
      { home },
    );
    expect(sc.code, sc.stderr).toBe(0);
    const first = await runKairosInProcess(["--json", "brief", "--timeframe", "1d"], { home });
    expect(first.code, first.stderr).toBe(0);
    type Line = { kind: string; params: Record<string, string | number> };
    const b = JSON.parse(first.stdout) as {
      lines: Line[];
      text: string[];
      signals: { symbol: string; exposurePct: number; action: string }[];
    };
    const signals = b.lines.filter((l) => l.kind === "signal");
    expect(signals.map((l) => l.params.symbol).sort()).toEqual(["BTC/USDT", "ETH/USDT"]);
    const run = String(signals[0]!.params.run);
    // the same data again: nothing changed, and the line says what it compared (regimes and signals)
    const same = await runKairosInProcess(["brief", "--timeframe", "1d", "--no-save"], { home });
    expect(same.stdout).toMatch(
      /^No regime and no ensemble signal changed since the brief of 2025-09-18 00:00 UTC \(2 symbols, 2 signals compared\)$/m,
    );

    // independent recount: the run's pool replayed, entries counted here on each series' own bars
    const db = openDatabase(home);
    const store = new SqliteCandleStore(db);
    const { run: stored } = new SqliteScreenRunStore(db).load(run);
    const loaded = loadScreenSeries(store, { symbols: stored.symbols, timeframe: "1d" });
    const built = buildEnsembleFromRun({
      run: stored,
      series: loaded.series,
      ...(loaded.reference === undefined ? {} : { reference: loaded.reference }),
    });
    db.close();
    const closeAt = new Map(
      loaded.series.map((s) => [s.symbol, new Map(Array.from(s.ts, (t, j) => [t, s.close[j]!]))]),
    );
    const tally = new Map<string, [number, number]>();
    for (const m of built.input.members) {
      const e = m.exposure!;
      for (let t = stored.clock.oosStart; t + 1 < e.length; t++) {
        const prev = Number.isNaN(e[t - 1]!) ? 0 : Math.sign(e[t - 1]!);
        const now = Math.sign(e[t]!);
        if (now === 0 || Number.isNaN(now) || now === prev) continue;
        const c0 = closeAt.get(m.symbol)!.get(built.input.ts[t]!);
        const c1 = closeAt.get(m.symbol)!.get(built.input.ts[t + 1]!);
        if (c0 === undefined || c1 === undefined) continue;
        const k = `${m.family} ${now > 0 ? "long" : "short"}`;
        const v = tally.get(k) ?? [0, 0];
        v[0]++;
        if (Math.sign(c1 - c0) === now) v[1]++;
        tally.set(k, v);
      }
    }
    const hits = b.lines.filter((l) => l.kind === "hit-rate");
    expect(hits.length).toBe(tally.size);
    for (const h of hits) {
      const [n, k] = tally.get(`${h.params.family} ${h.params.direction}`)!;
      expect([h.params.signals, h.params.right]).toEqual([n, k]);
      expect(h.params.ratePct).toBe(Math.round((1000 * k) / n) / 10);
    }
    const k0 = b.lines.indexOf(hits[0]!);
    expect(b.text[k0]).toMatch(
      /^Out of sample, \S+ (long|short) entries were right [\d.]+% of \d+ times \(95%: [\d.]+-[\d.]+%; price (higher|lower) one day later\), baseline [\d.]+%$/,
    );

    // a paper session: its position and the trading state appear, marked like `trade status`
    const ts = await runKairosInProcess(
      [
        "trade",
        "start",
        "--strategy",
        "sma-cross",
        "--fast",
        "5",
        "--slow",
        "20",
        "--symbols",
        "BTC/USDT",
        "--timeframe",
        "1d",
        "--from",
        "2025-06-01",
        "--capital",
        "900",
        "--id",
        "bs1",
      ],
      { home },
    );
    expect(ts.code, ts.stderr).toBe(0);
    const st = JSON.parse(
      (await runKairosInProcess(["--json", "trade", "status", "bs1"], { home })).stdout,
    ) as {
      positions: Record<string, { qty: string; unrealisedPnl: string }>;
      equity: string;
    };

    // the stored brief said ETH was long 50%: the next brief names the change
    const dir = join(home, "briefs");
    const file = join(dir, readdirSync(dir).sort().at(-1)!);
    const stored1 = JSON.parse(readFileSync(file, "utf8")) as typeof b;
    const eth = stored1.signals.find((g) => g.symbol === "ETH/USDT")!;
    const was =
      eth.action === "long" ? { action: "short", exposurePct: -50 } : { action: "long", exposurePct: 50 };
    Object.assign(eth, was);
    writeFileSync(file, JSON.stringify(stored1));
    const second = await runKairosInProcess(["brief", "--timeframe", "1d", "--no-save"], { home });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      new RegExp(
        `^Signal changed since the brief of 2025-09-18 00:00 UTC: ETH/USDT ${was.action} ${was.exposurePct}% -> `,
        "m",
      ),
    );
    expect(second.stdout).toMatch(/^Trading state ACTIVE: 1 session\(s\), 1 open position\(s\)$/m);
    const pos = st.positions["BTC/USDT"]!;
    expect(second.stdout).toContain(`Position BTC/USDT in session bs1 (paper): ${Number(pos.qty)} at `);
    expect(second.stdout).toContain(`session equity ${Math.round(Number(st.equity) * 100) / 100}`);
    const de = await runKairosInProcess(["brief", "--timeframe", "1d", "--no-save", "--lang", "de"], {
      home,
    });
    expect(de.stdout).toMatch(
      /^Außerhalb der Stichprobe lagen \S+-Einstiege (long|short) in [\d,]+ % von \d+ Fällen richtig/m,
    );
    expect(de.stdout).toMatch(/^Handelszustand AKTIV: 1 Sitzung\(en\)/m);
    // --no-signals skips the rebuild
    const quick = await runKairosInProcess(["brief", "--timeframe", "1d", "--no-save", "--no-signals"], {
      home,
    });
    expect(quick.stdout).not.toMatch(/^Ensemble /m);
  }, 180_000);
});

describe("funding and trading lines", () => {
  it("a stored funding rate becomes a cited line in percent; a trading state with its positions", async () => {
    const { buildBrief } = await import("../../src/explain/brief/brief.ts");
    const { renderBrief } = await import("../../src/explain/brief/templates.ts");
    const { loadBundledSeries } = await import("../support/bundled-data.ts");
    const btc = loadBundledSeries("binance", "BTC/USDT", "1d");
    const t = Date.UTC(2025, 8, 18, 8);
    const b = buildBrief({
      series: [btc],
      sector: [],
      funding: [{ symbol: "BTC/USDT:USDT", ts: t, rate: 0.000125 }],
      trading: {
        state: "halted",
        sessions: 2,
        positions: [
          {
            session: "s1",
            mode: "paper",
            symbol: "BTC/USDT",
            qty: 0.01,
            averagePrice: 100000,
            unrealisedPnl: 170.74,
            equity: 1170.74,
            pnl: 170.74,
          },
        ],
      },
    });
    const en = renderBrief(b, "en");
    const k = b.lines.findIndex((l) => l.kind === "funding");
    // 0.000125 of notional per funding = 0.0125%
    expect(en[k]).toBe("Funding BTC/USDT:USDT: +0.0125% at 2025-09-18 08:00 UTC");
    expect(b.lines[k]!.cites[0]).toEqual({
      series: "funding:BTC/USDT:USDT",
      barTime: t,
      value: 0.000125,
      what: "funding-rate",
    });
    expect(en).toContain("Trading state HALTED: 2 session(s), 1 open position(s)");
    expect(en).toContain(
      "Position BTC/USDT in session s1 (paper): 0.01 at 100000, unrealised P&L 170.74; session equity 1170.74, P&L 170.74",
    );
    expect(renderBrief(b, "de")).toContain(
      "Position BTC/USDT in Sitzung s1 (paper): 0,01 zu 100000, unrealisierter G/V 170,74; Kapital der Sitzung 1170,74, G/V 170,74",
    );
  });
});
