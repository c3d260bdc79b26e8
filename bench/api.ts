// `npm run bench -- api [seconds] [runs] [--only NAME[,NAME]]`: the API server in its own process (127.0.0.1) on a home
// holding the bundled BTC/USDT 1d and 1h series and 1,000 stored trading sessions (SEEDED_SESSIONS),
// with its trading loop running in that same process:
// paper sessions of sma-cross over 1h bars (1,000 bars each, one after another, as fast as they go)
// started through POST /v1/jobs/trade, so each runs on the server's job thread while its event loop
// answers. Then
//  - read routes at a fixed 200 requests/s from autocannon (10 connections): p50/p99/max in ms and
//    the share of the requests due in the run that were answered ("served");
//  - the floor, in the same run and on the same autocannon setup: a bare node:http server in its own
//    process answering a constant (no router, no token, no kairos), and kairos's GET /health;
//  - WebSocket fan-out: 1,000 events/s published in the server to 50 clients: the server's
//    event-loop lag (perf_hooks.monitorEventLoopDelay) p50/p99/max and events delivered.
// Each case runs `runs` times after a 2 s warm-up; the line gives the median of the runs' figures,
// every run's p99, the trading loop's bars/s and the machine's load average (1 min) at the case's
// start and end. `--only` keeps the cases whose name contains one of the comma-separated words
// ("trade sessions", "ws" for the fan-out). One JSON line per case on stdout; progress on stderr.
import { type ChildProcess, fork, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { WebSocket } from "ws";

const here = fileURLToPath(import.meta.url);
const root = join(dirname(here), "..");

type Msg =
  | { cmd: "lag-reset" }
  | { cmd: "lag" }
  | { cmd: "fanout"; rate: number; seconds: number }
  | { cmd: "trade"; token: string }
  | { cmd: "trading" }
  | { cmd: "stop" };

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
const load1 = (): number => Math.round(loadavg()[0]! * 100) / 100;

/** Bars per paper session of the trading loop */
const SESSION_BARS = 1000;

/**
 * Sessions the home holds before the loop starts, as a home that has traded for months would: one
 * real paper session of 200 bars, then copies of its record under other ids (created before the
 * loop's, so every run and `--only` reads the same full pages of the sessions list)
 */
const SEEDED_SESSIONS = 1000;

/**
 * The server process: kairos's API, an event-loop lag monitor, and (once told) the trading loop:
 * paper sessions started through its own API as jobs, one after another, until it stops
 */
async function child(home: string): Promise<void> {
  const { createContainer } = await import("../src/composition-root.ts");
  const { startServer } = await import("../src/shells/http/serve.ts");
  const { mcpHttpHandler } = await import("../src/shells/mcp/server.ts");
  const c = createContainer({ home });
  await seedSessions(c);
  const server = await startServer(c, {
    host: "127.0.0.1",
    port: 0,
    mcp: mcpHttpHandler(c),
    onError: (e) =>
      process.stderr.write(`server: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`),
  });
  const lag: IntervalHistogram = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const send = (v: unknown) => process.send?.(v);
  let trading = false;
  let bars = 0;
  let sessions = 0;
  let failed = 0;
  const series = c.store.read({ exchange: "binance", symbol: "BTC/USDT", timeframe: "1h" });
  // the session under way: its bars so far count too (bars/s over a few seconds, not per session)
  let current: { id: string; from: number } | undefined;
  const orders = c.trading().orders;
  const barsNow = (): number => {
    const last = current === undefined ? undefined : orders.getSession(current.id)?.lastBarTs;
    return (
      bars +
      (last === undefined || current === undefined ? 0 : Math.max(0, (last - current.from) / 3_600_000))
    );
  };
  const tradeLoop = async (token: string): Promise<void> => {
    for (let k = 0; trading; k++) {
      const a = 1000 + ((k * SESSION_BARS) % (series.ts.length - 2 * SESSION_BARS - 1000));
      const r = await fetch(`${server.url}/v1/jobs/trade`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({
          id: `bench${k.toString(36)}`,
          strategy: "sma-cross",
          params: { fast: 10, slow: 30 },
          symbols: "BTC/USDT",
          timeframe: "1h",
          from: new Date(series.ts[a]!).toISOString(),
          to: new Date(series.ts[a + SESSION_BARS]!).toISOString(),
          capital: 800,
        }),
      });
      const job = (await r.json()) as { id: string };
      current = { id: `bench${k.toString(36)}`, from: series.ts[a]! };
      const done = await server.jobs.wait({ id: job.id });
      current = undefined;
      if (done.state === "done") {
        bars += (done.result as { barsActed: number }).barsActed;
        sessions++;
      } else if (trading) {
        failed++;
        process.stderr.write(`trading loop: session job ${done.state}: ${JSON.stringify(done.error)}\n`);
      }
    }
  };
  process.on("message", async (m: Msg) => {
    if (m.cmd === "lag-reset") {
      lag.reset();
      send({ ok: true });
    } else if (m.cmd === "lag") {
      send({ p50: ms(lag.percentile(50)), p99: ms(lag.percentile(99)), max: ms(lag.max) });
    } else if (m.cmd === "trade") {
      trading = true;
      void tradeLoop(m.token);
      // the loop is under way once its first session is done
      const t0 = Date.now();
      while (sessions === 0 && failed === 0 && Date.now() - t0 < 120_000)
        await new Promise((r) => setTimeout(r, 50));
      send({ bars, sessions, failed });
    } else if (m.cmd === "trading") {
      send({ bars: barsNow(), sessions, failed, jobThreads: server.jobHost.stats });
    } else if (m.cmd === "fanout") {
      // synthetic signals at a fixed rate, published the way the audit tail publishes them
      const t0 = performance.now();
      let n = 0;
      const total = m.rate * m.seconds;
      await new Promise<void>((resolve) => {
        const tick = setInterval(() => {
          const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * m.rate));
          for (; n < due; n++)
            server.hub.publish("signals", "decision", {
              decisionId: `bench/${n}`,
              sessionId: "bench",
              barTs: n,
              targets: { "BTC/USDT": n % 2 },
              explanation: "sma(10) crossed above sma(30): target 1",
            });
          if (n >= total) {
            clearInterval(tick);
            resolve();
          }
        }, 5);
      });
      server.hub.flush();
      send({ published: n, stats: server.hub.stats });
    } else if (m.cmd === "stop") {
      trading = false;
      await server.close();
      c.close();
      send({ stopped: true, bars, sessions, failed });
      process.exit(0);
    }
  });
  send({ url: server.url });
}

