// The dashboard end to end: Debian's chromium (playwright-core) against a real `kairos serve` on
// 127.0.0.1 over a real home holding bundled data. Log in; the health page; the chart shows the stored
// candles (checked against the bundled CSV, parsed independently); a backtest report; the kill switch's
// confirmation; keyboard reach; every page at desktop and phone width in dark and light with
// accessibility checks and screenshots; no console errors; no request to anything but 127.0.0.1.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { runKairos, tempHome } from "../support/cli.ts";
import { A11Y_AUDIT, type A11yReport } from "./a11y.ts";
import {
  ensureWebBuilt,
  launch,
  openPage,
  PASSWORD,
  prepareHome,
  removeHome,
  type Server,
  SHOTS,
  shotPath,
  signIn,
  startServe,
  stopServe,
  submitLogin,
  type Watched,
  waitForHealth,
} from "./support.ts";

const PAGES = ["health", "market", "strategist", "research", "trading", "audit", "brief"] as const;
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const home = tempHome("kairos-web-");
let server: Server;
let w: Watched;
let page: Page;
/** the paper session the trading test starts (the kill and audit tests use it) */
let sessionId = "";

beforeAll(async () => {
  ensureWebBuilt();
  prepareHome(home, ["binance_BTC-USDT_1h.csv", "binance_BTC-USDT_1d.csv", "binance_ETH-USDT_1d.csv"]);
  server = await startServe(home);
  w = await launch();
  page = await (await w.context(DESKTOP)).newPage();
}, 180_000);

afterAll(async () => {
  await w?.browser.close();
  await stopServe(server);
  removeHome(home);
});

interface ChartHandle {
  candles(): { time: number; open: number; high: number; low: number; close: number }[];
  visible(): { from: number; to: number } | null;
  lines(): { title: string; pane: number; data: { time: number; value: number }[] }[];
  markers(): number;
}

/** Each line series without its data points: title, pane, how many points, the last one */
interface LineSummary {
  title: string;
  pane: number;
  count: number;
  last: { time: number; value: number };
}
const LINES =
  "c.lines().map((l) => ({ title: l.title, pane: l.pane, count: l.data.length, last: l.data.at(-1) }))";

const chartCall = <T>(p: Page, expr: string): Promise<T> =>
  p.evaluate(`(() => { const c = window.kairosChart; return ${expr}; })()`) as Promise<T>;

// page code goes in as strings: the test project is typed for Node, not the DOM
const inPage = <T>(p: Page, expr: string): Promise<T> => p.evaluate(expr) as Promise<T>;

