// `POST /v1/data/download` as a person's job over the real API, against the local exchange (ccxt's
// real binance class over HTTP): the stored series and the job's result equal `kairos data download
// --json` on another home; a cancel while the exchange holds a page ends the job at once, with the
// pages stored so far kept and nothing of the held one; an agent may not download.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnKairos } from "../support/cli.ts";
import { type LocalExchange, startLocalExchange } from "../support/local-exchange/index.ts";
import { apiOn, call, finishedJob, type JobReply } from "./support.ts";

const tmp = mkdtempSync(join(tmpdir(), "kairos-api-download-"));
let ex: LocalExchange;
beforeAll(async () => {
  ex = await startLocalExchange();
});
afterAll(async () => {
  await ex.close();
  rmSync(tmp, { recursive: true, force: true });
});

let person = "";
let agent = "";
const api = apiOn(join(tmp, "api-home"), async (c) => {
  await c.auth.setPassword({ password: "download-job-password-1" });
  person = (await c.auth.login({ password: "download-job-password-1" })).token;
  agent = c.auth.createAgentToken({ name: "download-job" }).token;
});

async function until(f: () => Promise<boolean> | boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await f())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
const rowsOf = (symbol: string): number | undefined =>
  api.c.store.info({ exchange: "binance", symbol, timeframe: "1h" })?.rows;

describe("data download as an API job", () => {
  it("the job's result and the stored series equal the CLI's --json download on another home", async () => {
    const body = { exchange: "binance", symbol: "FET/USDT", timeframe: "1h", apiBase: ex.url };
    const started = await call(api, "POST", "/v1/data/download", { token: person, body });
    expect(started.status, started.text).toBe(202);
    const id = (started.body as JobReply).id;
    const job = await finishedJob(api, person, id);
    expect(job.state, JSON.stringify(job.error)).toBe("done");
    const cliHome = join(tmp, "cli-home");
    const cli = await spawnKairos([
      "data",
      "download",
      "--exchange",
      "binance",
      "--symbol",
      "FET/USDT",
      "--timeframe",
      "1h",
      "--api-base",
      ex.url,
      "--home",
      cliHome,
      "--json",
    ]);
    expect(cli.code, cli.stderr).toBe(0);
    expect(job.result).toEqual(JSON.parse(cli.stdout));
    expect(job.result).toMatchObject({ interrupted: false, resumed: false });
    expect(rowsOf("FET/USDT")).toBe((job.result as { inserted: number }).inserted);
  }, 240_000);

  it("a cancel while the exchange holds a page ends the job at once: three pages kept, nothing of the fourth", async () => {
    const klines = () =>
      ex.requests.filter((r) => r.path === "/api/v3/klines" && r.query.symbol === "ETHUSDT").length;
    // three pages answered, the fourth held for ten minutes; ccxt's own timeout is longer still,
    // so only the cancel can end the wait
    ex.faults.inject(
      { kind: "slow", delayMs: 600_000 },
      { pathPrefix: "/api/v3/klines", after: 3, times: 1000 },
    );
    const started = await call(api, "POST", "/v1/data/download", {
      token: person,
      body: { exchange: "binance", symbol: "ETH/USDT", timeframe: "1h", apiBase: ex.url, timeout: 600_000 },
    });
    expect(started.status, started.text).toBe(202);
    const id = (started.body as JobReply).id;
    await until(() => klines() >= 4, 120_000, "the fourth page's request");
    const cancel = await call(api, "POST", "/v1/jobs/cancel", { token: person, body: { id } });
    expect(cancel.status, cancel.text).toBe(200);
    const job = await finishedJob(api, person, id, 60_000);
    // the job let go of the held request: kairos closed its connection instead of waiting for the page
    const held = ex.requests.filter((r) => r.path === "/api/v3/klines" && r.query.symbol === "ETHUSDT")[3]!;
    await until(() => held.abandoned === true, 30_000, "the held request to be abandoned");
    ex.faults.clear();
    expect(job.state).toBe("cancelled");
    expect(job.error?.code).toBe("CANCELLED");
    // committed pages stay (a download resumes after them); the held page was never read
    expect(rowsOf("ETH/USDT")).toBe(3000);
    expect(klines()).toBe(4);
  }, 240_000);

  it("an agent may not download (the server reaches out to the network for a person only)", async () => {
    const r = await call(api, "POST", "/v1/data/download", {
      token: agent,
      body: { exchange: "binance", symbol: "BTC/USDT", timeframe: "1d", apiBase: ex.url },
    });
    expect(r.status).toBe(403);
  });
});
