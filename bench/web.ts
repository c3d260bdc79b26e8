// `npm run bench -- web [runs=3]`: the dashboard in Debian's chromium against a real `kairos serve` on
// 127.0.0.1 (built dist/ and web/dist/ when fresh).
//  - health-first-load: a new browser context each run (cold cache), token already in the tab;
//    navigation start to the health page showing its data, in ms, from the page's own clock; the
//    peer in the same run is the API calls the page makes, timed from Node (the floor under it);
//  - bundle: gzip bytes of the built JS and CSS, and of our own code alone (the same build with
//    lightweight-charts left out), beside lightweight-charts' own production file gzipped;
//  - chart-pan: a 100,000-candle series (a seeded random walk imported into the home: no bundled
//    series is that long) panned by mouse drags, frames per second from requestAnimationFrame
//    times in the page, with all 100,000 in view and with the last 2,000 in view. With all in view a
//    candle is far below one pixel and the dashboard lets lightweight-charts draw merged candles
//    (conflation: first open, highest high, lowest low, last close of 2-512 neighbours); the same
//    pan with conflation off, every candle drawn, is the peer measured in the same run. With 2,000
//    in view (0.6 px a candle) nothing is merged.
// One JSON line per case on stdout; progress on stderr.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import { runKairos } from "../test/support/cli.ts";
import { ensureWebBuilt, launch, PASSWORD, prepareHome, startServe, stopServe } from "../test/web/support.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.argv[2] ?? 3);
const log = (s: string) => process.stderr.write(`web: ${s}\n`);
const out = (o: Record<string, unknown>) =>
  process.stdout.write(`${JSON.stringify({ bench: "web", ...o })}\n`);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** 100,000 one-minute candles, a seeded random walk (mulberry32), as a kairos-importable CSV */
function walkCsv(file: string, n: number): void {
  let a = 42;
  const rnd = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const lines = ["timestamp,open,high,low,close,volume"];
  let p = 30_000;
  const t0 = Date.UTC(2024, 0, 1);
  for (let i = 0; i < n; i++) {
    const o = p;
    const c = o * (1 + (rnd() - 0.5) * 0.004);
    const hi = Math.max(o, c) * (1 + rnd() * 0.001);
    const lo = Math.min(o, c) * (1 - rnd() * 0.001);
    lines.push(
      `${t0 + i * 60_000},${o.toFixed(2)},${hi.toFixed(2)},${lo.toFixed(2)},${c.toFixed(2)},${(rnd() * 10).toFixed(4)}`,
    );
    p = c;
  }
  writeFileSync(file, `${lines.join("\n")}\n`);
}

async function bundle(): Promise<void> {
  const gz = (b: Uint8Array) => gzipSync(b).length;
  const assets = join(root, "web/dist/assets");
  const files = readdirSync(assets);
  const js = files
    .filter((f) => f.endsWith(".js"))
    .reduce((s, f) => s + gz(readFileSync(join(assets, f))), 0);
  const css = files
    .filter((f) => f.endsWith(".css"))
    .reduce((s, f) => s + gz(readFileSync(join(assets, f))), 0);
  // our own code: the same build with the chart library left out
  const tmp = mkdtempSync(join(tmpdir(), "kairos-web-own-"));
  const { build } = await import("vite");
  await build({
    root: join(root, "web"),
    configFile: false,
    logLevel: "silent",
    publicDir: false,
    build: {
      outDir: tmp,
      emptyOutDir: true,
      target: "es2022",
      modulePreload: { polyfill: false },
      rollupOptions: { external: ["lightweight-charts"] },
    },
  });
  const own = readdirSync(join(tmp, "assets"))
    .filter((f) => f.endsWith(".js"))
    .reduce((s, f) => s + gz(readFileSync(join(tmp, "assets", f))), 0);
  rmSync(tmp, { recursive: true, force: true });
  const lwc = gz(
    readFileSync(join(root, "node_modules/lightweight-charts/dist/lightweight-charts.production.mjs")),
  );
  out({
    case: "bundle-gzip",
    unit: "bytes",
    value: js + css,
    js,
    css,
    own,
    target_own: 300_000,
    peers: { "lightweight-charts": lwc },
  });
}

