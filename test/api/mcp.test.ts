// MCP with the SDK's own client over stdio and over streamable HTTP: the tools are the read use
// cases and propose_order only; every tool is called over both transports and answers as the REST
// route does on the same home; propose_order stores a proposal (no order) with what a person must
// do; bad arguments are the error table's MCP code
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTrading } from "../../src/app/trade-start.ts";
import { ERROR_TABLE } from "../../src/errors.ts";
import { OPERATIONS } from "../../src/shells/http/operations.ts";
import { MCP_TOOLS, UNTRUSTED_NOTE } from "../../src/shells/mcp/server.ts";
import { bundledHome, ROOT, runKairosInProcess } from "../support/cli.ts";
import { apiOn, call } from "./support.ts";

const home = bundledHome("kairos-api-mcp-", ["binance_BTC-USDT_1d.csv"]);
let token = "";
let person = "";
const api = apiOn(home, async (c) => {
  token = c.auth.createAgentToken({ name: "mcp-compare" }).token;
  await c.auth.setPassword({ password: "mcp-test-password-1" });
  person = (await c.auth.login({ password: "mcp-test-password-1" })).token;
  // a paper session (its decisions, orders and fills are in the audit log) for the session tools
  await startTrading(c.trading(), {
    id: "m1",
    strategy: "sma-cross",
    params: { fast: 5, slow: 20 },
    symbols: "BTC/USDT",
    timeframe: "1d",
    from: "2024-01-01",
    to: "2024-04-01",
    capital: 800,
  });
  // a written limits file, so both faces read the same limits (the defaults carry the current time)
  const r = await runKairosInProcess(["risk", "set", "maxOrderValue", "500", "--by", "mcp-test"], { home });
  if (r.code !== 0) throw new Error(r.stderr);
});
const client = new Client({ name: "kairos-test", version: "0.0.0" });
const httpClient = new Client({ name: "kairos-test-http", version: "0.0.0" });
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
  await httpClient.connect(
    new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
}, 120_000);
afterAll(async () => {
  await client.close();
  await httpClient.close();
});

const text = (r: Awaited<ReturnType<Client["callTool"]>>): unknown =>
  JSON.parse((r.content as { type: string; text: string }[])[0]!.text);

