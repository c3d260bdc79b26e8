// S4 doors: every route the router registers answers 401 without a token (except the allowlist),
// agent tokens get 403 on every person-only route, a non-loopback bind without password+TLS exits
// non-zero, JWT-shaped tokens (alg none, HS256) are refused, and 10 bad logins a minute lock login.
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AuthService, type AuthStore, type TokenRecord } from "../../src/app/auth-service.ts";
import { buildApp, PUBLIC_ROUTES } from "../../src/shells/http/app.ts";
import { OPERATIONS } from "../../src/shells/http/operations.ts";
import { CHANNELS, STREAM_PATH } from "../../src/shells/http/streams.ts";
import { mcpHttpHandler } from "../../src/shells/mcp/server.ts";
import { runKairos, tempHome } from "../support/cli.ts";
import { apiOn, call } from "./support.ts";
import { openStream, refusedWith, until } from "./ws-support.ts";

const PASSWORD = "doors-test-password-1";
const home = tempHome("kairos-api-doors-");
let agent = "";
const api = apiOn(home, async (c) => {
  await c.auth.setPassword({ password: PASSWORD });
  agent = c.auth.createAgentToken({ name: "doors-bot" }).token;
});

/** The routes as the router itself holds them (middleware entries are method ALL) */
function routerRoutes(): { method: string; path: string }[] {
  const app = buildApp(api.c, { mcp: mcpHttpHandler(api.c) });
  const seen = new Set<string>();
  return app.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => ({ method: r.method, path: r.path }))
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`) !== undefined);
}

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");

describe("S4 doors", () => {
  it("the router's routes and /openapi.json list the same operations", async () => {
    const routes = routerRoutes();
    const doc = (await call(api, "GET", "/openapi.json")).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([p, ms]) =>
      Object.keys(ms).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(routes.map((r) => `${r.method} ${r.path}`).sort()).toEqual(documented.sort());
    expect(routes.length).toBeGreaterThanOrEqual(OPERATIONS.length + 4);
  });

  it("100% of routes answer 401 without credentials or with forged tokens, except the allowlist", async () => {
    const routes = routerRoutes();
    const forged = [
      undefined,
      "nonsense",
      `kairos_p_${"A".repeat(43)}`,
      `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub: "person", kind: "person" })}.`,
      (() => {
        const h = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ sub: "person", kind: "person" })}`;
        return `${h}.${createHmac("sha256", "").update(h).digest("base64url")}`;
      })(),
    ];
    let locked = 0;
    let open = 0;
    for (const r of routes) {
      const isPublic = PUBLIC_ROUTES.includes(`${r.method} ${r.path}`);
      for (const token of forged) {
        const res = await call(api, r.method, r.path, {
          ...(token === undefined ? {} : { token }),
          body: r.method === "POST" ? {} : undefined,
        });
        if (isPublic) {
          // open, yet an empty login is a 400 naming the field, not a session
          expect(res.status, `${r.method} ${r.path}`).toBe(r.path === "/auth/login" ? 400 : 200);
          open++;
        } else {
          expect(res.status, `${r.method} ${r.path} token=${String(token).slice(0, 12)}`).toBe(401);
          expect((res.body as { error: { code: string } }).error.code).toBe("AUTH_FAILED");
          locked++;
        }
      }
    }
    expect(locked).toBe((routes.length - PUBLIC_ROUTES.length) * forged.length);
    expect(open).toBe(PUBLIC_ROUTES.length * forged.length);
    // an unknown path is closed too, not a 404 that maps the API to strangers
    expect((await call(api, "GET", "/v1/nope")).status).toBe(401);
  });

  it("agent tokens get 403 on every person-only route and pass the read routes' door", async () => {
    const doc = (await call(api, "GET", "/openapi.json")).body as {
      paths: Record<string, Record<string, { "x-kairos-access": string }>>;
    };
    const personOnly = Object.entries(doc.paths).flatMap(([p, ms]) =>
      Object.entries(ms)
        .filter(([, op]) => op["x-kairos-access"] === "person")
        .map(([m]) => ({ method: m.toUpperCase(), path: p })),
    );
    expect(personOnly.length).toBeGreaterThanOrEqual(3);
    for (const r of personOnly) {
      const res = await call(api, r.method, r.path, {
        token: agent,
        body: r.method === "POST" ? {} : undefined,
      });
      expect(res.status, `${r.method} ${r.path}`).toBe(403);
      expect((res.body as { error: { code: string } }).error.code).toBe("FORBIDDEN");
    }
    // the agent cannot mint itself a token, and a person can
    const person = (
      (await call(api, "POST", "/auth/login", { body: { password: PASSWORD } })).body as { token: string }
    ).token;
    expect(
      (await call(api, "POST", "/v1/auth/tokens/agent", { token: person, body: { name: "x" } })).status,
    ).toBe(200);
    expect((await call(api, "GET", "/v1/strategies", { token: agent })).status).toBe(200);
  });

  it("the WebSocket endpoint and every channel the hub holds: 401 without or with forged tokens, open to agents, as documented", async () => {
    const doc = (await call(api, "GET", "/openapi.json")).body as {
      "x-kairos-streams": { url: string; channels: { name: string }[] };
    };
    expect(doc["x-kairos-streams"].url).toBe(STREAM_PATH);
    expect(doc["x-kairos-streams"].channels.map((c) => c.name)).toEqual([...CHANNELS]);
    const forged = [
      undefined,
      "nonsense",
      `kairos_p_${"A".repeat(43)}`,
      `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub: "person", kind: "person" })}.`,
    ];
    let locked = 0;
    for (const ch of CHANNELS)
      for (const token of forged)
        for (const via of ["header", "protocol"] as const) {
          // the channel is named in a query too: no path, query or channel opens the door without a token
          const status = await refusedWith(api, token, { via, path: `${STREAM_PATH}?channel=${ch}` });
          expect(status, `${ch} ${via} ${String(token).slice(0, 12)}`).toBe(401);
          locked++;
        }
    expect(locked).toBe(CHANNELS.length * forged.length * 2);
    const s = await openStream(api, agent);
    s.send({ subscribe: [...CHANNELS] });
    await until(
      () => s.replies.some((r) => Array.isArray(r.subscribed) && r.subscribed.length === CHANNELS.length),
      "subscribed",
    );
    s.ws.close();
  });

  it("CORS is denied: preflight refused, no Access-Control header on any reply", async () => {
    const pre = await call(api, "OPTIONS", "/v1/strategies", {
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
    });
    expect(pre.status).toBe(403);
    const r = await call(api, "GET", "/v1/strategies", {
      token: agent,
      headers: { origin: "https://evil.example" },
    });
    expect([...r.headers.keys()].filter((k) => k.startsWith("access-control-"))).toEqual([]);
  });

  it("logout revokes the session; a revoked token is 401", async () => {
    const t = (
      (await call(api, "POST", "/auth/login", { body: { password: PASSWORD } })).body as { token: string }
    ).token;
    expect((await call(api, "POST", "/auth/logout", { token: t })).status).toBe(200);
    expect((await call(api, "GET", "/v1/strategies", { token: t })).status).toBe(401);
  });

  it("a non-loopback bind without password and TLS exits non-zero, and so does one with a password but no TLS", () => {
    const bare = tempHome("kairos-api-bare-");
    const r1 = runKairos(["serve", "--host", "0.0.0.0", "--port", "0"], { home: bare, timeout: 60_000 });
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/no password is set/);
    const r2 = runKairos(["serve", "--host", "0.0.0.0", "--port", "0"], { home, timeout: 60_000 });
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/without TLS/);
  }, 120_000);
});

