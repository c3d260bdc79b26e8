// Jobs never block the server: a paper replay over every stored 1h bar (tens of seconds of CPU,
// a loop that awaits only microtasks, so on the server's event loop it would hold it for the whole
// run) runs while /health and a read route answer; the server's event loop stays free; the reads
// return while the job is still running; cancel ends it 'cancelled' and its session stops moving.
// A job that reports no progress (model training) is stopped too: its thread is terminated, and
// nothing it would have stored appears.
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { bundledHome, ROOT } from "../support/cli.ts";
import { apiOn, call, whileRunning } from "./support.ts";

const home = bundledHome("kairos-api-jobs-off-loop-", ["binance_BTC-USDT_1h.csv"]);
let agent = "";
let person = "";
const api = apiOn(home, async (c) => {
  agent = c.auth.createAgentToken({ name: "jobs-off-loop" }).token;
  await c.auth.setPassword({ password: "jobs-off-loop-password-1" });
  person = (await c.auth.login({ password: "jobs-off-loop-password-1" })).token;
});

interface Job {
  id: string;
  state: string;
  error: { code: string } | null;
}
const jobOf = async (id: string): Promise<Job> =>
  (await call(api, "POST", "/v1/jobs/get", { token: agent, body: { id } })).body as Job;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls until `f` holds or `ms` pass */
async function until(f: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await f())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
const timed = async <T>(f: () => Promise<T>): Promise<{ ms: number; v: T }> => {
  const t0 = performance.now();
  const v = await f();
  return { ms: performance.now() - t0, v };
};

/** Generous bound for one read on a loopback server whose loop is free (a blocked one waits for the job: many seconds) */
const READ_BOUND_MS = 1500;