/** The API called from the page with the page's own token (as the dashboard calls it) */
const api = (
  p: Page,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> =>
  inPage(
    p,
    `(async () => {
      const token = sessionStorage.getItem("kairos.token");
      const r = await fetch(${JSON.stringify(path)}, {
        method: ${JSON.stringify(method)},
        headers: { "content-type": "application/json", ...(token === null ? {} : { authorization: "Bearer " + token }) },
        ${body === undefined ? "" : `body: ${JSON.stringify(JSON.stringify(body))},`}
      });
      return { status: r.status, json: await r.json() };
    })()`,
  );

/** How many pixels of a chart's canvases differ from its background: it drew something */
const chartCanvasDrawn = (p: Page, sel: string): Promise<number> =>
  inPage<number>(
    p,
    `(() => {
      let coloured = 0;
      for (const c of document.querySelectorAll(${JSON.stringify(`${sel} canvas`)})) {
        const g = c.getContext("2d");
        if (g === null || c.width === 0) continue;
        const px = g.getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && px[i] !== px[0]) coloured++;
      }
      return coloured;
    })()`,
  );

/** What is drawn now, at 1280×800 and at 390 px wide (no sideways scroll there), saved as screenshots */
async function shootBoth(p: Page, name: string): Promise<void> {
  await p.screenshot({ path: shotPath(`${name}-desktop-dark`), fullPage: true });
  await p.setViewportSize(PHONE);
  await expect
    .poll(() => inPage<number>(p, "document.documentElement.scrollWidth - window.innerWidth"))
    .toBeLessThanOrEqual(0);
  await p.screenshot({ path: shotPath(`${name}-phone-dark`), fullPage: true });
  await p.setViewportSize(DESKTOP);
}

describe("dashboard", () => {
  it("serves the built page under a strict CSP, and any other path still meets the API's door", async () => {
    const r = await fetch(`${server.url}/`);
    expect(r.status).toBe(200);
    const csp = r.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain("unsafe");
    const html = await r.text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.filter((a) => a.startsWith("/assets/")).length).toBeGreaterThanOrEqual(2);
    // everything the page names is on this server (or an inline data: icon)
    expect(assets.filter((a) => !a.startsWith("/") && !a.startsWith("data:"))).toEqual([]);
    expect((await fetch(`${server.url}/v1/data/series`)).status).toBe(401);
    expect((await fetch(`${server.url}/assets/nope.js`)).status).toBe(401);
  });

  it("log in: no data before the password, a wrong one is refused, the right one opens the health page", async () => {
    const errorsBefore = w.errors.length;
    await page.goto(`${server.url}/`);
    await page.waitForSelector("#password");
    expect(await page.locator("main table").count()).toBe(0);
    expect((await api(page, "GET", "/v1/data/series")).status).toBe(401);
    await submitLogin(page, "not-the-password");
    // the refusal comes after the server's scrypt check: seconds on a loaded machine, past poll's default 1 s
    await expect.poll(() => page.textContent("#login-status"), { timeout: 30_000 }).toMatch(/Wrong password/);
    expect(await inPage(page, `sessionStorage.getItem("kairos.token")`)).toBeNull();
    await submitLogin(page, PASSWORD);
    await waitForHealth(page);
    // the password never stays in the page
    expect(await page.content()).not.toContain(PASSWORD);
    // the browser logs each refused request (the tokenless fetch, the wrong password): those two, no other
    const logged = w.errors.splice(errorsBefore);
    expect(logged).toHaveLength(2);
    for (const e of logged) expect(e).toMatch(/status of 401 \(Unauthorized\)/);
  });

  it("health at a glance: every stored series with its last candle and freshness; what the API lacks is named", async () => {
    // the page names the UTC day it was drawn on: the day before it opened or, across a midnight, after
    const dayBefore = new Date().toISOString().slice(0, 10);
    await openPage(page, server.url, "health");
    const rows = await page.$$eval("main table tbody tr", (trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent ?? "")),
    );
    const btc1h = loadBundledSeries("binance", "BTC/USDT", "1h");
    const last = new Date(btc1h.ts[btc1h.ts.length - 1]!).toISOString().slice(0, 16).replace("T", " ");
    const row = rows.find((r) => r[0] === "binance BTC/USDT" && r[1] === "1h");
    expect(row).toBeDefined();
    expect(row![2]).toBe(btc1h.ts.length.toLocaleString("en-US"));
    expect(row![3]).toBe(`${last} UTC`);
    // the bundled data ends in 2025: stale by now, and said so
    expect(row![4]).toMatch(/^stale, \d[\d,]* d old$/);
    expect(rows).toHaveLength(3);
    expect(await page.textContent("#stat-sessions")).toContain("none");
    expect(await page.textContent("#stat-orders")).toContain("0");
    const stateText = (await page.textContent("#stat-state")) ?? "";
    expect(stateText).toContain("ACTIVE");
    expect(await page.textContent("#stat-approvals")).toContain("0");
    // P&L today: no session, no figure; what "today" means is said on the page
    const shownPnl = await page.textContent("#stat-pnl-today");
    const dayAfter = new Date().toISOString().slice(0, 10);
    expect([...new Set([dayBefore, dayAfter])].map((d) => `P&L today (${d} UTC)–`)).toContain(shownPnl);
    expect(await page.textContent("#pnl-note")).toContain("00:00 UTC");
  });

  it("chart shows the stored candles: every candle of the series, fit to the whole range, timeframe switch, an indicator", async () => {
    await openPage(page, server.url, "market", `?s=${encodeURIComponent("binance BTC/USDT")}&tf=1h`);
    const csv = loadBundledSeries("binance", "BTC/USDT", "1h");
    // as one JSON string: 43,802 objects through the debugging protocol one by one take seconds
    const candles = JSON.parse(await chartCall<string>(page, "JSON.stringify(c.candles())")) as ReturnType<
      ChartHandle["candles"]
    >;
    expect(candles).toHaveLength(csv.ts.length);
    let mismatches = 0;
    for (let i = 0; i < csv.ts.length; i++) {
      const c = candles[i]!;
      if (
        c.time * 1000 !== csv.ts[i] ||
        c.open !== csv.open[i] ||
        c.high !== csv.high[i] ||
        c.low !== csv.low[i] ||
        c.close !== csv.close[i]
      )
        mismatches++;
    }
    expect(mismatches).toBe(0);
    // away from the chart, the legend names the last candle's close as the CSV has it
    await page.mouse.move(1, 1);
    const n = csv.ts.length - 1;
    const legend = (await page.textContent("#legend")) ?? "";
    expect(legend).toContain(`C ${csv.close[n]!.toLocaleString("en-US", { maximumSignificantDigits: 8 })}`);
    // fit: the whole range is visible
    await page.click("#fit");
    await expect
      .poll(() => chartCall<{ from: number; to: number } | null>(page, "c.visible()"))
      .toMatchObject({ from: expect.any(Number) });
    const range = (await chartCall<{ from: number; to: number }>(page, "c.visible()"))!;
    expect(range.from).toBeLessThanOrEqual(0.5);
    expect(range.to).toBeGreaterThanOrEqual(n - 0.5);
    // the canvas is drawn: pixels that differ from the chart's background
    const drawn = await inPage<number>(
      page,
      `(() => {
        let coloured = 0;
        for (const c of document.querySelectorAll("#market-chart canvas")) {
          const g = c.getContext("2d");
          if (g === null || c.width === 0) continue;
          const px = g.getImageData(0, 0, c.width, c.height).data;
          for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && px[i] !== px[0]) coloured++;
        }
        return coloured;
      })()`,
    );
    expect(drawn).toBeGreaterThan(1000);
    // an SMA from the registry: its last value is the mean of the last 20 closes of the CSV
    await page.selectOption("#indicator", "sma");
    await page.fill("#ind-param-period", "20");
    await page.click("#add-indicator");
    // each indicator is computed by the API over every candle: not within poll's default 1 s on a loaded machine
    await expect.poll(() => chartCall<number>(page, "c.lines().length"), { timeout: 30_000 }).toBe(1);
    const [sma] = await chartCall<LineSummary[]>(page, LINES);
    let sum = 0;
    for (let i = n - 19; i <= n; i++) sum += csv.close[i]!;
    expect(sma!.pane).toBe(0);
    expect(sma!.last.time * 1000).toBe(csv.ts[n]);
    expect(sma!.last.value).toBeCloseTo(sum / 20, 6);
    // defined from the 20th bar on: one value per candle after the warm-up
    expect(sma!.count).toBe(csv.ts.length - 19);
    // RSI goes to its own pane
    await page.selectOption("#indicator", "rsi");
    await page.click("#add-indicator");
    await expect.poll(() => chartCall<number>(page, "c.lines().length"), { timeout: 30_000 }).toBe(2);
    const lines = await chartCall<LineSummary[]>(page, LINES);
    expect(lines.find((l) => l.title.startsWith("rsi"))!.pane).toBe(1);
    // timeframe switch: 1d has the daily file's candles
    await page.click('.segmented button:text-is("1d")');
    const daily = loadBundledSeries("binance", "BTC/USDT", "1d");
    await expect
      .poll(() => chartCall<number>(page, "c.candles().length"), { timeout: 30_000 })
      .toBe(daily.ts.length);
    const lastDaily = await chartCall<ReturnType<ChartHandle["candles"]>[number]>(page, "c.candles().at(-1)");
    expect(lastDaily.close).toBe(daily.close[daily.ts.length - 1]);
    // trade markers from a backtest of the same series, as many as the API's trades
    await page.click("summary:text('Trades from a backtest')");
    await page.selectOption("#bt-strategy", "sma-cross");
    await page.click("#show-trades");
    await expect.poll(() => chartCall<number>(page, "c.markers()"), { timeout: 30_000 }).toBeGreaterThan(0);
    const bt = await api(page, "POST", "/v1/backtest", {
      strategy: "sma-cross",
      exchange: "binance",
      symbols: ["BTC/USDT"],
      timeframe: "1d",
    });
    const trades = (bt.json as { trades: { exitTs: number | null }[] }).trades;
    expect(await chartCall<number>(page, "c.markers()")).toBe(
      trades.length + trades.filter((t) => t.exitTs !== null && Number.isFinite(t.exitTs)).length,
    );
  }, 60_000);

  it("open a backtest report: the form's report shows the API's own figures", async () => {
    await openPage(page, server.url, "research");
    await page.selectOption("#bt-strategy-form", "sma-cross");
    await page.fill("#bt-param-fast", "10");
    await page.fill("#bt-param-slow", "30");
    await page.selectOption("#bt-series", JSON.stringify(["binance", "BTC/USDT", "1d"]));
    await page.click("#bt-run");
    await page.waitForSelector("#backtest-report", { timeout: 30_000 });
    const cells = await page.$$eval("#backtest-report table:first-of-type tbody tr", (trs) =>
      Object.fromEntries(trs.map((tr) => [tr.children[0]!.textContent, tr.children[1]!.textContent])),
    );
    const r = await api(page, "POST", "/v1/backtest", {
      strategy: "sma-cross",
      params: { fast: 10, slow: 30 },
      exchange: "binance",
      symbols: ["BTC/USDT"],
      timeframe: "1d",
      fee: 0.001,
      initialCash: 10000,
    });
    const m = (r.json as { metrics: { totalReturn: number; trades: number; sharpe: number } }).metrics;
    const fmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
    expect(cells.Trades).toBe(fmt.format(m.trades));
    expect(cells["Total return"]).toBe(`${fmt.format(m.totalReturn * 100)}%`);
    expect(cells.Sharpe).toBe(fmt.format(m.sharpe));
    await page.waitForSelector("#equity-chart canvas");
  }, 60_000);

  it("start a small screen and see it finish: progress, then the leaderboard the API stored", async () => {
    await openPage(page, server.url, "research");
    await page.selectOption("#sc-tf", "1d");
    await page.selectOption("#sc-preset", "trend-follower");
    await page.fill("#sc-variants", "8");
    await page.fill("#sc-seed", "7");
    await page.click("#sc-start");
    await page.waitForSelector("#leaderboard", { timeout: 60_000 });
    expect(await page.textContent("#sc-status")).toMatch(/^Done: run s-/);
    expect(await page.getAttribute("#sc-progress", "value")).toBe("8");
    const runId = /run (s-[^,]+),/.exec((await page.textContent("#sc-status")) ?? "")![1]!;
    const stored = (await api(page, "POST", "/v1/screen/show", { id: runId })).json as {
      variants: { family: string; passed: boolean }[];
    };
    const rows = await page.$$eval("#leaderboard tbody tr", (trs) =>
      trs.map((tr) => [tr.children[1]!.textContent, tr.children[7]!.textContent]),
    );
    expect(rows).toEqual(stored.variants.slice(0, 50).map((v) => [v.family, v.passed ? "PASS" : "FAIL"]));
    // the job that ran it is listed, done
    await openPage(page, server.url, "research");
    const job = await page.$$eval("#jobs tbody tr", (trs) =>
      trs.map((tr) => [tr.children[1]!.textContent, tr.children[4]!.textContent]),
    );
    expect(job[0]![0]).toBe("screen_start");
    expect(job[0]![1]).toMatch(/^done: screen 8 \/ 8 variants/);
  }, 90_000);

  it("research: a two-parameter sweep as a heatmap (every cell the job's own figure) and the best combinations' equity curves", async () => {
    await openPage(page, server.url, "research");
    await page.selectOption("#sw-family", "sma-cross");
    await page.selectOption("#sw-series", JSON.stringify(["binance", "BTC/USDT", "1d"]));
    await page.selectOption("#sw-x", "fast");
    await page.fill("#sw-x-from", "5");
    await page.fill("#sw-x-to", "20");
    await page.fill("#sw-x-step", "5");
    await page.selectOption("#sw-y", "slow");
    await page.fill("#sw-y-from", "30");
    await page.fill("#sw-y-to", "90");
    await page.fill("#sw-y-step", "30");
    await page.click("#sw-start");
    await page.waitForSelector("#sweep-heatmap table", { timeout: 60_000 });
    const jobs = (await api(page, "GET", "/v1/jobs")).json as
      | { jobs: { id: string; kind: string }[] }
      | { id: string; kind: string }[];
    const list = Array.isArray(jobs) ? jobs : jobs.jobs;
    const job = list.find((j) => j.kind === "sweep_start")!;
    const result = (
      (await api(page, "POST", "/v1/jobs/get", { id: job.id })).json as {
        result: { rows: { params: { fast: number; slow: number }; sharpe: number; totalReturn: number }[] };
      }
    ).result;
    expect(result.rows).toHaveLength(12);
    const fmt = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
    const cells = await page.$$eval("#sweep-heatmap td", (tds) =>
      tds.map((td) => [td.getAttribute("data-x"), td.getAttribute("data-y"), td.textContent]),
    );
    expect(cells).toHaveLength(12);
    for (const r of result.rows)
      expect(cells).toContainEqual([String(r.params.fast), String(r.params.slow), fmt.format(r.sharpe)]);
    // the best cell is outlined and named
    const best = [...result.rows].sort((a, b) => b.sharpe - a.sharpe)[0]!;
    expect(await page.textContent("#sweep-heatmap td.heat-best")).toBe(fmt.format(best.sharpe));
    // another metric, same cells
    await page.selectOption("#sw-metric", "totalReturn");
    const ret = await page.textContent(
      `#sweep-heatmap td[data-x="${best.params.fast}"][data-y="${best.params.slow}"]`,
    );
    expect(ret).toBe(`${fmt.format(best.totalReturn * 100)}%`);
    // the five best by Sharpe, each backtested again: realised equity ends at the cash plus its trades' P&L
    await page.click("#sweep-curves-draw");
    await expect
      .poll(() => page.textContent("#sweep-curves-status"), { timeout: 60_000 })
      .toBe("5 curves drawn.");
    const lines = await inPage<{ title: string; last: { value: number } }[]>(
      page,
      `window.kairosCurves["sweep-curves"]()`,
    );
    expect(lines).toHaveLength(5);
    const top = [...result.rows].sort((a, b) => b.sharpe - a.sharpe).slice(0, 5);
    for (const [i, r] of top.entries()) {
      expect(lines[i]!.title).toBe(`fast ${r.params.fast}, slow ${r.params.slow}`);
      const b = (
        await api(page, "POST", "/v1/backtest", {
          strategy: "sma-cross",
          params: r.params,
          exchange: "binance",
          symbols: ["BTC/USDT"],
          timeframe: "1d",
        })
      ).json as { metrics: { initialEquity: number }; trades: { pnl: number; exitTs: number | null }[] };
      const closed = b.trades.filter((t) => t.exitTs !== null && Number.isFinite(t.exitTs));
      expect(lines[i]!.last.value).toBeCloseTo(
        b.metrics.initialEquity + closed.reduce((a, t) => a + t.pnl, 0),
        6,
      );
    }
    expect(await chartCanvasDrawn(page, "#sweep-curves-chart")).toBeGreaterThan(500);
    await shootBoth(page, "research-sweep");
  }, 120_000);

  it("research: the screen's universe picker, and a stored run's heatmaps and per-variant equity curves", async () => {
    await openPage(page, server.url, "research");
    await page.selectOption("#sc-tf", "1d");
    await page.click("#sc-all");
    expect(await page.textContent("#sc-universe")).toBe("2 of 2 symbols in the universe");
    await page.click("#sc-none");
    expect(await page.textContent("#sc-universe")).toBe("0 of 2 symbols in the universe");
    await page.check('input[name=sc-symbol][value="BTC/USDT"]');
    expect(await page.textContent("#sc-universe")).toBe("1 of 2 symbols in the universe");
    // the run the screen test stored
    await page.click("button[aria-label^='Open s-']");
    await page.waitForSelector("#screen-heatmaps", { timeout: 30_000 });
    await page.click("#screen-curves-draw");
    await expect
      .poll(() => page.textContent("#screen-curves-status"), { timeout: 60_000 })
      .toMatch(/^\d curves drawn\.$/);
    const n = Number(/^(\d)/.exec((await page.textContent("#screen-curves-status")) ?? "")![1]);
    const shown = await page.$$eval("#leaderboard tbody tr", (trs) => trs.length);
    expect(n).toBe(Math.min(5, shown));
    expect(await page.locator("#screen-curves-legend li").count()).toBe(n);
  }, 90_000);

  it("the strategist's answer: the ensemble's signals, why, what would change them, and OOS hit rates as the API has them", async () => {
    await openPage(page, server.url, "strategist");
    await page.selectOption("#strat-tf", "1d");
    await page.waitForSelector('#strat-out section[aria-label^="Signal"], #strat-out .not-yet', {
      timeout: 30_000,
    });
    const b = (
      await api(page, "POST", "/v1/brief", {
        timeframe: "1d",
        symbols: ["BTC/USDT", "ETH/USDT"],
        save: false,
        signals: true,
      })
    ).json as {
      explanations?: { symbol: string; action: string; exposurePct: number }[];
      lines: { kind: string; params: Record<string, string | number> }[];
    };
    // the screen above stored a 1d run on BTC/USDT: the ensemble has an answer for it
    expect(b.explanations?.length ?? 0).toBeGreaterThan(0);
    const titles = await page.$$eval("#strat-out section.signal h2", (hs) =>
      hs.map((x) => x.textContent ?? ""),
    );
    expect(titles).toHaveLength(b.explanations!.length);
    for (const [i, e] of b.explanations!.entries()) {
      expect(titles[i]).toContain(`${e.symbol} 1d: ${e.action.toUpperCase()}`);
    }
    expect(await page.textContent("#strat-out")).toContain("What would change it");
    const hit = b.lines.filter((l) => l.kind === "hit-rate");
    const rows = await page.$$eval(
      "#strat-out table",
      (ts) => ts.at(-1)?.querySelectorAll("tbody tr").length ?? 0,
    );
    expect(rows).toBe(hit.length);
  }, 60_000);

  it("start a paper session and see its orders, as the API counts them", async () => {
    await openPage(page, server.url, "trading");
    await page.selectOption("#ts-strategy", "sma-cross");
    await page.selectOption("#ts-series", JSON.stringify(["binance", "BTC/USDT", "1d"]));
    await page.fill("#ts-capital", "900");
    await page.fill("#ts-from", "2025-01-01");
    await page.click("#ts-start");
    await expect
      .poll(() => page.textContent("#ts-status"), { timeout: 60_000 })
      .toMatch(/^Session [a-z0-9]+:/);
    sessionId = /^Session ([a-z0-9]+):/.exec((await page.textContent("#ts-status")) ?? "")![1]!;
    await page.waitForSelector(`[data-session="${sessionId}"]`, { timeout: 30_000 });
    const st = (await api(page, "POST", "/v1/trade/status", { id: sessionId })).json as {
      orders: number;
      fills: number;
      pnl: string;
    };
    expect(st.orders).toBeGreaterThan(0);
    const text = (await page.textContent(`[data-session="${sessionId}"]`)) ?? "";
    expect(text).toContain(`${st.orders} orders, ${st.fills} fills`);
    expect(text).toContain(`P&L ${st.pnl}`);
    // the same orders arrived live on the page's orders stream while the session ran
    await expect
      .poll(() => page.locator("#order-feed li", { hasText: sessionId }).count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
  }, 90_000);

  it("the session's fills with their times, P&L today (0: a replay's fills are on 2025's days), and backtest and paper trades on one chart", async () => {
    // the page reads its session's P&L today as it opens, before the API is asked below: across a
    // midnight (UTC) it names the day before the API's
    const dayBefore = new Date().toISOString().slice(0, 10);
    await openPage(page, server.url, "trading");
    await page.waitForSelector(`#fills-${sessionId} table`, { timeout: 30_000 });
    const f = (await api(page, "POST", "/v1/trade/fills", { id: sessionId })).json as {
      fills: { time: string; side: string; qty: string; price: string }[];
      total: number;
      today: { day: string; pnl: string; fills: number };
    };
    const st = (await api(page, "POST", "/v1/trade/status", { id: sessionId })).json as { fills: number };
    expect(f.total).toBe(st.fills);
    expect(f.total).toBeGreaterThan(0);
    // every fill of the replay is on a 2025 bar: nothing of it happened today
    for (const x of f.fills) expect(x.time < f.today.day).toBe(true);
    expect(Number(f.today.pnl)).toBe(0);
    expect(f.today.fills).toBe(0);
    const shownToday = (await page.textContent(`#pnl-today-${sessionId}`)) ?? "";
    const todayLine = (day: string) => `P&L today (${day}, since 00:00 UTC): ${f.today.pnl}; 0 fills today.`;
    expect(
      [dayBefore, f.today.day].some((d) => shownToday.includes(todayLine(d))),
      shownToday,
    ).toBe(true);
    const rows = await page.$$eval(`#fills-${sessionId} tbody tr`, (trs) =>
      trs.map((tr) => [
        tr.children[0]!.textContent,
        tr.children[2]!.textContent,
        tr.children[3]!.textContent,
      ]),
    );
    expect(rows).toEqual(
      [...f.fills]
        .reverse()
        .slice(0, 50)
        .map((x) => [x.time.replace("T", " ").replace(/\.000Z$/, "Z"), x.side, x.qty]),
    );
    // one chart: the backtest of the session's strategy and the session's paper fills
    await page.selectOption("#tc-session", sessionId);
    await page.click("#tc-draw");
    await expect.poll(() => page.textContent("#tc-status"), { timeout: 30_000 }).toMatch(/markers on/);
    const marks = await inPage<{ source: string; time: number; at: number; side: string }[]>(
      page,
      "window.kairosTradeChart.markers()",
    );
    const paper = marks.filter((m) => m.source === "paper");
    const bt = marks.filter((m) => m.source === "backtest");
    expect(paper.map((m) => new Date(m.at).toISOString()).sort()).toEqual(f.fills.map((x) => x.time).sort());
    // a paper fill lands on its own bar (paper fills carry their bar's open time) ...
    for (const m of paper) expect(m.time).toBe(m.at);
    // ... and the backtest of the same strategy trades on the same bars, the same way (the drift report's claim)
    for (const m of paper)
      expect(
        bt.some((b) => b.time === m.time && b.side === m.side),
        JSON.stringify(m),
      ).toBe(true);
    expect(await chartCanvasDrawn(page, "#trade-chart")).toBeGreaterThan(1000);
    await shootBoth(page, "trading-chart");
    // the session's drift report says so too, counting decisions as well as fills
    const drift = `[data-session="${sessionId}"] .drift`;
    await page.click(`[data-session="${sessionId}"] button:text("Drift report")`);
    await expect
      .poll(() => page.textContent(drift).catch(() => ""), { timeout: 60_000 })
      .toMatch(/No drift: every decision, fill and the P&L equal the backtest's/);
    expect(await page.textContent(drift)).toMatch(/Decisions\s*\d+\s*\d+\s*\d+ matched/);
    // the Market page marks the same fills on the series' chart
    await openPage(page, server.url, "market", `?s=${encodeURIComponent("binance BTC/USDT")}&tf=1d`);
    await page.click("summary:text('Trades from a backtest')");
    await page.click("#show-fills");
    await expect.poll(() => chartCall<number>(page, "c.markers()"), { timeout: 30_000 }).toBe(f.total);
    expect(await page.textContent("#market-status")).toContain(
      `${f.total} fills of ${sessionId} (paper) marked`,
    );
  }, 60_000);

  it("approve one proposal and reject another: each decision recorded with the person and the channel", async () => {
    // an agent proposes through MCP (its channel), the person decides at the dashboard (another one)
    const agent = (await api(page, "POST", "/v1/auth/tokens/agent", { name: "web-test-agent" })).json as {
      token: string;
    };
    const propose = async (note: string): Promise<{ id: string; orderHash: string }> => {
      const r = await fetch(`${server.url}/mcp`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${agent.token}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "tools/call",
          params: {
            name: "propose_order",
            arguments: { sessionId, symbol: "BTC/USDT", side: "buy", quantity: "0.001", note },
          },
        }),
      });
      const text = await r.text();
      expect(r.status, text).toBe(200);
      const reply = JSON.parse(text) as { result: { content: { text: string }[] } };
      return JSON.parse(reply.result.content[0]!.text) as { id: string; orderHash: string };
    };
    const a = await propose("web test: approve me");
    const b = await propose("web test: reject me");
    await openPage(page, server.url, "trading");
    await page.waitForSelector(`[data-proposal="${a.id}"]`);
    // the order, its explanation and its checks are in view before the decision
    const cardA = (await page.textContent(`[data-proposal="${a.id}"]`)) ?? "";
    expect(cardA).toContain("BUY 0.001 BTC/USDT");
    expect(cardA).toContain("web test: approve me");
    expect(await page.locator(`[data-proposal="${a.id}"] table tbody tr`).count()).toBeGreaterThan(0);
    await page.click(`#approve-${a.id}`);
    await page.waitForSelector(`[data-proposal="${a.id}"]`, { state: "detached", timeout: 30_000 });
    await page.fill(`#reject-reason-${b.id}`, "not now");
    await page.click(`#reject-${b.id}`);
    await page.waitForSelector(`[data-proposal="${b.id}"]`, { state: "detached", timeout: 30_000 });
    const all = (await api(page, "POST", "/v1/approvals/list", { state: "all" })).json as {
      proposals: {
        id: string;
        state: string;
        reason?: string;
        decidedBy?: { kind: string; channel: string };
      }[];
    };
    const pa = all.proposals.find((p) => p.id === a.id)!;
    const pb = all.proposals.find((p) => p.id === b.id)!;
    expect(pa.state).not.toBe("pending");
    expect(pa.state).not.toBe("rejected");
    expect(pa.decidedBy).toMatchObject({ kind: "person", channel: "http" });
    expect(pa.state, JSON.stringify(pa)).toMatch(/approved|executed/);
    expect(pb.state).toBe("rejected");
    expect(pb.reason).toBe("not now");
  }, 60_000);

  it("kill: the button asks first; keeping trading sends nothing; confirming latches HALTED with no order left open", async () => {
    await openPage(page, server.url, "health");
    const killCalls = (): number => w.requests.filter((r) => /^POST .*\/v1\/kill$/.test(r)).length;
    const before = killCalls();
    await page.click("#kill-button");
    expect(await page.locator("#kill-dialog[open]").count()).toBe(1);
    // the safe choice has the focus
    expect(await inPage(page, "document.activeElement?.id")).toBe("kill-cancel");
    await page.click("#kill-cancel");
    expect(await page.locator("#kill-dialog[open]").count()).toBe(0);
    await page.click("#kill-button");
    await page.keyboard.press("Escape");
    expect(await page.locator("#kill-dialog[open]").count()).toBe(0);
    expect(killCalls()).toBe(before);
    await page.click("#kill-button");
    await page.fill("#kill-by", "web test");
    await page.click("#kill-confirm");
    await expect.poll(() => page.textContent("#kill-status"), { timeout: 30_000 }).toMatch(/HALTED/);
    expect(await page.textContent("#kill-status")).toMatch(/0 still open/);
    expect(killCalls()).toBe(before + 1);
    await page.keyboard.press("Escape");
    await expect.poll(() => page.textContent("#state-badge"), { timeout: 30_000 }).toBe("HALTED");
    // the health page was open: the kill arrived on its live alerts stream
    await expect
      .poll(() => page.locator("#alerts li", { hasText: "kill" }).count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    const state = (await api(page, "GET", "/v1/risk/state")).json as { state: string };
    expect(state.state).toBe("halted");
    const st = (await api(page, "POST", "/v1/trade/status", { id: sessionId })).json as {
      openOrders: unknown[];
    };
    expect(st.openOrders).toEqual([]);
    await openPage(page, server.url, "health");
    expect(await page.textContent("#stat-state")).toContain("HALTED");
    expect(await page.textContent("main")).toContain("web test");
  }, 60_000);

  it("resume: only with a name, a reason and the password again, and trading is ACTIVE again", async () => {
    await openPage(page, server.url, "trading");
    await page.fill("#resume-by", "web test");
    await page.fill("#resume-reason", "checked after the kill test");
    // a wrong password is refused by the API (403, the session stays), and trading stays HALTED
    const errorsBefore = w.errors.length;
    await page.fill("#resume-password", "not-the-password");
    await page.click("#resume-go");
    await expect
      .poll(() => page.textContent("form[aria-label='Resume trading'] .status"), { timeout: 30_000 })
      .toMatch(/password does not match/);
    expect(((await api(page, "GET", "/v1/risk/state")).json as { state: string }).state).toBe("halted");
    const logged = w.errors.splice(errorsBefore);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/status of 403 \(Forbidden\)/);
    await page.fill("#resume-password", PASSWORD);
    await page.click("#resume-go");
    await expect.poll(() => page.textContent("#state-badge"), { timeout: 30_000 }).toBe("ACTIVE");
    expect(((await api(page, "GET", "/v1/risk/state")).json as { state: string }).state).toBe("active");
  }, 60_000);

  it("change a limit: refused with a wrong password typed again (the session stays), recorded with the right one", async () => {
    const revision = async (): Promise<number> =>
      ((await api(page, "GET", "/v1/risk")).json as { limits: { revision: number } }).limits.revision;
    const before = await revision();
    await openPage(page, server.url, "trading");
    await page.waitForSelector("#risk-save");
    const key = await page.inputValue("#risk-key");
    const value = await page.inputValue("#risk-value");
    await page.fill("#risk-by", "web test");
    const errorsBefore = w.errors.length;
    await page.fill("#risk-password", "not-the-password");
    await page.click("#risk-save");
    await expect
      .poll(() => page.textContent("#risk-status"), { timeout: 30_000 })
      .toMatch(/^Not changed: .*password does not match/);
    expect(await page.inputValue("#risk-password")).toBe("");
    expect(await revision()).toBe(before);
    const logged = w.errors.splice(errorsBefore);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/status of 403 \(Forbidden\)/);
    await page.fill("#risk-password", PASSWORD);
    await page.click("#risk-save");
    await expect.poll(revision, { timeout: 30_000 }).toBe(before + 1);
    const shown = (await api(page, "GET", "/v1/risk")).json as { limits: Record<string, unknown> };
    expect(String(shown.limits[key])).toBe(value);
    expect(await page.content()).not.toContain(PASSWORD);
  }, 60_000);

  it("audit: the verify button reports an intact chain; a decision's trail is found", async () => {
    await openPage(page, server.url, "audit");
    await page.click("#audit-verify");
    await expect
      .poll(() => page.textContent("#audit-verify-out"), { timeout: 30_000 })
      .toMatch(/^Intact: \d+ records/);
    const v = (await api(page, "POST", "/v1/audit/verify", {})).json as { ok: boolean; records: number };
    expect(v.ok).toBe(true);
    expect(await page.textContent("#audit-verify-out")).toContain(`${v.records} records`);
    const st = (await api(page, "POST", "/v1/trade/status", { id: sessionId })).json as {
      latestDecision: { seq: number };
    };
    await page.selectOption("#audit-kind", "decision");
    await page.fill("#audit-q", `${sessionId}/${st.latestDecision.seq}`);
    await page.click("#audit-search");
    await page.waitForSelector("#audit-out table", { timeout: 30_000 });
    const walk = (
      await api(page, "POST", "/v1/audit/show", { decision: `${sessionId}/${st.latestDecision.seq}` })
    ).json as { steps: { kind: string }[] };
    const kinds = await page.$$eval("#audit-out tbody tr", (trs) =>
      trs.map((tr) => tr.children[1]!.textContent),
    );
    expect(kinds).toEqual(walk.steps.map((s) => s.kind));
    expect(kinds.length).toBeGreaterThan(1);
  }, 60_000);

  it("brief: the page's lines are the API's brief", async () => {
    await openPage(page, server.url, "brief");
    await page.waitForSelector(".brief-lines li", { timeout: 30_000 });
    const lines = await page.$$eval(".brief-lines li", (lis) => lis.map((li) => li.textContent));
    const tf = await page.inputValue("#brief-tf");
    const list = (await api(page, "GET", "/v1/data/series")).json as {
      series: { symbol: string; timeframe: string }[];
    };
    const symbols = list.series
      .filter((x) => x.timeframe === tf)
      .map((x) => x.symbol)
      .sort();
    const b = (await api(page, "POST", "/v1/brief", { timeframe: tf, symbols, save: false, signals: true }))
      .json as { text: string[] };
    expect(lines).toEqual(b.text);
    expect(lines.length).toBeGreaterThan(0);
  }, 60_000);

  it("ask: 'what matters today?' typed on the Brief page shows the API's own answer", async () => {
    await openPage(page, server.url, "brief");
    await page.waitForSelector(".brief-lines li", { timeout: 30_000 });
    const tf = await page.inputValue("#brief-tf");
    // reached and sent from the keyboard: the question's field, then Enter submits the form
    await page.focus("#ask-q");
    await page.keyboard.type("what matters today?");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#ask-answer p", { timeout: 30_000 });
    const shown = await page.$$eval("#ask-answer p", (ps) => ps.map((p) => p.textContent).join("\n"));
    const a = (await api(page, "POST", "/v1/ask", { question: "what matters today?", timeframe: tf }))
      .json as {
      answer: string;
      answered: boolean;
    };
    expect(a.answered).toBe(true);
    expect(shown).toBe(a.answer);
    expect(shown.length).toBeGreaterThan(20);
  }, 60_000);

  it("live: a candle stored while the chart is open appears on it (the API's candles stream)", async () => {
    await openPage(page, server.url, "market", `?s=${encodeURIComponent("binance BTC/USDT")}&tf=1d`);
    await expect.poll(() => page.textContent("#market-live"), { timeout: 30_000 }).toMatch(/^Live:/);
    const daily = loadBundledSeries("binance", "BTC/USDT", "1d");
    const before = await chartCall<number>(page, "c.candles().length");
    const ts = daily.ts[daily.ts.length - 1]! + 86_400_000;
    const file = join(home, "next-day.csv");
    writeFileSync(file, `timestamp,open,high,low,close,volume\n${ts},116000,117500,115000,117123.45,321.5\n`);
    const r = runKairos(
      ["data", "import", file, "--exchange", "binance", "--symbol", "BTC/USDT", "--timeframe", "1d"],
      {
        home,
        timeout: 60_000,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    await expect
      .poll(() => chartCall<number>(page, "c.candles().length"), { timeout: 30_000 })
      .toBe(before + 1);
    const last = await chartCall<{ time: number; close: number }>(page, "c.candles().at(-1)");
    expect(last.time * 1000).toBe(ts);
    expect(last.close).toBe(117123.45);
    await page.mouse.move(1, 1);
    expect(await page.textContent("#legend")).toContain("C 117,123.45");
  }, 60_000);

  it("keyboard: Tab reaches the skip link, every page link, the theme switch, sign out and the kill button; Enter opens a page", async () => {
    await openPage(page, server.url, "health");
    await inPage(page, "document.activeElement?.blur()");
    const reached: string[] = [];
    for (let i = 0; i < 24; i++) {
      await page.keyboard.press("Tab");
      reached.push(
        await inPage<string>(
          page,
          `(() => { const a = document.activeElement; return a === null ? "" : a.id || a.getAttribute("href") || a.textContent || a.tagName; })()`,
        ),
      );
    }
    expect(reached).toEqual(
      expect.arrayContaining([
        "#main",
        ...PAGES.map((p) => `#/${p}`),
        "theme-toggle",
        "logout",
        "kill-button",
      ]),
    );
    // focus is visible: the focused control draws an outline
    await page.focus('a[href="#/market"]');
    expect(await inPage(page, "getComputedStyle(document.activeElement).outlineStyle")).not.toBe("none");
    await page.keyboard.press("Enter");
    await page.waitForSelector('main[data-page="market"][data-ready="true"]', { timeout: 30_000 });
  }, 60_000);

  it("every page at 1280×800 and 390 px, dark and light: no sideways scroll, names and labels, one h1, contrast ≥ 4.5:1; screenshots saved", async () => {
    const problems: string[] = [];
    for (const [size, viewport] of [
      ["desktop", DESKTOP],
      ["phone", PHONE],
    ] as const) {
      for (const scheme of ["dark", "light"] as const) {
        const ctx = await w.context(viewport, scheme);
        const p = await ctx.newPage();
        await signIn(p, server.url);
        for (const id of PAGES) {
          await openPage(p, server.url, id);
          expect(await inPage(p, "document.documentElement.dataset.theme")).toBe(scheme);
          const overflow = await inPage<number>(
            p,
            "document.documentElement.scrollWidth - window.innerWidth",
          );
          if (overflow > 0) problems.push(`${id} ${size} ${scheme}: ${overflow} px sideways scroll`);
          const a = await inPage<A11yReport>(p, A11Y_AUDIT);
          if (a.lang !== "en") problems.push(`${id}: lang=${a.lang}`);
          if (a.h1 !== 1) problems.push(`${id}: ${a.h1} h1 elements`);
          for (const u of a.unnamed) problems.push(`${id} ${size} ${scheme}: no accessible name: ${u}`);
          for (const u of a.unlabelled) problems.push(`${id} ${size} ${scheme}: no label: ${u}`);
          for (const u of a.lowContrast) problems.push(`${id} ${size} ${scheme}: contrast ${u}`);
          if (a.checkedText < 5) problems.push(`${id}: only ${a.checkedText} text elements checked`);
          await p.screenshot({ path: shotPath(`${id}-${size}-${scheme}`), fullPage: true });
        }
        await ctx.close();
      }
    }
    expect(problems).toEqual([]);
    process.stderr.write(`web: screenshots in ${SHOTS}\n`);
  }, 120_000);

  it("no console errors and no request to anything but 127.0.0.1 across every test", () => {
    expect(w.requests.length).toBeGreaterThan(20);
    expect(w.outside).toEqual([]);
    expect(w.errors).toEqual([]);
  });
});