describe("S4 doors: lockout", () => {
  const lockHome = tempHome("kairos-api-lock-");
  const lockApi = apiOn(lockHome, (c) => c.auth.setPassword({ password: PASSWORD }));

  it("after 10 failed logins in a minute even the right password is refused (429)", async () => {
    for (let i = 0; i < 10; i++) {
      const r = await call(lockApi, "POST", "/auth/login", { body: { password: `wrong-${i}` } });
      expect(r.status).toBe(401);
    }
    const r = await call(lockApi, "POST", "/auth/login", { body: { password: PASSWORD } });
    expect(r.status).toBe(429);
    expect((r.body as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
  }, 60_000);

  it("the lockout lifts after a minute, and person sessions expire after an hour (clock moved)", async () => {
    const tokens: TokenRecord[] = [];
    let pw: string | undefined;
    const store: AuthStore = {
      readPassword: () => pw,
      writePassword: (e) => {
        pw = e;
      },
      insertToken: (t) => void tokens.push(t),
      findTokenByHash: (h) => tokens.find((t) => t.hash === h),
      listTokens: () => tokens,
      revokeToken: () => false,
      revokeKind: () => 0,
    };
    let now = 1_000_000;
    const auth = new AuthService(store, { now: () => now });
    await auth.setPassword({ password: PASSWORD });
    for (let i = 0; i < 10; i++)
      await expect(auth.login({ password: "nope" })).rejects.toMatchObject({ code: "AUTH_FAILED" });
    await expect(auth.login({ password: PASSWORD })).rejects.toMatchObject({ code: "RATE_LIMITED" });
    now += 60_001;
    const t = await auth.login({ password: PASSWORD });
    expect(auth.verify(t.token).kind).toBe("person");
    now += 60 * 60 * 1000;
    expect(() => auth.verify(t.token)).toThrow(/not signed in/);
  }, 60_000);
});