describe("jobs run off the server's event loop", () => {
  it("while a long paper replay runs, /health and data show answer promptly and before it ends; cancel stops it", async () => {
    const orders = api.c.trading().orders;
    const last = api.c.store.info({ exchange: "binance", symbol: "BTC/USDT", timeframe: "1h" })!.last!;
    const started = await call(api, "POST", "/v1/jobs/trade", {
      token: agent,
      body: {
        id: "offloop1",
        strategy: "sma-cross",
        params: { fast: 10, slow: 30 },
        symbols: "BTC/USDT",
        timeframe: "1h",
        capital: 800,
      },
    });
    expect(started.status).toBe(202);
    const id = (started.body as Job).id;
    // the replay is under way: its session has acted on bars
    await until(() => orders.getSession("offloop1")?.lastBarTs !== undefined, 120_000, "the first bar");
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    const reads: number[] = [];
    const t0 = Date.now();
    // at least 3 s of the job's work while we read
    while (Date.now() - t0 < 3000) {
      const h = await timed(() => call(api, "GET", "/health"));
      expect(h.v.status).toBe(200);
      const d = await timed(() =>
        call(api, "POST", "/v1/data/show", {
          token: agent,
          body: { symbol: "BTC/USDT", timeframe: "1h", rows: 2 },
        }),
      );
      expect(d.v.status).toBe(200);
      reads.push(h.ms, d.ms);
      await sleep(100);
    }
    lag.disable();
    // the reads came back while the job was still at work
    const during = await jobOf(id);
    expect(during.state, `${JSON.stringify(during.error)} ${api.log.join("\n")}`).toBe("running");
    // its running progress is stored (by the job thread) for a reader in another process
    expect(api.c.jobStore.get(id)?.progress?.note).toMatch(/^bar \d{4}-/);
    const barBefore = orders.getSession("offloop1")!.lastBarTs!;
    expect(barBefore).toBeLessThan(last);
    expect(reads.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...reads)).toBeLessThan(READ_BOUND_MS);
    // the loop was never held for long (a replay on it would hold it for its whole run)
    expect(lag.max / 1e6).toBeLessThan(READ_BOUND_MS);

    const c = await call(api, "POST", "/v1/jobs/cancel", { token: agent, body: { id } });
    expect(c.status).toBe(200);
    await until(async () => (await jobOf(id)).state !== "running", 10_000, "the cancel");
    const j = await jobOf(id);
    expect(j.state).toBe("cancelled");
    expect(j.error?.code).toBe("CANCELLED");
    // the work stopped: the session no longer moves, short of its last bar, and no thread is busy
    const stoppedAt = orders.getSession("offloop1")!.lastBarTs!;
    await sleep(1500);
    expect(orders.getSession("offloop1")!.lastBarTs).toBe(stoppedAt);
    expect(stoppedAt).toBeLessThan(last);
    expect(api.server!.jobHost.stats.busy).toBe(0);
  }, 240_000);

  it("a job that reports no progress (model training) is stopped by cancel: its thread ends and nothing is stored", async () => {
    const before = api.c.models.list().length;
    const started = await call(api, "POST", "/v1/jobs/model-train", {
      token: agent,
      body: {
        symbol: "BTC/USDT",
        timeframe: "1h",
        horizon: 24,
        // no early stop (the default stops after 30 rounds without gain): on a quiet machine the
        // training must still be running when the cancel comes
        gbdt: { nTrees: 100_000, maxDepth: 10, learningRate: 0.01, earlyStoppingRounds: 0 },
      },
    });
    expect(started.status).toBe(202);
    const id = (started.body as Job).id;
    await until(async () => (await jobOf(id)).state === "running", 60_000, "the job to run");
    // inside the training (the container opened, the features built): well past its start
    await sleep(2000);
    const h = await timed(() => call(api, "GET", "/health"));
    expect(h.ms).toBeLessThan(READ_BOUND_MS);
    expect((await jobOf(id)).state).toBe("running");
    await call(api, "POST", "/v1/jobs/cancel", { token: agent, body: { id } });
    await until(async () => (await jobOf(id)).state !== "running", 10_000, "the cancel");
    expect((await jobOf(id)).state).toBe("cancelled");
    expect(api.server!.jobHost.stats.busy).toBe(0);
    await sleep(1000);
    expect(api.c.models.list().length).toBe(before);
  }, 240_000);

  it("a backtest answered at once is computed on a job thread: the same reply, invalid input still a coded 400", async () => {
    const body = {
      strategy: "sma-cross",
      params: { fast: 10, slow: 30 },
      symbols: "BTC/USDT",
      timeframe: "1h",
    };
    const before = api.server!.jobHost.stats.calls;
    const [a, b] = await Promise.all([
      call(api, "POST", "/v1/backtest", { token: agent, body }),
      call(api, "POST", "/v1/backtest", { token: agent, body }),
    ]);
    expect(a.status).toBe(200);
    expect(b.text).toBe(a.text);
    expect(api.server!.jobHost.stats.calls).toBe(before + 2);
    // the reply is the use case's, as on the CLI (Same answers compares it with `kairos backtest --json`)
    const { backtestToJson, runBacktest } = await import("../../src/app/run-backtest.ts");
    const direct = backtestToJson(runBacktest({ store: api.c.store, funding: api.c.funding }, body));
    expect(a.body).toEqual(JSON.parse(JSON.stringify(direct)));
    const bad = await call(api, "POST", "/v1/backtest", {
      token: agent,
      body: { ...body, userModule: "x.js" },
    });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { code: string } }).error.code).toBe("INVALID_INPUT");
  }, 120_000);

  it("data import over HTTP is computed on a job thread: /health is answered throughout a 143,536-candle import and the loop never stalls for long", async () => {
    // a folder of two years of 5m bars of two symbols (what `kairos data import DIR` reads)
    const dir = mkdtempSync(join(tmpdir(), "kairos-import-off-loop-"));
    for (const f of ["binance_BTC-USDT_5m.csv.gz", "binance_ETH-USDT_5m.csv.gz"])
      copyFileSync(join(ROOT, "data", f), join(dir, f));
    const before = api.server!.jobHost.stats.calls;
    const r = await whileRunning(api, () =>
      call(api, "POST", "/v1/data/import", { token: person, body: { path: dir } }),
    );
    expect(r.value.status, r.value.text).toBe(200);
    const report = r.value.body as { files: { rows: number }[] };
    expect(report.files.map((f) => f.rows)).toEqual([71768, 71768]);
    expect(api.server!.jobHost.stats.calls).toBe(before + 1);
    // on the server's loop the import would hold it (and every health request) for most of its time
    expect(r.healthDuring, JSON.stringify(r)).toBeGreaterThanOrEqual(10);
    expect(r.lagMaxMs, JSON.stringify(r)).toBeLessThan(r.callMs / 4);
    // stored by the thread's connection, seen by the server's reads at once (the data revision moved)
    const listed = await call(api, "GET", "/v1/data/series", { token: agent });
    const series = (listed.body as { series: { symbol: string; timeframe: string; rows: number }[] }).series;
    expect(series.filter((x) => x.timeframe === "5m").map((x) => [x.symbol, x.rows])).toEqual([
      ["BTC/USDT", 71768],
      ["ETH/USDT", 71768],
    ]);
    // an agent may not import (a path on the server's disk), and bad input is still a coded 400
    expect((await call(api, "POST", "/v1/data/import", { token: agent, body: { path: dir } })).status).toBe(
      403,
    );
    const bad = await call(api, "POST", "/v1/data/import", { token: person, body: { path: dir, nope: 1 } });
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { code: string } }).error.code).toBe("INVALID_INPUT");
  }, 120_000);
});
