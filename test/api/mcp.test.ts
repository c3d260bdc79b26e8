// MCP over stdio with the SDK's own client: the tools are the read use cases only, each answers as
// the HTTP API does on the same home, bad arguments are the error table's MCP code, nothing acts
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_TABLE } from "../../src/errors.ts";
import { OPERATIONS } from "../../src/shells/http/operations.ts";
import { UNTRUSTED_NOTE } from "../../src/shells/mcp/server.ts";
import { bundledHome, ROOT, runKairosInProcess } from "../support/cli.ts";
import { apiOn, call } from "./support.ts";

const home = bundledHome("kairos-api-mcp-", ["binance_BTC-USDT_1d.csv"]);
let token = "";
const api = apiOn(home, async (c) => {
  token = c.auth.createAgentToken({ name: "mcp-compare" }).token;
  // a written limits file, so both faces read the same limits (the defaults carry the current time)
  const r = await runKairosInProcess(["risk", "set", "maxOrderValue", "500", "--by", "mcp-test"], { home });
  if (r.code !== 0) throw new Error(r.stderr);
});
const client = new Client({ name: "kairos-test", version: "0.0.0" });
let stderr = "";

beforeAll(async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(ROOT, "bin/kairos.js"), "--home", home, "mcp"],
    env: { ...(process.env as Record<string, string>), KAIROS_HOME: "" },
    stderr: "pipe",
  });
  transport.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  await client.connect(transport);
}, 120_000);
afterAll(() => client.close());

const text = (r: Awaited<ReturnType<Client["callTool"]>>): unknown =>
  JSON.parse((r.content as { type: string; text: string }[])[0]!.text);

describe("MCP over stdio (Same answers)", () => {
  it("lists exactly the read operations; no person-only tool, nothing that acts", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    expect(names).toEqual(
      OPERATIONS.filter((o) => o.access === "read")
        .map((o) => o.id)
        .sort(),
    );
    for (const p of OPERATIONS.filter((o) => o.access === "person")) expect(names).not.toContain(p.id);
    expect(names.filter((n) => /approve|kill|resume|limit|key|withdraw|transfer|live|order/.test(n))).toEqual(
      [],
    );
    for (const t of tools) expect(t.annotations?.readOnlyHint).toBe(true);
  });

  it("every tool result marks its outside text as untrusted", async () => {
    const r = await client.callTool({ name: "strategies_list", arguments: {} });
    const parts = r.content as { type: string; text: string }[];
    expect(parts[1]?.text).toBe(UNTRUSTED_NOTE);
    expect(r._meta?.["kairos/untrusted"]).toBeDefined();
  });

  const calls: [string, Record<string, unknown> | undefined, string, string][] = [
    ["data_list", undefined, "GET", "/v1/data/series"],
    ["data_show", { symbol: "BTC/USDT", timeframe: "1d", rows: 2 }, "POST", "/v1/data/show"],
    ["indicators_list", undefined, "GET", "/v1/indicators"],
    [
      "indicators_compute",
      { indicator: "sma", params: { period: 20 }, series: { symbol: "BTC/USDT", timeframe: "1d" } },
      "POST",
      "/v1/indicators/compute",
    ],
    ["strategies_list", undefined, "GET", "/v1/strategies"],
    ["trade_list", undefined, "GET", "/v1/trade/sessions"],
    ["models_list", undefined, "GET", "/v1/models"],
    ["risk_show", undefined, "GET", "/v1/risk"],
    ["strategies_show", { name: "sma-cross" }, "POST", "/v1/strategies/show"],
    [
      "backtest_run",
      { strategy: "sma-cross", symbols: ["BTC/USDT"], timeframe: "1d", from: "2023-06-01" },
      "POST",
      "/v1/backtest",
    ],
  ];
  for (const [tool, args, method, path] of calls)
    it(`${tool}: the MCP result equals HTTP ${method} ${path}`, async () => {
      const viaMcp = text(await client.callTool({ name: tool, arguments: args ?? {} }));
      const viaHttp = await call(api, method, path, { token, ...(args === undefined ? {} : { body: args }) });
      expect(viaHttp.status).toBe(200);
      expect(viaMcp).toEqual(viaHttp.body);
    }, 60_000);

  it("every read tool is called at least once (trade_status and models_show below)", () => {
    expect(new Set(calls.map((c) => c[0])).size + 2).toBe(
      OPERATIONS.filter((o) => o.access === "read").length,
    );
  });

  it("trade_status with no session and bad arguments are errors with the table's MCP codes", async () => {
    await expect(client.callTool({ name: "trade_status", arguments: {} })).rejects.toMatchObject({
      code: ERROR_TABLE.NOT_FOUND.mcp,
    });
    const bad = await client
      .callTool({ name: "data_show", arguments: { symbol: "BTC/USDT", timeframe: "7x" } })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(McpError);
    expect(bad).toMatchObject({
      code: ERROR_TABLE.INVALID_INPUT.mcp,
      data: { code: "INVALID_INPUT", details: { field: "timeframe" } },
    });
    await expect(
      client.callTool({ name: "auth_agent_token_create", arguments: { name: "x" } }),
    ).rejects.toMatchObject({ code: ERROR_TABLE.NOT_FOUND.mcp });
    await expect(
      client.callTool({
        name: "backtest_run",
        arguments: { strategy: "sma-cross", symbols: ["BTC/USDT"], timeframe: "1d", userModule: {} },
      }),
    ).rejects.toMatchObject({ code: ERROR_TABLE.INVALID_INPUT.mcp });
    expect(stderr).not.toMatch(/tool failed/);
  }, 60_000);
});

describe("MCP over streamable HTTP at /mcp under kairos serve", () => {
  it("an agent token lists the same tools and gets the same answers as over stdio; no token, no MCP", async () => {
    const http = new Client({ name: "kairos-test-http", version: "0.0.0" });
    await http.connect(
      new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      }),
    );
    try {
      const [a, b] = [(await http.listTools()).tools, (await client.listTools()).tools];
      expect(a.map((t) => t.name)).toEqual(b.map((t) => t.name));
      const args = { symbol: "BTC/USDT", timeframe: "1d", rows: 2 };
      expect(text(await http.callTool({ name: "data_show", arguments: args }))).toEqual(
        text(await client.callTool({ name: "data_show", arguments: args })),
      );
      await expect(http.callTool({ name: "trade_status", arguments: {} })).rejects.toMatchObject({
        code: ERROR_TABLE.NOT_FOUND.mcp,
      });
    } finally {
      await http.close();
    }
    const anon = new Client({ name: "anon", version: "0.0.0" });
    await expect(
      anon.connect(new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`))),
    ).rejects.toThrow();
    const raw = await call(api, "POST", "/mcp", { body: { jsonrpc: "2.0", id: 1, method: "tools/list" } });
    expect(raw.status).toBe(401);
  }, 60_000);
});
