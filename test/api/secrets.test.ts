// S1 secrets over the API: a canary password and the issued tokens go through login, every route,
// forged and revoked tokens and error paths; afterwards no reply (other than the one that issues a
// token), no server log line, no CLI output and no byte of the database holds them, raw or encoded
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../src/shells/http/app.ts";
import { mcpHttpHandler } from "../../src/shells/mcp/server.ts";
import { ROOT, runKairos, tempHome } from "../support/cli.ts";
import { apiOn, call } from "./support.ts";

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

    const routes = buildApp(api.c, { mcp: mcpHttpHandler(api.c) }).routes.filter((x) => x.method !== "ALL");
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
