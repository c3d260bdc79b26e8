// MCP's backtest tool computes on a job thread, as POST /v1/backtest does, over both transports:
// over streamable HTTP (/mcp under the API server, in this process) /health is answered throughout
// a backtest over every stored 5m bar and the server's event loop never stalls for long; over
// stdio (`kairos mcp`, a child process) a quick tool called after the backtest is answered before
// it. Both replies are the REST route's on the same home.
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiOn, call, whileRunning } from "../api/support.ts";
import { bundledHome, ROOT } from "../support/cli.ts";

const home = bundledHome("kairos-mcp-off-loop-", [
  "binance_BTC-USDT_5m.csv.gz",
  "binance_ETH-USDT_5m.csv.gz",
]);
let token = "";
const api = apiOn(home, async (c) => {
  token = c.auth.createAgentToken({ name: "mcp-off-loop" }).token;
});
const stdio = new Client({ name: "kairos-off-loop-stdio", version: "0.0.0" });
const http = new Client({ name: "kairos-off-loop-http", version: "0.0.0" });

beforeAll(async () => {
  await stdio.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [join(ROOT, "bin/kairos.js"), "--home", home, "mcp"],
      env: { ...(process.env as Record<string, string>), KAIROS_HOME: "" },
      stderr: "pipe",
    }),
  );
  await http.connect(
    new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
}, 120_000);
afterAll(async () => {
  await stdio.close();
  await http.close();
});

/** a portfolio backtest over every stored 5m bar of both symbols (143,536 candles) */
const BACKTEST = {
  strategy: "sma-cross",
  params: { fast: 20, slow: 100 },
  symbols: "BTC/USDT,ETH/USDT",
  timeframe: "5m",
};
const text = (r: Awaited<ReturnType<Client["callTool"]>>): unknown =>
  JSON.parse((r.content as { type: string; text: string }[])[0]!.text);

describe("MCP's backtest tool runs off the event loop", () => {
  it("over HTTP: /health answered throughout, the loop never held for long, the reply the REST route's", async () => {
    const before = api.server!.jobHost.stats.calls;
    const r = await whileRunning(api, () => http.callTool({ name: "backtest_run", arguments: BACKTEST }));
    expect(r.value.isError ?? false).toBe(false);
    expect(api.server!.jobHost.stats.calls).toBe(before + 1);
    // on the server's loop the backtest would hold it, and every health request, for most of its time
    expect(r.healthDuring, JSON.stringify({ ...r, value: undefined })).toBeGreaterThanOrEqual(10);
    expect(r.lagMaxMs, JSON.stringify({ ...r, value: undefined })).toBeLessThan(r.callMs / 4);
    const rest = await call(api, "POST", "/v1/backtest", { token, body: BACKTEST });
    expect(rest.status).toBe(200);
    expect(text(r.value)).toEqual(rest.body);
  }, 180_000);

  it("over stdio: a quick tool called after the backtest is answered before it; the same reply", async () => {
    const order: string[] = [];
    const long = stdio.callTool({ name: "backtest_run", arguments: BACKTEST }).then((v) => {
      order.push("backtest");
      return v;
    });
    const quick = stdio.callTool({ name: "strategies_list", arguments: {} }).then((v) => {
      order.push("strategies_list");
      return v;
    });
    const [bt, sl] = await Promise.all([long, quick]);
    expect(order).toEqual(["strategies_list", "backtest"]);
    expect(sl.isError ?? false).toBe(false);
    const rest = await call(api, "POST", "/v1/backtest", { token, body: BACKTEST });
    expect(text(bt)).toEqual(rest.body);
    // shell-only and invalid arguments are still the error table's coded error, answered without a thread
    await expect(
      stdio.callTool({ name: "backtest_run", arguments: { ...BACKTEST, userModule: "x.js" } }),
    ).rejects.toThrow(/userModule/);
  }, 180_000);
});