async function firstLoad(url: string): Promise<void> {
  const w = await launch();
  const token = (
    (await (
      await fetch(`${url}/auth/login`, { method: "POST", body: JSON.stringify({ password: PASSWORD }) })
    ).json()) as { token: string }
  ).token;
  const pageMs: number[] = [];
  const apiMs: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const ctx = await w.context({ width: 1280, height: 800 });
    // the token as a signed-in tab holds it, and a note of when the health page shows its data
    await ctx.addInitScript(`sessionStorage.setItem("kairos.token", ${JSON.stringify(token)});
      new MutationObserver((_, o) => {
        if (document.querySelector('main[data-page="health"][data-ready="true"]') !== null) {
          window.__readyAt = performance.now();
          o.disconnect();
        }
      }).observe(document, { subtree: true, childList: true, attributes: true });`);
    const page = await ctx.newPage();
    await page.goto(`${url}/#/health`);
    await page.waitForSelector('main[data-page="health"][data-ready="true"]');
    const at = (await page.evaluate("window.__readyAt")) as number;
    // the API calls the health page makes, from Node: the floor under the page
    const t0 = performance.now();
    const h = { authorization: `Bearer ${token}` };
    await fetch(`${url}/openapi.json`).then((r) => r.text());
    await Promise.all([
      fetch(`${url}/v1/data/series`, { headers: h }).then((r) => r.text()),
      fetch(`${url}/v1/trade/sessions`, { headers: h }).then((r) => r.text()),
      fetch(`${url}/v1/risk/state`, { headers: h }).then((r) => r.text()),
    ]);
    const api = performance.now() - t0;
    await ctx.close();
    // the first run warms the server (its first requests compile and open the store)
    if (i === 0) continue;
    pageMs.push(at);
    apiMs.push(api);
  }
  await w.browser.close();
  out({
    case: "health-first-load",
    unit: "ms",
    value: round(median(pageMs)),
    runs: pageMs.map((x) => round(x)),
    target: 1000,
    peers: { "api-calls": round(median(apiMs)) },
    load_avg: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
  });
}

async function pan(page: Page, bars: number): Promise<{ fps: number; p95: number; frames: number }> {
  await page.evaluate(`window.kairosChart.show(${bars})`);
  const box = (await page.locator("#market-chart").boundingBox())!;
  const y = box.y + box.height / 2;
  await page.evaluate(`(() => {
    window.__frames = [];
    const tick = (t) => { window.__frames.push(t); if (!window.__stop) requestAnimationFrame(tick); };
    window.__stop = false;
    requestAnimationFrame(tick);
  })()`);
  await page.mouse.move(box.x + box.width * 0.8, y);
  await page.mouse.down();
  // two seconds of dragging back and forth
  for (let i = 0; i < 120; i++)
    await page.mouse.move(box.x + box.width * (0.8 - 0.5 * Math.abs(Math.sin(i / 20))), y);
  await page.mouse.up();
  const t = (await page.evaluate("(() => { window.__stop = true; return window.__frames; })()")) as number[];
  const gaps = t.slice(1).map((x, i) => x - t[i]!);
  gaps.sort((a, b) => a - b);
  return {
    fps: round(((t.length - 1) * 1000) / (t.at(-1)! - t[0]!)),
    p95: round(gaps[Math.floor(gaps.length * 0.95)] ?? Number.NaN),
    frames: t.length,
  };
}

async function chartPan(url: string): Promise<void> {
  const w = await launch();
  const ctx = await w.context({ width: 1280, height: 800 });
  const page = await ctx.newPage();
  await page.goto(`${url}/`);
  await page.fill("#password", PASSWORD);
  await page.click("form.login button[type=submit]");
  await page.waitForSelector('main[data-page="health"][data-ready="true"]');
  await page.goto(`${url}/#/market?s=${encodeURIComponent("bench WALK/USDT")}&tf=1m`);
  await page.waitForSelector('main[data-page="market"][data-ready="true"]', { timeout: 120_000 });
  const n = (await page.evaluate("window.kairosChart.candles().length")) as number;
  for (const bars of [0, 2000]) {
    const r: { fps: number; p95: number; frames: number }[] = [];
    for (let i = 0; i < runs; i++) r.push(await pan(page, bars));
    const peers: Record<string, number> = {};
    if (bars === 0) {
      await page.evaluate("window.kairosChart.conflation(false)");
      const off: number[] = [];
      for (let i = 0; i < runs; i++) off.push((await pan(page, bars)).fps);
      await page.evaluate("window.kairosChart.conflation(true)");
      peers["every-candle-drawn"] = median(off);
    }
    out({
      case: `chart-pan-${bars === 0 ? "all" : bars}`,
      unit: "frames/s",
      candles: n,
      in_view: bars === 0 ? n : bars,
      value: median(r.map((x) => x.fps)),
      runs: r.map((x) => x.fps),
      frame_p95_ms: median(r.map((x) => x.p95)),
      drawn: bars === 0 ? "merged candles below 1 device px (lightweight-charts conflation)" : "every candle",
      target: 30,
      peers,
      load_avg: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
    });
  }
  await w.browser.close();
}

ensureWebBuilt();
await bundle();
const home = mkdtempSync(join(tmpdir(), "kairos-bench-web-"));
try {
  log("importing data");
  prepareHome(home, ["binance_BTC-USDT_1h.csv", "binance_BTC-USDT_1d.csv"]);
  const csv = join(home, "bench_WALK-USDT_1m.csv");
  walkCsv(csv, 100_000);
  const r = runKairos(
    ["data", "import", csv, "--exchange", "bench", "--symbol", "WALK/USDT", "--timeframe", "1m"],
    {
      home,
      timeout: 300_000,
    },
  );
  if (r.code !== 0) throw new Error(`import of the walk failed: ${r.stderr}`);
  const server = await startServe(home);
  try {
    log("first load");
    await firstLoad(server.url);
    log("chart pan");
    await chartPan(server.url);
  } finally {
    await stopServe(server);
  }
} finally {
  rmSync(home, { recursive: true, force: true });
}
