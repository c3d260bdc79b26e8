// Jobs and WebSocket streams on a real server: a paper session started as a job streams its closed
// candles, signals (with explanations), orders and fills, each equal to what the audit log and the
// candle store hold; job progress and states arrive on `jobs`; a cancelled job ends 'cancelled';
// jobs left running by a stopped server are 'interrupted'; a client that does not read is dropped
// while publishing never waits for it; WebSocket doors (401 without or with a forged token, token
// as header or subprotocol, never needed in the URL, cross-origin refused).
import { describe, expect, it } from "vitest";
import { JobService } from "../../src/app/job-service.ts";
import { createContainer } from "../../src/composition-root.ts";
import { MAX_BUFFERED_BYTES } from "../../src/shells/http/streams.ts";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";
import { apiOn, call, finishedJob, type JobReply } from "./support.ts";
import { openStream, refusedWith, until } from "./ws-support.ts";

const PASSWORD = "streams-test-password-1";
const home = bundledHome("kairos-api-streams-", ["binance_BTC-USDT_1d.csv"]);
let agent = "";
let person = "";
const api = apiOn(home, async (c) => {
  await c.auth.setPassword({ password: PASSWORD });
  agent = c.auth.createAgentToken({ name: "streams" }).token;
  person = (await c.auth.login({ password: PASSWORD })).token;
});

type Job = JobReply;
/** Polls the job until it reaches a final state */
const finished = (id: string): Promise<Job> => finishedJob(api, agent, id);

describe("WebSocket doors", () => {
  it("401 without a token or with a forged one, 404 for another path with a token, 403 cross-origin; header or subprotocol both work", async () => {
    expect(await refusedWith(api, undefined)).toBe(401);
    expect(await refusedWith(api, `kairos_a_${"A".repeat(43)}`)).toBe(401);
    expect(await refusedWith(api, `${agent}x`, { via: "protocol" })).toBe(401);
    expect(await refusedWith(api, undefined, { path: "/v1/other" })).toBe(401);
    expect(await refusedWith(api, agent, { path: "/v1/other" })).toBe(404);
    expect(await refusedWith(api, agent, { headers: { origin: "https://evil.example" } })).toBe(403);
    // a token in the query string is not a credential
    expect(await refusedWith(api, undefined, { path: `/v1/stream?token=${agent}` })).toBe(401);
    const viaHeader = await openStream(api, agent);
    const viaProtocol = await openStream(api, person, { via: "protocol" });
    expect(viaProtocol.ws.protocol).toBe("kairos.v1");
    for (const s of [viaHeader, viaProtocol]) {
      s.send({ ping: 7 });
      await until(() => s.replies.some((r) => (r as { pong?: number }).pong === 7), "pong");
      s.ws.close();
    }
  });

  it("a revoked token ends its stream at its next message", async () => {
    const t = api.c.auth.createAgentToken({ name: "short-lived" });
    const s = await openStream(api, t.token);
    api.c.auth.revoke({ id: t.id });
    s.send({ subscribe: ["jobs"] });
    expect((await s.closed).code).toBe(4001);
  });
});

