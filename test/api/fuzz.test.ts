// S5 fuzz: bodies generated from the /openapi.json request schemas (their field names with values of
// every JSON kind) and random bytes, to every POST route with a person's and an agent's token; MCP
// tool arguments; WebSocket messages (JSON, random text and binary frames). 0 5xx, 0 foreign errors
// in the server log, every refusal carries an error code from the table, and invalid input changes
// nothing (tokens, jobs, proposals, sessions, limits, trading state, stored series, subscriptions).
// KAIROS_FUZZ_RUNS sets the count per surface (CI default 1,000, fixed seed KAIROS_FUZZ_SEED or 18).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readTradingState } from "../../src/app/risk-trading-state.ts";
import { ERROR_CODES, ERROR_TABLE } from "../../src/errors.ts";
import { bundledHome } from "../support/cli.ts";
import { apiOn, call } from "./support.ts";
import { openStream, until } from "./ws-support.ts";

const RUNS = Number(process.env.KAIROS_FUZZ_RUNS ?? 1000);
const SEED = Number(process.env.KAIROS_FUZZ_SEED ?? 18);
const PASSWORD = "fuzz-test-password-1";
const home = bundledHome("kairos-api-fuzz-", ["binance_BTC-USDT_1d.csv"]);
let agent = "";
let person = "";
const api = apiOn(home, async (c) => {
  await c.auth.setPassword({ password: PASSWORD });
  agent = c.auth.createAgentToken({ name: "fuzz" }).token;
  person = (await c.auth.login({ password: PASSWORD })).token;
});

type Doc = {
  paths: Record<
    string,
    Record<
      string,
      {
        requestBody?: {
          content: { "application/json": { schema: { properties?: Record<string, unknown> } } };
        };
      }
    >
  >;
};

const value = fc.oneof(
  fc.string(),
  fc.constantFrom(
    "14",
    "0.1%",
    "1e999",
    "-1",
    "2024-01-01",
    "BTC/USDT",
    "1d",
    "7x",
    "",
    "NaN",
    "__proto__",
    "sma-cross",
    "rsi",
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string(), fc.integer()), { maxKeys: 3 }),
);

describe("S5 fuzz: REST", () => {
  it(`${RUNS} generated bodies and byte strings: no 5xx, coded 4xx, no state change from invalid input`, async () => {
    const doc = (await call(api, "GET", "/openapi.json")).body as Doc;
    const posts = Object.entries(doc.paths)
      // model-claims takes no input (any body starts its job); logout ends the fuzzer's own session
      .filter(
        ([p, ms]) => ms.post !== undefined && !["/auth/logout", "/mcp", "/v1/jobs/model-claims"].includes(p),
      )
      .map(([p, ms]) => ({
        path: p,
        fields: Object.keys(ms.post!.requestBody?.content["application/json"].schema.properties ?? {}),
      }));
    expect(posts.length).toBeGreaterThanOrEqual(8);
    const body = (fields: string[]) =>
      fc.oneof(
        fc
          .record(Object.fromEntries(fields.map((f) => [f, value])), { requiredKeys: [] })
          .map((o) => JSON.stringify(o)),
        fc.jsonValue().map((v) => JSON.stringify(v)),
        fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString("latin1")),
      );
    // everything a route could change, read from the stores themselves
    const stateOf = () =>
      JSON.stringify([
        api.c.auth.listTokens().length,
        api.server!.jobs.list(1000).length,
        api.c
          .trading()
          .orders.listSessions()
          .map((s) => [s.id, s.state]),
        api.c.trading().approvals?.store.list({}).length,
        readTradingState(api.c.home).state,
        api.c.store.list(),
      ]);
    const tokenCount = stateOf;
    const counts = { "2xx": 0, "4xx": 0, "5xx": 0 };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...posts), fc.boolean(), fc.nat(), async (route, asPerson, seed) => {
        const text = fc.sample(body(route.fields), { numRuns: 1, seed })[0]!;
        const before = tokenCount();
        const r = await call(api, "POST", route.path, { token: asPerson ? person : agent, body: text });
        // login: wrong passwords lock it (429) after 10 a minute; still never a 5xx
        if (route.path === "/auth/login") {
          expect(r.status).toBeLessThan(500);
          return;
        }
        if (r.status >= 500) counts["5xx"]++;
        else if (r.status >= 400) counts["4xx"]++;
        else counts["2xx"]++;
        expect(r.status, `${route.path} ${text}`).toBeLessThan(500);
        if (r.status >= 400) {
          expect(ERROR_CODES).toContain((r.body as { error: { code: string } }).error.code);
          expect(tokenCount()).toBe(before);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    // valid bodies may have queued jobs: stop them before the next surface
    for (const j of api.server!.jobs.list(1000))
      if (j.state === "queued" || j.state === "running") api.server!.jobs.cancel({ id: j.id });
    expect(api.log).toEqual([]);
    expect(counts["5xx"]).toBe(0);
    expect(counts["4xx"]).toBeGreaterThan(RUNS / 4);
    process.stdout.write(`S5 REST fuzz: ${JSON.stringify(counts)}\n`);
  }, 600_000);
});

