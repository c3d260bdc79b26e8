// Re-authentication over HTTP: changing a risk limit and leaving HALTED need the person's password in
// the request as well as their session token; refused otherwise with a coded 403 (the session stays)
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempHome } from "../support/cli.ts";
import { apiOn, call } from "./support.ts";

const PASSWORD = "reauth canary pw 7f3a9c";
const home = tempHome("kairos-api-reauth-");
let person = "";
let agent = "";
const api = apiOn(home, async (c) => {
  await c.auth.setPassword({ password: PASSWORD });
  person = (await c.auth.login({ password: PASSWORD })).token;
  agent = c.auth.createAgentToken({ name: "reauth" }).token;
});

const codeOf = (b: unknown): string => (b as { error: { code: string } }).error.code;
// the limits in force; without a file the defaults carry the time of reading, which is left out
const limits = async (): Promise<Record<string, unknown>> => {
  const r = await call(api, "GET", "/v1/risk", { token: person });
  const { updatedAt: _t, ...rest } = (r.body as { limits: Record<string, unknown> }).limits;
  return rest;
};

describe("re-authentication for risk limits and resume", () => {
  it("risk_set: no password or a wrong one is a coded 403 that changes nothing and keeps the session; the right one changes the limit and is stored nowhere", async () => {
    const before = await limits();
    const key = Object.keys(before).find(
      (k) =>
        typeof before[k] === "number" && (before[k] as number) > 0 && k !== "version" && k !== "revision",
    )!;
    expect(key).toBeDefined();
    const value = String((before[key] as number) / 2);
    for (const extra of [{}, { password: "" }, { password: "not the password" }]) {
      const r = await call(api, "POST", "/v1/risk/set", {
        token: person,
        body: { key, value, by: "reauth test", ...extra },
      });
      expect(r.status, JSON.stringify(extra)).toBe(403);
      expect(codeOf(r.body)).toBe("FORBIDDEN");
      expect((r.body as { error: { details: { field: string } } }).error.details.field).toBe("password");
    }
    expect(await limits()).toEqual(before);
    // the agent is refused at the door even with the right password
    const ag = await call(api, "POST", "/v1/risk/set", {
      token: agent,
      body: { key, value, by: "agent", password: PASSWORD },
    });
    expect(ag.status).toBe(403);
    expect(await limits()).toEqual(before);
    // the person's session survived the refusals (a 403, never a 401)
    const ok = await call(api, "POST", "/v1/risk/set", {
      token: person,
      body: { key, value, by: "reauth test", password: PASSWORD },
    });
    expect(ok.status, ok.text).toBe(200);
    expect((await limits())[key]).toBe(Number(value));
    expect(ok.text).not.toContain(PASSWORD);
    expect(readFileSync(join(home, "risk-changes.jsonl"), "utf8")).not.toContain(PASSWORD);
    const audit = await call(api, "POST", "/v1/audit/verify", { token: person, body: {} });
    expect(audit.status).toBe(200);
    expect(api.log).toEqual([]);
  });

  it("risk_resume: refused without the password (403), done with it", async () => {
    const no = await call(api, "POST", "/v1/risk/resume", {
      token: person,
      body: { by: "reauth test", reason: "checked" },
    });
    expect(no.status).toBe(403);
    expect(codeOf(no.body)).toBe("FORBIDDEN");
    const yes = await call(api, "POST", "/v1/risk/resume", {
      token: person,
      body: { by: "reauth test", reason: "checked", state: "reducing", password: PASSWORD },
    });
    expect(yes.status, yes.text).toBe(200);
    const st = await call(api, "GET", "/v1/risk/state", { token: person });
    expect((st.body as { state: string }).state).toBe("reducing");
  });

  it("wrong passwords count toward the login lockout: after 10 in a minute even the right one is 429", async () => {
    const before = await limits();
    const key = Object.keys(before).find((k) => typeof before[k] === "number" && (before[k] as number) > 0)!;
    // the first test spent 1 failure (a missing or empty password is not tried)
    for (let i = 0; i < 9; i++)
      await call(api, "POST", "/v1/risk/set", {
        token: person,
        body: { key, value: "1", by: "x", password: `wrong ${i}` },
      });
    const r = await call(api, "POST", "/v1/risk/set", {
      token: person,
      body: { key, value: "1", by: "x", password: PASSWORD },
    });
    expect(r.status).toBe(429);
    expect(codeOf(r.body)).toBe("RATE_LIMITED");
    expect(await limits()).toEqual(before);
  });
});
