// Same answers: every API route over a use case returns what `kairos ... --json` prints on the same home
import { describe, expect, it } from "vitest";
import { bundledHome, runKairosInProcess } from "../support/cli.ts";
import { apiOn, call } from "./support.ts";

const home = bundledHome("kairos-api-same-", ["binance_BTC-USDT_1d.csv", "binance_ETH-USDT_1d.csv"]);
let token = "";
const api = apiOn(home, async (c) => {
  token = c.auth.createAgentToken({ name: "same-answers" }).token;
});

const cli = async (args: string[]): Promise<unknown> => {
  const r = await runKairosInProcess(["--json", ...args], { home });
  if (r.code !== 0)
    return {
      exit: r.code,
      error: (JSON.parse(r.stderr.trim().split("\n").at(-1)!) as { error: { code: string } }).error.code,
    };
  return JSON.parse(r.stdout);
};

const http = async (method: string, path: string, body?: unknown): Promise<unknown> => {
  const r = await call(api, method, path, { token, ...(body === undefined ? {} : { body }) });
  if (r.status !== 200)
    return { status: r.status, error: (r.body as { error: { code: string } }).error.code };
  return r.body;
};

describe("Same answers", () => {
  const cases: [string, string[], string, string, unknown?][] = [
    ["data list", ["data", "list"], "GET", "/v1/data/series"],
    [
      "data show",
      ["data", "show", "--symbol", "BTC/USDT", "--timeframe", "1d", "--from", "2024-01-01", "--rows", "3"],
      "POST",
      "/v1/data/show",
      { symbol: "BTC/USDT", timeframe: "1d", from: "2024-01-01", rows: "3" },
    ],
    ["strategies list", ["strategies", "list"], "GET", "/v1/strategies"],
    ["trade list", ["trade", "list"], "GET", "/v1/trade/sessions"],
    ["model list", ["model", "list"], "GET", "/v1/models"],
    [
      "strategies show",
      ["strategies", "show", "donchian-breakout"],
      "POST",
      "/v1/strategies/show",
      { name: "donchian-breakout" },
    ],
    [
      "indicators compute",
      [
        "indicators",
        "compute",
        "rsi",
        "--period",
        "14",
        "--symbol",
        "ETH/USDT",
        "--timeframe",
        "1d",
        "--last",
        "20",
      ],
      "POST",
      "/v1/indicators/compute",
      { indicator: "rsi", params: { period: 14 }, series: { symbol: "ETH/USDT", timeframe: "1d" }, last: 20 },
    ],
    [
      "backtest",
      [
        "backtest",
        "sma-cross",
        "--symbol",
        "BTC/USDT",
        "--timeframe",
        "1d",
        "--fast",
        "10",
        "--slow",
        "30",
        "--fee",
        "0.1%",
        "--from",
        "2023-01-01",
      ],
      "POST",
      "/v1/backtest",
      {
        strategy: "sma-cross",
        params: { fast: 10, slow: 30 },
        symbols: ["BTC/USDT"],
        timeframe: "1d",
        fee: "0.1%",
        from: "2023-01-01",
      },
    ],
  ];
  for (const [name, args, method, path, body] of cases)
    it(`${name}: HTTP ${method} ${path} = CLI --json`, async () => {
      const [a, b] = [await http(method, path, body), await cli(args)];
      expect(a).toEqual(b);
      // a new home has no sessions and no models: [] on both faces; the rest carry real results
      if (path === "/v1/trade/sessions" || path === "/v1/models") expect(a).toEqual([]);
      else expect(JSON.stringify(a).length).toBeGreaterThan(50);
    }, 120_000);

  it("trade status with no session: the same error code, HTTP status from the error table (404)", async () => {
    expect(await http("POST", "/v1/trade/status", {})).toEqual({ status: 404, error: "NOT_FOUND" });
    expect(await cli(["trade", "status"])).toEqual({ exit: 4, error: "NOT_FOUND" });
  });

  it("risk show: HTTP GET /v1/risk = CLI --json (after a risk set, so both read one file)", async () => {
    expect(
      (await runKairosInProcess(["risk", "set", "maxOrderValue", "500", "--by", "api-test"], { home })).code,
    ).toBe(0);
    const [a, b] = [await http("GET", "/v1/risk"), await cli(["risk", "show"])];
    expect(a).toEqual(b);
    expect((a as { written: boolean }).written).toBe(true);
  });

  it("model show of an unknown id: the same error code on both faces", async () => {
    const [a, b] = [
      await http("POST", "/v1/models/show", { id: "gbdt-000000000000" }),
      await cli(["model", "show", "gbdt-000000000000"]),
    ];
    expect((a as { error: string }).error).toBe((b as { error: string }).error);
  });

  it("a bad field is the contract's INVALID_INPUT with the field path (400), as the CLI's exit 2", async () => {
    const r = await call(api, "POST", "/v1/indicators/compute", {
      token,
      body: { indicator: "rsi", series: { symbol: "BTC/USDT", timeframe: "7x" } },
    });
    expect(r.status).toBe(400);
    expect((r.body as { error: { code: string; details: { field: string } } }).error).toMatchObject({
      code: "INVALID_INPUT",
      details: { field: "series.timeframe" },
    });
    const s = await call(api, "POST", "/v1/backtest", {
      token,
      body: { strategy: "sma-cross", symbols: ["BTC/USDT"], timeframe: "1d", userModule: {} },
    });
    expect(s.status).toBe(400);
    expect(api.log).toEqual([]);
  });
});

describe("Same answers: sessions, approvals, risk state, audit, screens, news, the brief", () => {
  it("after a paper session started from the CLI, every read of it is the same over HTTP and the CLI", async () => {
    const start = await runKairosInProcess(
      [
        "--json",
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
        "2024-01-01",
        "--to",
        "2024-04-01",
        "--capital",
        "800",
        "--id",
        "sa1",
      ],
      { home },
    );
    expect(start.code, start.stderr).toBe(0);
    const pairs: [string, string, unknown, string[]][] = [
      ["POST", "/v1/trade/status", { id: "sa1" }, ["trade", "status", "sa1"]],
      ["POST", "/v1/trade/drift", { id: "sa1" }, ["trade", "drift", "sa1"]],
      ["GET", "/v1/trade/sessions", undefined, ["trade", "list"]],
      ["GET", "/v1/risk/state", undefined, ["risk", "state"]],
      ["POST", "/v1/audit/verify", {}, ["audit", "verify"]],
      ["POST", "/v1/audit/show", { decision: "sa1/1" }, ["audit", "show", "--decision", "sa1/1"]],
      ["POST", "/v1/approvals/list", { state: "all" }, ["approvals", "list", "--state", "all"]],
      ["GET", "/v1/screen/runs", undefined, ["screen", "list"]],
      ["POST", "/v1/news/list", {}, ["news", "list"]],
      ["POST", "/v1/brief", { timeframe: "1d", save: false }, ["brief", "--timeframe", "1d", "--no-save"]],
    ];
    let nonEmpty = 0;
    for (const [method, path, body, args] of pairs) {
      const [a, b] = [await http(method, path, body), await cli(args)];
      expect(a, path).toEqual(b);
      if (JSON.stringify(a).length > 100) nonEmpty++;
    }
    // the session's reads carry real content (status, drift, list, verify, the audit walk, the brief)
    expect(nonEmpty).toBeGreaterThanOrEqual(6);
  }, 180_000);
});
