// S1 secrets over the API: a canary password and the issued tokens go through login, every route,
// forged and revoked tokens and error paths; afterwards no reply (other than the one that issues a
// token), no server log line, no CLI output and no byte of the database holds them, raw or encoded
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import { startSimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { auditAnchorDir } from "../../src/adapters/sqlite/sqlite-audit-log.ts";
import { buildApp } from "../../src/shells/http/app.ts";
import { mcpHttpHandler } from "../../src/shells/mcp/server.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { ROOT, runKairos, tempHome } from "../support/cli.ts";
import { apiOn, call } from "./support.ts";
import { openStream, until } from "./ws-support.ts";

const CANARY_PASSWORD = "CANARY-pw-7f3a9c2e51b8d4e0";
const home = tempHome("kairos-api-secrets-");
const api = apiOn(home);

const encodings = (s: string): string[] => [
  s,
  Buffer.from(s).toString("base64"),
  Buffer.from(s).toString("base64url"),
  Buffer.from(s).toString("hex"),
  encodeURIComponent(s),
];

function hits(haystack: string | Buffer, secrets: string[]): string[] {
  const text = typeof haystack === "string" ? haystack : haystack.toString("latin1");
  return secrets.flatMap((s) => encodings(s)).filter((e) => text.includes(e));
}

describe("S1 secrets", () => {
  it("a canary password and tokens leave no trace in replies, logs, CLI output or the database", async () => {
    // an empty stdin is refused (12 characters at least), then the canary goes in through stdin
    const empty = runKairos(["auth", "set-password", "--stdin"], { home });
    expect(empty.code).toBe(2);
    const set = spawnSync(
      process.execPath,
      [join(ROOT, "bin/kairos.js"), "--home", home, "auth", "set-password", "--stdin"],
      {
        input: `${CANARY_PASSWORD}\n`,
        encoding: "utf8",
        env: { ...process.env, KAIROS_HOME: "" },
      },
    );
    expect(set.status).toBe(0);
    const seen: string[] = [set.stdout, set.stderr, empty.stdout, empty.stderr];

    const login = await call(api, "POST", "/auth/login", { body: { password: CANARY_PASSWORD } });
    expect(login.status).toBe(200);
    const person = (login.body as { token: string }).token;
    const issued = await call(api, "POST", "/v1/auth/tokens/agent", {
      token: person,
      body: { name: "canary-bot" },
    });
    const agent = (issued.body as { token: string }).token;
    const secrets = [CANARY_PASSWORD, person, agent];

    const wrong = [`${CANARY_PASSWORD}x`, CANARY_PASSWORD.slice(0, -1)];
    for (const pw of wrong)
      seen.push((await call(api, "POST", "/auth/login", { body: { password: pw } })).text);
    // the password where it does not belong: unknown fields are named, values never echoed
    seen.push(
      (
        await call(api, "POST", "/auth/login", {
          body: { password: CANARY_PASSWORD, extra: CANARY_PASSWORD },
        })
      ).text,
    );
    seen.push(
      (await call(api, "POST", "/v1/data/show", { token: agent, body: { password: CANARY_PASSWORD } })).text,
    );
    seen.push((await call(api, "POST", "/auth/login", { body: `{"password":"${CANARY_PASSWORD}"` })).text);

    // every route with every token (a job route with no input would start its heavy job: not here)
    const routes = buildApp(api.c, { mcp: mcpHttpHandler(api.c) }).routes.filter(
      (x) => x.method !== "ALL" && x.path !== "/v1/jobs/model-claims",
    );
    for (const x of routes)
      for (const token of [person, agent, `${person.slice(0, -1)}A`, agent.toUpperCase(), undefined]) {
        const res = await call(api, x.method, x.path, {
          ...(token === undefined ? {} : { token }),
          body: x.method === "POST" ? {} : undefined,
        });
        seen.push(res.text, JSON.stringify([...res.headers.entries()]));
      }
    // revoked tokens fail without echoing them
    const listed = await call(api, "GET", "/v1/auth/tokens", { token: person });
    seen.push(listed.text);
    const agentId = (issued.body as { id: string }).id;
    seen.push(
      (await call(api, "POST", "/v1/auth/tokens/revoke", { token: person, body: { id: agentId } })).text,
    );
    seen.push((await call(api, "GET", "/v1/strategies", { token: agent })).text);
    seen.push((await call(api, "POST", "/auth/logout", { token: person })).text);
    seen.push((await call(api, "GET", "/v1/strategies", { token: person })).text);
    seen.push(runKairos(["auth", "token", "list", "--json"], { home }).stdout);
    seen.push(...api.log);

    const found = seen.flatMap((s, i) => hits(s, secrets).map((h) => `reply ${i}: ${h.slice(0, 8)}...`));
    api.c.close();
    for (const f of readdirSync(home).filter((n) => n.startsWith("kairos.db")))
      found.push(...hits(readFileSync(join(home, f)), secrets).map((h) => `${f}: ${h.slice(0, 8)}...`));
    expect(found).toEqual([]);
    // the only replies that carry a token are the two that issue one
    expect(login.text).toContain(person);
    expect(issued.text).toContain(agent);
    expect(seen.length).toBeGreaterThan(60);
  }, 120_000);
});

/** Every file under `dir` (the home, the anchors beside it), as bytes */
function filesUnder(dir: string): { path: string; bytes: Buffer }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((n) => join(dir, n))
    .filter((p) => statSync(p).isFile())
    .map((p) => ({ path: p, bytes: readFileSync(p) }));
}