describe("S5 fuzz: MCP tool arguments", () => {
  it(`${RUNS} generated tool calls over /mcp: results or the error table's MCP codes, nothing else`, async () => {
    const client = new Client({ name: "fuzz", version: "0.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${api.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${agent}` } },
      }),
    );
    const tools = (await client.listTools()).tools.map((t) => ({
      name: t.name,
      fields: Object.keys((t.inputSchema.properties ?? {}) as Record<string, unknown>),
    }));
    const mcpCodes = Object.values(ERROR_TABLE).map((e) => e.mcp);
    const counts = { ok: 0, coded: 0 };
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...tools, { name: "approve_order", fields: ["id"] }),
          fc.nat(),
          async (tool, seed) => {
            const args = fc.sample(
              fc.record(Object.fromEntries([...tool.fields, "extra"].map((f) => [f, value])), {
                requiredKeys: [],
              }),
              { numRuns: 1, seed },
            )[0]!;
            try {
              await client.callTool({ name: tool.name, arguments: args });
              counts.ok++;
            } catch (e) {
              expect(e).toBeInstanceOf(McpError);
              expect(mcpCodes).toContain((e as McpError).code);
              counts.coded++;
            }
          },
        ),
        { numRuns: RUNS, seed: SEED },
      );
    } finally {
      await client.close();
    }
    expect(api.log).toEqual([]);
    expect(counts.coded).toBeGreaterThan(RUNS / 4);
    process.stdout.write(`S5 MCP fuzz: ${JSON.stringify(counts)}\n`);
  }, 600_000);
});

describe("S5 fuzz: WebSocket messages", () => {
  it(`${RUNS} generated messages (JSON commands, random text, binary): coded errors or answers, the stream stays up, nothing changes`, async () => {
    const s = await openStream(api, agent);
    const command = fc.oneof(
      fc.record(
        {
          subscribe: fc.oneof(
            fc.array(fc.constantFrom("candles", "signals", "orders", "alerts", "jobs", "keys", "")),
            value,
          ),
          unsubscribe: fc.oneof(fc.array(fc.constantFrom("candles", "jobs", "x")), value),
          ping: value,
          approve: value,
          token: value,
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    );
    const valid = fc.record({
      subscribe: fc.uniqueArray(fc.constantFrom("candles", "signals", "orders", "alerts", "jobs")),
    });
    const message = fc.oneof(
      { arbitrary: command.map((v) => JSON.stringify(v)), weight: 6 },
      { arbitrary: valid.map((v) => JSON.stringify(v)), weight: 2 },
      { arbitrary: fc.string({ maxLength: 200 }), weight: 2 },
      { arbitrary: fc.uint8Array({ maxLength: 128 }).map((b) => Buffer.from(b)), weight: 2 },
      { arbitrary: fc.constant("x".repeat(5000)), weight: 1 },
    );
    const counts = { answered: 0, coded: 0 };
    const before = JSON.stringify([api.c.auth.listTokens().length, readTradingState(api.c.home).state]);
    let tooBig = 0;
    await fc.assert(
      fc.asyncProperty(message, async (m) => {
        if (typeof m === "string" && m.length > 4096) {
          // beyond the message limit the server closes this connection (1009) and nothing else
          const big = await openStream(api, agent);
          big.send(m);
          expect((await big.closed).code).toBe(1009);
          tooBig++;
          return;
        }
        const n = s.replies.length;
        s.ws.send(m);
        await until(() => s.replies.length > n, "a reply", 10_000);
        const r = s.replies[n]!;
        if ("error" in r) {
          expect(ERROR_CODES).toContain((r.error as { code: string }).code);
          expect((r.error as { code: string }).code).not.toBe("INTERNAL");
          counts.coded++;
        } else {
          expect(Object.keys(r).some((k) => k === "subscribed" || k === "pong")).toBe(true);
          counts.answered++;
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expect(s.ws.readyState).toBe(s.ws.OPEN);
    expect(JSON.stringify([api.c.auth.listTokens().length, readTradingState(api.c.home).state])).toBe(before);
    expect(api.log).toEqual([]);
    expect(counts.coded).toBeGreaterThan(RUNS / 4);
    s.ws.close();
    process.stdout.write(`S5 WebSocket fuzz: ${JSON.stringify({ ...counts, tooBig })}\n`);
  }, 600_000);
});