/** SEEDED_SESSIONS stored sessions (see there), written before the server starts */
async function seedSessions(c: import("../src/composition-root.ts").Container): Promise<void> {
  const { startTrading } = await import("../src/app/trade-start.ts");
  const t = c.trading();
  const series = c.store.read({ exchange: "binance", symbol: "BTC/USDT", timeframe: "1h" });
  await startTrading(t, {
    id: "seed0",
    strategy: "sma-cross",
    params: { fast: 10, slow: 30 },
    symbols: "BTC/USDT",
    timeframe: "1h",
    from: new Date(series.ts[1000]!).toISOString(),
    to: new Date(series.ts[1200]!).toISOString(),
    capital: 800,
  });
  const s0 = t.orders.getSession("seed0")!;
  for (let i = 1; i < SEEDED_SESSIONS; i++)
    t.orders.createSession({ ...s0, id: `seed${i}`, createdAt: s0.createdAt - SEEDED_SESSIONS + i });
}

/** The floor: node:http answering a constant, nothing else, in its own process like the server */
function floor(): void {
  const body = JSON.stringify({ ok: true });
  const s = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  s.listen(0, "127.0.0.1", () => {
    process.send?.({ url: `http://127.0.0.1:${(s.address() as AddressInfo).port}` });
  });
  process.on("message", (m: Msg) => {
    if (m.cmd === "stop") process.exit(0);
  });
}