describe("MCP over stdio (Same answers)", () => {
  it("lists exactly the read operations and propose_order; no person-only tool, nothing else that acts", async () => {
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name).sort();
    expect(names).toEqual(
      [...OPERATIONS.filter((o) => o.access === "read").map((o) => o.id), "propose_order"].sort(),
    );
    for (const p of OPERATIONS.filter((o) => o.access !== "read")) expect(names).not.toContain(p.id);
    expect(
      names.filter((n) =>
        /approve|reject|kill|resume|limit|set|key|withdraw|transfer|live|start|cancel/.test(n),
      ),
    ).toEqual([]);
    for (const t of tools) expect(t.annotations?.readOnlyHint).toBe(t.name !== "propose_order");
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
    ["data_candles", { symbol: "BTC/USDT", timeframe: "1d", last: 3 }, "POST", "/v1/data/candles"],
    ["strategies_list", undefined, "GET", "/v1/strategies"],
    ["strategies_show", { name: "sma-cross" }, "POST", "/v1/strategies/show"],
    [
      "backtest_run",
      { strategy: "sma-cross", symbols: ["BTC/USDT"], timeframe: "1d", from: "2023-06-01" },
      "POST",
      "/v1/backtest",
    ],
    ["screen_list", undefined, "GET", "/v1/screen/runs"],
    ["screen_show", { id: "s-20200101-000000" }, "POST", "/v1/screen/show"],
    ["models_list", undefined, "GET", "/v1/models"],
    ["models_show", { id: "m-none" }, "POST", "/v1/models/show"],
    ["models_predict", { id: "m-none" }, "POST", "/v1/models/predict"],
    ["trade_list", undefined, "GET", "/v1/trade/sessions"],
    ["trade_status", { id: "m1" }, "POST", "/v1/trade/status"],
    ["trade_drift", { id: "m1" }, "POST", "/v1/trade/drift"],
    ["trade_fills", { id: "m1" }, "POST", "/v1/trade/fills"],
    ["approvals_list", { state: "all" }, "POST", "/v1/approvals/list"],
    ["risk_show", undefined, "GET", "/v1/risk"],
    ["risk_state", undefined, "GET", "/v1/risk/state"],
    ["audit_verify", {}, "POST", "/v1/audit/verify"],
    ["audit_show", { decision: "m1/1" }, "POST", "/v1/audit/show"],
    ["brief", { timeframe: "1d", save: false }, "POST", "/v1/brief"],
    ["news_list", {}, "POST", "/v1/news/list"],
    ["jobs_list", {}, "GET", "/v1/jobs"],
    ["jobs_get", { id: "job-000000000000" }, "POST", "/v1/jobs/get"],
  ];
  const answer = async (c: Client, tool: string, args: Record<string, unknown> | undefined) => {
    try {
      return { ok: text(await c.callTool({ name: tool, arguments: args ?? {} })) };
    } catch (e) {
      return { error: (e as McpError).code, data: ((e as McpError).data as { code: string }).code };
    }
  };
  for (const [tool, args, method, path] of calls)
    it(`${tool}: over stdio and over HTTP the MCP answer equals REST ${method} ${path}`, async () => {
      const viaStdio = await answer(client, tool, args);
      const viaHttpMcp = await answer(httpClient, tool, args);
      const rest = await call(api, method, path, {
        token,
        ...(args === undefined || method === "GET" ? {} : { body: args }),
      });
      const viaRest =
        rest.status === 200
          ? { ok: rest.body }
          : {
              error: ERROR_TABLE[(rest.body as { error: { code: keyof typeof ERROR_TABLE } }).error.code].mcp,
              data: (rest.body as { error: { code: string } }).error.code,
            };
      expect(viaStdio).toEqual(viaRest);
      expect(viaHttpMcp).toEqual(viaRest);
    }, 60_000);

  it("every tool is called (the table above and propose_order below), most with a result", () => {
    expect([...new Set(calls.map((c) => c[0])), "propose_order"].sort()).toEqual(
      MCP_TOOLS.map((t) => t.id).sort(),
    );
  });

  it("propose_order stores a proposal and no order; the agent cannot approve it; a person can, through the API", async () => {
    const orders = () => api.c.trading().orders.ordersOf("m1").length;
    const before = orders();
    const r = text(
      await client.callTool({
        name: "propose_order",
        arguments: { sessionId: "m1", symbol: "BTC/USDT", side: "buy", quantity: "0.001", note: "test" },
      }),
    ) as {
      id: string;
      state: string;
      placed: boolean;
      whatAPersonMustDo: string;
      proposedBy: { kind: string };
    };
    expect(r).toMatchObject({ state: "pending", placed: false, proposedBy: { kind: "agent" } });
    expect(r.whatAPersonMustDo).toContain(`kairos approvals approve ${r.id}`);
    expect(orders()).toBe(before);
    // no MCP tool approves, and the agent's token is refused on the person's route
    await expect(
      client.callTool({ name: "approvals_approve", arguments: { id: r.id } }),
    ).rejects.toMatchObject({
      code: ERROR_TABLE.NOT_FOUND.mcp,
    });
    expect((await call(api, "POST", "/v1/approvals/approve", { token, body: { id: r.id } })).status).toBe(
      403,
    );
    expect(orders()).toBe(before);
    const ok = await call(api, "POST", "/v1/approvals/approve", { token: person, body: { id: r.id } });
    expect(ok.status, ok.text).toBe(200);
    expect((ok.body as { decidedBy: { kind: string; channel: string } }).decidedBy).toMatchObject({
      kind: "person",
      channel: "http",
    });
  }, 60_000);

  it("unknown sessions and bad arguments are errors with the table's MCP codes", async () => {
    const bad = await client
      .callTool({ name: "data_show", arguments: { symbol: "BTC/USDT", timeframe: "7x" } })
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(McpError);
    expect(bad).toMatchObject({
      code: ERROR_TABLE.INVALID_INPUT.mcp,
      data: { code: "INVALID_INPUT", details: { field: "timeframe" } },
    });
    await expect(client.callTool({ name: "trade_status", arguments: { id: "nope" } })).rejects.toMatchObject({
      code: ERROR_TABLE.NOT_FOUND.mcp,
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
      await expect(http.callTool({ name: "trade_status", arguments: { id: "nope" } })).rejects.toMatchObject({
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
