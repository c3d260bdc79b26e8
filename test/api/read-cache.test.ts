// Reused read replies (data list, data show, indicators) follow the stored market data written by
// any process, and only that: another connection's candle or funding write is answered anew at the
// next request, while writes to other tables (jobs, a trading session's orders) leave the home's
// data revision, and so the reused replies, alone.
import { describe, expect, it } from "vitest";
import { createContainer } from "../../src/composition-root.ts";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";
import { apiOn, call } from "./support.ts";

const home = bundledHome("kairos-api-read-cache-", ["binance_BTC-USDT_1d.csv"]);
let agent = "";
const api = apiOn(home, async (c) => {
  agent = c.auth.createAgentToken({ name: "read-cache" }).token;
});
const key = { exchange: "binance", symbol: "BTC/USDT", timeframe: "1d" } as const;

describe("reused read replies", () => {
  it("another process's candle write is seen at the next request; other tables' writes leave the revision alone", async () => {
    const other = createContainer({ home });
    try {
      const body = { symbol: "BTC/USDT", timeframe: "1d", rows: 1 };
      const tailClose = async () =>
        (
          (await call(api, "POST", "/v1/data/show", { token: agent, body })).body as {
            tail: { close: number }[];
          }
        ).tail.at(-1)!.close;
      const before = await tailClose();
      const rev = api.c.dataRevision();
      // writes elsewhere in kairos.db (a job record, a paper session) do not touch the revision
      other.jobStore.insert({
        id: "job-000000000000",
        kind: "backtest_start",
        state: "done",
        by: "agent:x",
        input: null,
        createdAt: 1,
        startedAt: 1,
        endedAt: 1,
        progress: null,
        result: null,
        error: null,
      });
      const job = (
        await call(api, "POST", "/v1/jobs/trade", {
          token: agent,
          body: {
            strategy: "sma-cross",
            symbols: "BTC/USDT",
            timeframe: "1d",
            from: "2025-06-01",
            capital: 800,
          },
        })
      ).body as { id: string };
      const t0 = Date.now();
      const stateOf = async () =>
        (
          (await call(api, "POST", "/v1/jobs/get", { token: agent, body: { id: job.id } })).body as {
            state: string;
          }
        ).state;
      while (["queued", "running"].includes(await stateOf()) && Date.now() - t0 < 60_000)
        await new Promise((r) => setTimeout(r, 50));
      expect(await stateOf()).toBe("done");
      expect(other.trading().orders.listSessions().length).toBe(1);
      expect(api.c.dataRevision()).toBe(rev);
      expect(await tailClose()).toBe(before);

      // a candle replaced in place by the other connection (same rows, same range)
      const info = other.store.info(key)!;
      const last = other.store.read(key, { from: info.last });
      const px = Float64Array.of(before + 777.25);
      other.store.upsert({ ...last, open: px, high: px, low: px, close: px } as never, { replace: true });
      expect(api.c.dataRevision()).toBeGreaterThan(rev);
      expect(await tailClose()).toBe(before + 777.25);

      // funding stored by the other connection shows in data list at once
      const listed = async () =>
        ((await call(api, "GET", "/v1/data/series", { token: agent })).body as { funding: unknown[] }).funding
          .length;
      expect(await listed()).toBe(0);
      other.funding.upsertFunding({
        exchange: "binance",
        symbol: "BTC/USDT:USDT",
        ts: Float64Array.of(Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1, 8)),
        rate: Float64Array.of(0.0001, 0.0002),
      });
      expect(await listed()).toBe(1);
    } finally {
      other.close();
    }
  }, 120_000);

  it("data show answers at most 1,000 candles from each end over HTTP (a coded 400 beyond, naming the field)", async () => {
    const body = (rows: number) => ({ symbol: "BTC/USDT", timeframe: "1d", rows });
    const ok = await call(api, "POST", "/v1/data/show", { token: agent, body: body(1000) });
    expect(ok.status).toBe(200);
    expect((ok.body as { head: unknown[] }).head).toHaveLength(1000);
    const big = await call(api, "POST", "/v1/data/show", { token: agent, body: body(1001) });
    expect(big.status).toBe(400);
    expect(big.body).toMatchObject({ error: { code: "INVALID_INPUT", details: { field: "rows" } } });
  });

  it("list routes answer a page at a time: ?limit and ?offset in the list's order, X-Total-Count, coded 400s, documented in /openapi.json", async () => {
    for (const id of ["page2", "page3"]) {
      const job = (
        await call(api, "POST", "/v1/jobs/trade", {
          token: agent,
          body: {
            id,
            strategy: "sma-cross",
            symbols: "BTC/USDT",
            timeframe: "1d",
            from: "2025-08-01",
            capital: 800,
          },
        })
      ).body as { id: string };
      const t0 = Date.now();
      for (;;) {
        const j = (await call(api, "POST", "/v1/jobs/get", { token: agent, body: { id: job.id } })).body as {
          state: string;
        };
        if (!["queued", "running"].includes(j.state)) break;
        if (Date.now() - t0 > 60_000) throw new Error("the session job did not end");
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const ids = async (q: string) => {
      const r = await call(api, "GET", `/v1/trade/sessions${q}`, { token: agent });
      return {
        status: r.status,
        total: r.headers.get("x-total-count"),
        ids: (r.body as { id: string }[]).map((s) => s.id),
      };
    };
    const all = await ids("");
    expect(all.ids.length).toBeGreaterThanOrEqual(3);
    expect(all.total).toBe(String(all.ids.length));
    expect(await ids("?limit=2")).toEqual({ status: 200, total: all.total, ids: all.ids.slice(0, 2) });
    expect((await ids(`?limit=2&offset=${all.ids.length - 1}`)).ids).toEqual(all.ids.slice(-1));
    expect((await ids(`?offset=${all.ids.length}`)).ids).toEqual([]);
    for (const q of ["?limit=0", "?limit=abc", "?limit=1001", "?offset=-1"]) {
      const r = await call(api, "GET", `/v1/trade/sessions${q}`, { token: agent });
      expect(r.status).toBe(400);
      expect((r.body as { error: { code: string; details: { field: string } } }).error.code).toBe(
        "INVALID_INPUT",
      );
    }
    const doc = (await call(api, "GET", "/openapi.json")).body as {
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    };
    for (const path of ["/v1/trade/sessions", "/v1/screen/runs", "/v1/models"])
      expect(doc.paths[path]!.get!.parameters!.map((p) => p.name)).toEqual(["limit", "offset"]);
  });

  it("a list's default page is 50; Link (RFC 8288) first/prev/next/last walk it, and the pages joined equal `kairos trade list --json`", async () => {
    // 120 stored sessions: copies of the previous test's real one, as a home that has traded a while
    const orders = api.c.trading().orders;
    const s0 = orders.getSession("page2")!;
    for (let i = 0; i < 120; i++)
      orders.createSession({
        ...s0,
        id: `copy${String(i).padStart(3, "0")}`,
        createdAt: s0.createdAt + 1 + i,
      });
    const cli = await runKairosInProcess(["--json", "trade", "list"], { home });
    expect(cli.code).toBe(0);
    const whole = JSON.parse(cli.stdout) as { id: string }[];
    expect(whole.length).toBeGreaterThanOrEqual(123);
    /** a Link header as { rel: target } */
    const linksOf = (h: string | null): Record<string, string> =>
      Object.fromEntries(
        (h ?? "")
          .split(", ")
          .filter((l) => l !== "")
          .map((l) => {
            const m = /^<([^>]+)>; rel="(\w+)"$/.exec(l);
            if (m === null) throw new Error(`not a Link value: ${l}`);
            return [m[2]!, m[1]!];
          }),
      );
    const first = await call(api, "GET", "/v1/trade/sessions", { token: agent });
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(50);
    expect(first.headers.get("x-total-count")).toBe(String(whole.length));
    const n = whole.length;
    expect(linksOf(first.headers.get("link"))).toEqual({
      next: "/v1/trade/sessions?limit=50&offset=50",
      last: `/v1/trade/sessions?limit=50&offset=${n - 50}`,
    });
    // following `next` from the first page visits every session once, in the CLI's order
    const walked: unknown[] = [];
    let next: string | undefined = "/v1/trade/sessions";
    let pages = 0;
    while (next !== undefined) {
      const r = await call(api, "GET", next, { token: agent });
      walked.push(...(r.body as unknown[]));
      const links = linksOf(r.headers.get("link"));
      if (pages > 0) expect(links.first).toBe("/v1/trade/sessions?limit=50&offset=0");
      next = links.next;
      pages++;
    }
    expect(pages).toBe(Math.ceil(n / 50));
    expect(walked).toEqual(whole);
    // `last` is the newest 50 (the list is oldest first); `prev` steps back a page
    const last = await call(api, "GET", `/v1/trade/sessions?limit=50&offset=${n - 50}`, { token: agent });
    expect(last.body).toEqual(whole.slice(-50));
    expect(linksOf(last.headers.get("link"))).toEqual({
      first: "/v1/trade/sessions?limit=50&offset=0",
      prev: `/v1/trade/sessions?limit=50&offset=${n - 100}`,
    });
    // an entry follows its session: a new last bar and a state written by another connection show
    // at the next request (the API reuses entries only while their session's head holds)
    const other = createContainer({ home });
    try {
      const o = other.trading().orders;
      o.setLastBar("copy000", Date.UTC(2026, 0, 2, 3));
      o.setState("copy001", "stopped");
    } finally {
      other.close();
    }
    const after = JSON.parse((await runKairosInProcess(["--json", "trade", "list"], { home })).stdout) as {
      id: string;
      state: string;
      lastBar?: string;
    }[];
    const moved = after.find((x) => x.id === "copy000")!;
    expect(moved.lastBar).toBe("2026-01-02T03:00:00.000Z");
    expect(after.find((x) => x.id === "copy001")!.state).toBe("stopped");
    expect((await call(api, "GET", "/v1/trade/sessions", { token: agent })).body).toEqual(after.slice(0, 50));
    whole.splice(0, whole.length, ...after);
    // a list that fits its page has no Link; the whole list in one page is still there for who asks
    const one = await call(api, "GET", `/v1/trade/sessions?limit=1000`, { token: agent });
    expect(one.body).toEqual(whole);
    expect(one.headers.get("link")).toBeNull();
    const doc = (await call(api, "GET", "/openapi.json")).body as {
      paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
    };
    expect(Object.keys(doc.paths["/v1/trade/sessions"]!.get!.responses["200"]!.headers!)).toEqual([
      "X-Total-Count",
      "Link",
    ]);
  }, 120_000);
});