function ask<T>(p: ChildProcess, m: Msg): Promise<T> {
  return new Promise((resolve) => {
    p.once("message", (v) => resolve(v as T));
    p.send(m);
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { only: { type: "string" } },
    allowPositionals: true,
  });
  const seconds = Number(positionals[0] ?? 5);
  const runs = Number(positionals[1] ?? 3);
  const only = values.only?.split(",").map((w) => w.trim().toLowerCase());
  const wanted = (name: string): boolean =>
    only === undefined || only.some((w) => name.toLowerCase().includes(w));
  const RATE = 200;
  const home = mkdtempSync(join(tmpdir(), "kairos-bench-api-"));
  const bin = join(root, "bin/kairos.js");
  const kairos = (args: string[]) => {
    const r = spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`kairos ${args.join(" ")} failed: ${r.stderr}`);
    return r.stdout;
  };
  for (const f of ["binance_BTC-USDT_1d.csv", "binance_BTC-USDT_1h.csv"])
    kairos(["data", "import", join(root, "data", f)]);
  const token = (
    JSON.parse(kairos(["--json", "auth", "token", "create", "--agent", "bench"])) as { token: string }
  ).token;
  // KAIROS_BENCH_CPU_PROF=DIR: V8 CPU profiles of the server process's threads, written to DIR at its exit
  const prof = process.env.KAIROS_BENCH_CPU_PROF;
  const server = fork(here, ["--child", home], {
    execArgv: ["--import", "tsx", ...(prof === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${prof}`])],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const { url } = await new Promise<{ url: string }>((resolve, reject) => {
    server.once("message", (v) => resolve(v as { url: string }));
    server.once("exit", (code) => reject(new Error(`the server process exited ${code}`)));
  });
  let stopping = false;
  // however this process ends (a failed start included), its server and floor processes end with it
  process.on("exit", () => {
    server.kill("SIGKILL");
    floorProc?.kill("SIGKILL");
  });
  let floorProc: ChildProcess | undefined;
  server.on("exit", (code) => {
    if (stopping) return;
    process.stderr.write(`the server process exited (${code}) during the bench\n`);
    process.exit(1);
  });
  floorProc = fork(here, ["--floor"], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const floorUrl = ((await new Promise((resolve) => floorProc.once("message", resolve))) as { url: string })
    .url;
  const started = await ask<{ bars: number; sessions: number; failed: number }>(server, {
    cmd: "trade",
    token,
  });
  if (started.sessions === 0)
    throw new Error(`the trading loop did not complete a session (${started.failed} failed)`);
  const trading = server;
  const TRADING_LOOP = `in the server process: paper sma-cross sessions of ${SESSION_BARS} 1h bars started through POST /v1/jobs/trade, one after another, on the server's job thread`;
  process.stderr.write(
    `server ${url}, floor ${floorUrl}, trading loop running (${TRADING_LOOP}); ${runs} runs of ${seconds} s per case\n`,
  );

  const cases: {
    name: string;
    method: "GET" | "POST";
    path: string;
    body?: unknown;
    auth: boolean;
    floor?: boolean;
  }[] = [
    {
      name: "floor: bare node:http answering a constant (own process)",
      method: "GET",
      path: "/",
      auth: false,
      floor: true,
    },
    { name: "health (no token, no use case)", method: "GET", path: "/health", auth: false },
    { name: "strategies list", method: "GET", path: "/v1/strategies", auth: true },
    { name: "data list", method: "GET", path: "/v1/data/series", auth: true },
    {
      name: "data show 1h",
      method: "POST",
      path: "/v1/data/show",
      auth: true,
      body: { symbol: "BTC/USDT", timeframe: "1h", rows: 5 },
    },
    {
      name: "indicators compute rsi 1d",
      method: "POST",
      path: "/v1/indicators/compute",
      auth: true,
      body: {
        indicator: "rsi",
        params: { period: 14 },
        series: { symbol: "BTC/USDT", timeframe: "1d" },
        last: 10,
      },
    },
    { name: "risk show", method: "GET", path: "/v1/risk", auth: true },
    // the default page (PAGE_DEFAULT entries of the SEEDED_SESSIONS)
    { name: "trade sessions list", method: "GET", path: "/v1/trade/sessions", auth: true },
    // the page the route answered by default before (~36 kB), asked for explicitly
    {
      name: "trade sessions list, page of 200",
      method: "GET",
      path: "/v1/trade/sessions?limit=200",
      auth: true,
    },
  ];
  const fire = (c: (typeof cases)[number], duration: number) =>
    autocannon({
      url: `${c.floor === true ? floorUrl : url}${c.path}`,
      method: c.method,
      connections: 10,
      overallRate: RATE,
      duration,
      headers: {
        ...(c.auth ? { authorization: `Bearer ${token}` } : {}),
        ...(c.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(c.body === undefined ? {} : { body: JSON.stringify(c.body) }),
    });
  try {
    let floorP99: number | undefined;
    let sessionsFailed = 0;
    for (const c of cases) {
      if (!wanted(c.name)) continue;
      await fire(c, 2); // warm-up: code paths compiled, caches filled
      const loadStart = load1();
      const rs: {
        p50: number;
        p99: number;
        max: number;
        n: number;
        non2xx: number;
        lag: number;
        bars: number;
      }[] = [];
      for (let i = 0; i < runs; i++) {
        await ask(server, { cmd: "lag-reset" });
        const before = await ask<{ bars: number }>(trading, { cmd: "trading" });
        const r = await fire(c, seconds);
        const lag = await ask<{ p99: number }>(server, { cmd: "lag" });
        const after = await ask<{ bars: number; failed: number }>(trading, { cmd: "trading" });
        sessionsFailed = after.failed;
        rs.push({
          p50: r.latency.p50,
          p99: r.latency.p99,
          max: r.latency.max,
          // answered with a 2xx: what the clients were served
          n: r.requests.total - r.non2xx,
          non2xx: r.non2xx,
          lag: lag.p99,
          bars: (after.bars - before.bars) / seconds,
        });
        process.stderr.write(
          `${c.name} run ${i + 1}: p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.requests.total} requests (${r.non2xx} not 2xx), trading ${((after.bars - before.bars) / seconds).toFixed(0)} bars/s, load ${load1()}\n`,
        );
      }
      const p99 = median(rs.map((r) => r.p99));
      if (c.floor === true) floorP99 = p99;
      const due = RATE * seconds;
      process.stdout.write(
        `${JSON.stringify({
          bench: "api",
          case: c.name,
          unit: "ms",
          rate: RATE,
          connections: 10,
          seconds,
          runs,
          requests_due: due,
          served: rs.map((r) => r.n),
          served_share: Math.round((median(rs.map((r) => r.n)) / due) * 1000) / 1000,
          non2xx: rs.reduce((a, r) => a + r.non2xx, 0),
          p50_ms: median(rs.map((r) => r.p50)),
          p99_ms: p99,
          max_ms: median(rs.map((r) => r.max)),
          p99_runs: rs.map((r) => r.p99),
          value: p99,
          target_p99_ms: 20,
          ...(c.floor === true
            ? {}
            : {
                floor_p99_ms: floorP99 ?? null,
                server_lag_p99_ms: median(rs.map((r) => r.lag)),
              }),
          trading_bars_per_s: Math.round(median(rs.map((r) => r.bars))),
          trading_loop: TRADING_LOOP,
          trading_sessions_failed_so_far: sessionsFailed,
          load1_start: loadStart,
          load1_end: load1(),
        })}\n`,
      );
    }

    // WebSocket fan-out: 50 clients, 1,000 events/s
    const CLIENTS = 50;
    const EVENTS = 1000;
    if (!wanted(`ws fan-out ${EVENTS} events/s to ${CLIENTS} clients`)) return;
    const clients = await Promise.all(
      Array.from(
        { length: CLIENTS },
        () =>
          new Promise<{ ws: WebSocket; got: number }>((resolve, reject) => {
            const ws = new WebSocket(`${url.replace(/^http/, "ws")}/v1/stream`, {
              headers: { authorization: `Bearer ${token}` },
            });
            const c = { ws, got: 0 };
            ws.on("message", (d) => {
              const v = JSON.parse(String(d)) as unknown;
              // only the bench's own events: the trading loop's real signals go out on the channel too
              if (Array.isArray(v))
                c.got += v.filter((e) => JSON.stringify(e).includes('"decisionId":"bench/')).length;
              else if ((v as { subscribed?: unknown }).subscribed !== undefined) resolve(c);
              else if ((v as { hello?: unknown }).hello !== undefined) ws.send('{"subscribe":["signals"]}');
            });
            ws.once("error", reject);
          }),
      ),
    );
    const fan: { p50: number; p99: number; max: number; delivered: number }[] = [];
    for (let i = 0; i < runs; i++) {
      for (const c of clients) c.got = 0;
      await ask(server, { cmd: "lag-reset" });
      const pub = await ask<{ published: number }>(server, { cmd: "fanout", rate: EVENTS, seconds });
      const lag = await ask<{ p50: number; p99: number; max: number }>(server, { cmd: "lag" });
      const want = pub.published * CLIENTS;
      const t0 = Date.now();
      while (clients.reduce((a, c) => a + c.got, 0) < want && Date.now() - t0 < 5000)
        await new Promise((r) => setTimeout(r, 20));
      const delivered = clients.reduce((a, c) => a + c.got, 0) / want;
      fan.push({ ...lag, delivered });
      process.stderr.write(
        `fan-out run ${i + 1}: lag p99 ${lag.p99} ms, delivered ${(delivered * 100).toFixed(1)}%\n`,
      );
    }
    for (const c of clients) c.ws.close();
    process.stdout.write(
      `${JSON.stringify({
        bench: "api",
        case: `ws fan-out ${EVENTS} events/s to ${CLIENTS} clients`,
        unit: "ms event-loop lag",
        seconds,
        runs,
        lag_p50_ms: median(fan.map((f) => f.p50)),
        lag_p99_ms: median(fan.map((f) => f.p99)),
        lag_max_ms: median(fan.map((f) => f.max)),
        lag_p99_runs: fan.map((f) => f.p99),
        delivered: median(fan.map((f) => f.delivered)),
        value: median(fan.map((f) => f.p99)),
        target_p99_ms: 50,
        trading_loop: TRADING_LOOP,
        load1: load1(),
      })}\n`,
    );
  } finally {
    stopping = true;
    const exited = new Promise((r) => server.once("exit", r));
    await Promise.race([ask(server, { cmd: "stop" }), new Promise((r) => setTimeout(r, 10_000))]);
    // its exit writes any CPU profile
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    floorProc.send({ cmd: "stop" });
    server.kill("SIGTERM");
    floorProc.kill("SIGTERM");
    rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child") await child(process.argv[3]!);
else if (process.argv[2] === "--floor") floor();
else await main();