describe("jobs and streams", () => {
  it("a paper session run as a job streams its candles, signals, orders and fills exactly as the audit log and the store hold them", async () => {
    const s = await openStream(api, agent);
    s.send({ subscribe: ["candles", "signals", "orders", "alerts", "jobs"] });
    await until(
      () => s.replies.some((r) => Array.isArray(r.subscribed) && r.subscribed.length === 5),
      "subscribed",
    );
    const started = await call(api, "POST", "/v1/jobs/trade", {
      token: agent,
      body: {
        id: "ws1",
        strategy: "sma-cross",
        params: { fast: 5, slow: 20 },
        symbols: "BTC/USDT",
        timeframe: "1d",
        from: "2024-01-01",
        to: "2024-07-01",
        // within the default limits (maxOrderValue 1000): orders pass the gate and fill
        capital: 800,
      },
    });
    expect(started.status).toBe(202);
    const id = (started.body as Job).id;
    const done = await finished(id);
    expect(done.state, JSON.stringify(done.error)).toBe("done");
    expect((done.result as { sessionId: string }).sessionId).toBe("ws1");

    // what the audit log holds for the session
    const recs = [...api.c.audit().records()].map(
      (r) => JSON.parse(r.body) as { kind: string; data: Record<string, unknown> },
    );
    const mine = recs.filter(
      (r) => r.data.sessionId === "ws1" || String(r.data.clientOrderId ?? "").includes("ws1"),
    );
    const decisions = mine.filter((r) => r.kind === "decision");
    const orderRecs = mine.filter((r) => ["order.intent", "order.event", "fill"].includes(r.kind));
    expect(decisions.length).toBeGreaterThan(5);
    expect(orderRecs.filter((r) => r.kind === "fill").length).toBeGreaterThan(0);
    await until(
      () => s.events.filter((e) => e.channel === "signals").length >= decisions.length,
      "every signal",
    );
    await until(
      () =>
        s.events.some(
          (e) =>
            e.channel === "jobs" && e.type === "job.state" && e.data.id === id && e.data.state === "done",
        ),
      "the job's done event",
    );
    const signals = s.events.filter((e) => e.channel === "signals");
    expect(signals.map((e) => e.data.decisionId)).toEqual(decisions.map((d) => d.data.decisionId));
    expect(signals.every((e) => typeof e.data.explanation === "string" && e.data.explanation !== "")).toBe(
      true,
    );
    const orders = s.events.filter((e) => e.channel === "orders" && e.type !== "session.state");
    expect(orders.length).toBe(orderRecs.length);
    expect(orders.filter((e) => e.type === "fill").map((e) => e.data.tradeId)).toEqual(
      orderRecs.filter((r) => r.kind === "fill").map((r) => r.data.tradeId),
    );
    // closed candles: bars entering the store after the server started, each as stored
    const key = { exchange: "binance", symbol: "BTC/USDT", timeframe: "1d" } as const;
    const last = api.c.store.info(key)!.last;
    const n = 3;
    const day = 86_400_000;
    const ts = Float64Array.from({ length: n }, (_, i) => last + (i + 1) * day);
    const px = Float64Array.from({ length: n }, (_, i) => 100_000 + i);
    api.c.store.upsert({
      ...key,
      ts,
      open: px,
      high: px.map((p) => p + 50),
      low: px.map((p) => p - 50),
      close: px,
      volume: px.map(() => 1),
    } as never);
    await until(() => s.events.filter((e) => e.channel === "candles").length >= n, "the new candles");
    const candles = s.events.filter((e) => e.channel === "candles");
    expect(candles.map((k) => [k.data.symbol, k.data.ts, k.data.close, k.data.high])).toEqual(
      [...ts].map((t, i) => ["BTC/USDT", t, px[i], px[i]! + 50]),
    );
    expect(
      s.events.some((e) => e.channel === "jobs" && e.type === "job.state" && e.data.state === "running"),
    ).toBe(true);
    s.ws.close();
  }, 180_000);

  it("a sweep job's result is the CLI's `sweep --json` (Same answers), with progress on the jobs channel", async () => {
    const s = await openStream(api, agent);
    s.send({ subscribe: ["jobs"] });
    await s.nextReply();
    const body = {
      family: "sma-cross",
      symbol: "BTC/USDT",
      timeframe: "1d",
      params: ["fast=5..30:5", "slow=40..120:20"],
      top: 5,
    };
    const r = await call(api, "POST", "/v1/jobs/sweep", { token: agent, body });
    expect(r.status).toBe(202);
    const job = await finished((r.body as Job).id);
    expect(job.state).toBe("done");
    const cli = await runKairosInProcess(
      [
        "--json",
        "sweep",
        "sma-cross",
        "--symbol",
        "BTC/USDT",
        "--timeframe",
        "1d",
        "--param",
        "fast=5..30:5",
        "--param",
        "slow=40..120:20",
        "--top",
        "5",
        "--threads",
        "1",
      ],
      { home },
    );
    expect(cli.code).toBe(0);
    const strip = (v: unknown) => {
      const { seconds: _s, threads: _t, ...rest } = v as Record<string, unknown>;
      return rest;
    };
    expect(strip(job.result)).toEqual(strip(JSON.parse(cli.stdout)));
    await until(
      () => s.events.some((e) => e.type === "job.progress" && e.data.id === job.id),
      "a progress event",
    );
    s.ws.close();
  }, 120_000);

  it("invalid job input is a 400 and starts nothing; a queued job is cancelled at once; a person-only route is 403 for agents", async () => {
    const before = ((await call(api, "GET", "/v1/jobs", { token: agent })).body as unknown[]).length;
    const bad = await call(api, "POST", "/v1/jobs/sweep", { token: agent, body: { family: "sma-cross" } });
    expect(bad.status).toBe(400);
    expect(((await call(api, "GET", "/v1/jobs", { token: agent })).body as unknown[]).length).toBe(before);
    // two jobs: the second waits in the queue behind the first and is cancelled there
    const body = {
      family: "sma-cross",
      symbol: "BTC/USDT",
      timeframe: "1d",
      params: ["fast=2..60:1", "slow=61..200:1"],
    };
    const a = (await call(api, "POST", "/v1/jobs/sweep", { token: agent, body })).body as Job;
    const b = (await call(api, "POST", "/v1/jobs/sweep", { token: agent, body })).body as Job;
    const cb = await call(api, "POST", "/v1/jobs/cancel", { token: agent, body: { id: b.id } });
    expect((cb.body as Job).state).toBe("cancelled");
    await call(api, "POST", "/v1/jobs/cancel", { token: agent, body: { id: a.id } });
    const ea = await finished(a.id);
    // a fast machine may finish the first before the cancel lands; either way it ended once
    expect(["cancelled", "done"]).toContain(ea.state);
    const again = await call(api, "POST", "/v1/jobs/cancel", { token: agent, body: { id: b.id } });
    expect(again.status).toBe(409);
    const live = await call(api, "POST", "/v1/jobs/trade", {
      token: agent,
      body: { strategy: "sma-cross", symbols: "BTC/USDT", timeframe: "1d", live: true, exchange: "binance" },
    });
    expect(live.status).toBe(403);
  }, 120_000);

  it("jobs a stopped server left queued or running are 'interrupted' at the next start", () => {
    const h = bundledHome("kairos-api-interrupt-", []);
    const c1 = createContainer({ home: h });
    const now = Date.now();
    for (const [id, state] of [
      ["job-aaaaaaaaaaaa", "running"],
      ["job-bbbbbbbbbbbb", "queued"],
      ["job-cccccccccccc", "done"],
    ] as const)
      c1.jobStore.insert({
        id,
        kind: "sweep_start",
        state,
        by: "agent:x",
        input: {},
        createdAt: now,
        startedAt: null,
        endedAt: null,
        progress: null,
        result: state === "done" ? { ok: 1 } : null,
        error: null,
      });
    c1.close();
    const c2 = createContainer({ home: h });
    const jobs = new JobService(c2.jobStore, c2.clock);
    expect(jobs.recoverInterrupted()).toBe(2);
    expect(jobs.get({ id: "job-aaaaaaaaaaaa" }).state).toBe("interrupted");
    expect(jobs.get({ id: "job-bbbbbbbbbbbb" }).state).toBe("interrupted");
    expect(jobs.get({ id: "job-cccccccccccc" })).toMatchObject({ state: "done", result: { ok: 1 } });
    c2.close();
  });

  it("a client that does not read is dropped (close 4008) and publishing never waits for it", async () => {
    const slow = await openStream(api, agent);
    const fast = await openStream(api, agent);
    for (const s of [slow, fast]) {
      s.send({ subscribe: ["alerts"] });
      await s.nextReply();
    }
    // the slow client stops reading its socket
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const hub = api.server!.hub;
    const big = "x".repeat(16 * 1024);
    const dropped = hub.stats.dropped;
    const clients = hub.stats.clients;
    let rounds = 0;
    for (let i = 0; i < 8 * (MAX_BUFFERED_BYTES / big.length) && hub.stats.dropped === dropped; i++) {
      for (let k = 0; k < 8; k++) hub.publish("alerts", "test", { i, k, big });
      hub.flush();
      rounds++;
      await new Promise((r) => setImmediate(r));
    }
    // dropped once its unsent bytes passed the bound, not buffered without end
    expect(hub.stats.dropped).toBe(dropped + 1);
    expect(rounds).toBeLessThan(8 * (MAX_BUFFERED_BYTES / big.length));
    expect(hub.stats.clients).toBe(clients - 1);
    await until(() => fast.events.length > 0, "the fast client's events");
    fast.ws.close();
    slow.ws.terminate();
  }, 60_000);

  it("a reused read reply follows the store: a candle replaced in place (same rows, same range) is answered anew", async () => {
    const key = { exchange: "binance", symbol: "BTC/USDT", timeframe: "1d" } as const;
    const body = { symbol: "BTC/USDT", timeframe: "1d", rows: 1 };
    const tailClose = async () =>
      (
        (await call(api, "POST", "/v1/data/show", { token: agent, body })).body as {
          tail: { close: number }[];
        }
      ).tail.at(-1)!.close;
    const before = await tailClose();
    expect(await tailClose()).toBe(before);
    const info = api.c.store.info(key)!;
    const last = api.c.store.read(key, { from: info.last });
    const px = Float64Array.of(before + 1234.5);
    api.c.store.upsert({ ...last, open: px, high: px, low: px, close: px } as never, { replace: true });
    expect(api.c.store.info(key)!.rows).toBe(info.rows);
    expect(await tailClose()).toBe(before + 1234.5);
  });
});