describe("S1 secrets: exchange keys", () => {
  const KEY = "CANARYkey9f2b7d41c6e0a835";
  const SECRET = "CANARYsecret3e8a1f7c94b0d265";
  const PASSWORD = "CANARY-pw2-5c1e8b7a93f04d26";
  const keyHome = tempHome("kairos-api-secrets-keys-");
  const keyApi = apiOn(keyHome);

  it("a canary key and secret through a live session started over the API, its error paths, MCP, the streams, the log, kairos.db and the audit log: 0 hits", async () => {
    const c = keyApi.c;
    await c.auth.setPassword({ password: PASSWORD });
    const person = (await c.auth.login({ password: PASSWORD })).token;
    const agent = c.auth.createAgentToken({ name: "keys-bot" }).token;
    const secrets = [KEY, SECRET, PASSWORD, person, agent];
    const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
    c.store.upsert(btc);
    const sim = await startSimExchange({
      series: [btc],
      apiKey: { key: KEY, secret: SECRET },
      clock: { kind: "real", speed: 3600 },
      start: btc.ts[600]!,
      fees: { maker: 0.001, taker: 0.001 },
    });
    const seen: string[] = [];
    const stream = await openStream(keyApi, agent);
    stream.send({ subscribe: ["candles", "signals", "orders", "alerts", "jobs"] });
    try {
      const good = join(keyHome, "keys.json");
      writeFileSync(good, JSON.stringify({ apiKey: KEY, secret: SECRET }));
      chmodSync(good, 0o600);
      const open = join(keyHome, "keys-open.json");
      writeFileSync(open, JSON.stringify({ apiKey: KEY, secret: SECRET }));
      chmodSync(open, 0o644);
      const live = {
        strategy: "sma-cross",
        params: { fast: 3, slow: 8 },
        symbols: "BTC/USDT",
        timeframe: "1h",
        live: true,
        exchange: "binance",
        confirmLive: "binance",
        apiBase: sim.url,
      };
      // error paths: a key file others can read, the keys where they do not belong, an agent asking
      const bad = await call(keyApi, "POST", "/v1/jobs/trade", {
        token: person,
        body: { ...live, id: "k0", keyFile: open },
      });
      seen.push(bad.text);
      seen.push(
        (
          await call(keyApi, "POST", "/v1/jobs/trade", {
            token: person,
            body: { ...live, apiKey: KEY, secret: SECRET },
          })
        ).text,
      );
      seen.push(
        (await call(keyApi, "POST", "/v1/jobs/trade", { token: agent, body: { ...live, keyFile: good } }))
          .text,
      );
      seen.push(
        (
          await call(keyApi, "POST", "/v1/data/show", {
            token: agent,
            body: { symbol: "BTC/USDT", apiKey: KEY, secret: SECRET },
          })
        ).text,
      );
      // the live session itself, with the 0600 key file
      const started = await call(keyApi, "POST", "/v1/jobs/trade", {
        token: person,
        body: { ...live, id: "k1", keyFile: good },
      });
      expect(started.status, started.text).toBe(202);
      const jobId = (started.body as { id: string }).id;
      seen.push(started.text);
      await until(() => c.trading().orders.getSession("k1")?.state === "active", "the live session", 90_000);
      for (const r of [
        await call(keyApi, "POST", "/v1/trade/status", { token: agent, body: { id: "k1" } }),
        await call(keyApi, "GET", "/v1/trade/sessions", { token: agent }),
        await call(keyApi, "POST", "/v1/audit/verify", { token: agent, body: {} }),
        await call(keyApi, "GET", "/v1/jobs", { token: agent }),
        await call(keyApi, "POST", "/v1/trade/stop", { token: person, body: { id: "k1" } }),
      ])
        seen.push(r.text);
      const t0 = Date.now();
      let job = (await call(keyApi, "POST", "/v1/jobs/get", { token: agent, body: { id: jobId } })).body as {
        state: string;
      };
      while (["queued", "running"].includes(job.state) && Date.now() - t0 < 60_000) {
        await new Promise((r) => setTimeout(r, 100));
        job = (await call(keyApi, "POST", "/v1/jobs/get", { token: agent, body: { id: jobId } })).body as {
          state: string;
        };
      }
      seen.push(JSON.stringify(job));
      expect(job.state).toBe("done");
      expect(c.trading().orders.getSession("k1")).toMatchObject({ mode: "live", state: "stopped" });
      // MCP: every tool once with the agent's token
      const mcp = new Client({ name: "s1", version: "0.0.0" });
      await mcp.connect(
        new StreamableHTTPClientTransport(new URL(`${keyApi.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${agent}` } },
        }),
      );
      for (const t of (await mcp.listTools()).tools) {
        const args = ["trade_status", "trade_drift", "trade_fills"].includes(t.name) ? { id: "k1" } : {};
        try {
          seen.push(JSON.stringify(await mcp.callTool({ name: t.name, arguments: args })));
        } catch (e) {
          seen.push(String(e), JSON.stringify((e as { data?: unknown }).data ?? null));
        }
      }
      await mcp.close();
    } finally {
      stream.ws.close();
      await sim.close();
    }
    seen.push(JSON.stringify(stream.events), JSON.stringify(stream.replies), ...keyApi.log);
    expect(stream.events.length).toBeGreaterThan(0);
    const found = seen.flatMap((x, i) => hits(x, secrets).map((h) => `reply ${i}: ${h.slice(0, 8)}...`));
    // the audit log and every database, as bytes (kairos.db, orders, paper venue, WAL files), and the anchors outside the home
    c.close();
    for (const f of [...filesUnder(keyHome), ...filesUnder(auditAnchorDir(keyHome))])
      if (!f.path.endsWith("keys.json") && !f.path.endsWith("keys-open.json"))
        found.push(...hits(f.bytes, secrets).map((h) => `${f.path}: ${h.slice(0, 8)}...`));
    expect(found).toEqual([]);
    expect(seen.length).toBeGreaterThan(30);
  }, 240_000);
});
