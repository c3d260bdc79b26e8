// The secrets canary on the live trading path (issue 17, S1-style): a canary API key and secret are
// the only keys the simulated exchange accepts, so every signed request of a live session (ccxt's
// binance class), the kill switch reaching the exchange, a person's resume and the audit export
// all use them; afterwards neither appears anywhere in the home (kairos.db and its WAL, the limits,
// state and risk files), the anchor copies outside it, or the export: 0 hits raw, base64,
// base64url, hex or URL-encoded.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type SimExchange, startSimExchange } from "../../src/adapters/sim-exchange/server.ts";
import { stopTrading } from "../../src/app/trade-control.ts";
import type { TradingDeps } from "../../src/app/trade-runtime.ts";
import { startTrading } from "../../src/app/trade-start.ts";
import { createContainer } from "../../src/composition-root.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { runKairosInProcess, tempHome } from "../support/cli.ts";
import { TEST_LIMITS, writeTestLimits } from "../trading/trading-limits.ts";

const HOUR = 3_600_000;
const CANARY_KEY = "CANARYliveKEYq1w2e3r4t5y6u7i8o9";
const CANARY_SECRET = "canaryLIVEsecretP0o9I8u7Y6t5R4e3";
const home = tempHome("kairos-canary-live-");
// a fresh directory of its own (a fixed name in /tmp may be a leftover or another run's); the export
// creates `export` inside it
const exportRoot = mkdtempSync(join(tmpdir(), "kairos-canary-export-"));
const exportDir = join(exportRoot, "export");
const sims: SimExchange[] = [];
// the keys this file sets, put back as they were afterwards
const envBefore = {
  KAIROS_BINANCE_API_KEY: process.env.KAIROS_BINANCE_API_KEY,
  KAIROS_BINANCE_SECRET: process.env.KAIROS_BINANCE_SECRET,
};

afterAll(async () => {
  for (const s of sims) await s.close();
  for (const [k, v] of Object.entries(envBefore)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(`${home}-anchors`, { recursive: true, force: true });
  rmSync(exportRoot, { recursive: true, force: true });
});

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });

describe("secrets canary on the live path", () => {
  it("a live session, a kill reaching the exchange, a resume and an export leave 0 traces of the key or secret", async () => {
    const btc = loadBundledSeries("binance", "BTC/USDT", "1h");
    const sim = await startSimExchange({
      series: [btc],
      apiKey: { key: CANARY_KEY, secret: CANARY_SECRET },
      clock: { kind: "real", speed: 18_000 },
      start: btc.ts[600]!,
    });
    sims.push(sim);
    process.env.KAIROS_BINANCE_API_KEY = CANARY_KEY;
    process.env.KAIROS_BINANCE_SECRET = CANARY_SECRET;
    writeTestLimits(home, { ...TEST_LIMITS, maxPriceAgeMs: String(24 * HOUR) });
    const c = createContainer({ home });
    const d = c.trading();
    const deps: TradingDeps = { ...d, live: { ...d.live!, pollMs: 20, clock: "venue" } };
    let acted = 0;
    const run = startTrading(
      deps,
      {
        id: "canary",
        strategy: "sma-cross",
        params: { fast: 2, slow: 4 },
        symbols: "BTC/USDT",
        timeframe: "1h",
        live: true,
        exchange: "binance",
        confirmLive: "binance",
        apiBase: sim.url,
        size: 0.5,
        reconcileEvery: 3,
      },
      () => {
        acted++;
      },
    );
    const end = Date.now() + 60_000;
    while (acted < 12 && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    await stopTrading(deps, { id: "canary" });
    await run;
    c.close();
    expect(acted).toBeGreaterThanOrEqual(12);
    // the kill switch reaches the live session's exchange with the keys from the environment
    const k = await runKairosInProcess(["--json", "kill", "--api-base", sim.url, "--by", "canary"], { home });
    expect(k.code, k.stderr).toBe(0);
    expect(JSON.parse(k.stdout)).toMatchObject({ state: "halted", unreached: [] });
    expect(
      (
        await runKairosInProcess(["trade", "resume", "--by", "canary", "--reason", "after the canary kill"], {
          home,
        })
      ).code,
    ).toBe(0);
    expect((await runKairosInProcess(["audit", "export", "--out", exportDir], { home })).code).toBe(0);
    const v = await runKairosInProcess(["--json", "audit", "verify"], { home });
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true });

    const forms = (x: string) => [
      x,
      Buffer.from(x).toString("base64"),
      Buffer.from(x).toString("base64url"),
      Buffer.from(x).toString("hex"),
      encodeURIComponent(x),
    ];
    const files = [...filesUnder(home), ...filesUnder(`${home}-anchors`), ...filesUnder(exportDir)];
    const hits: string[] = [];
    for (const f of files) {
      const text = readFileSync(f).toString("latin1");
      for (const secret of [CANARY_KEY, CANARY_SECRET])
        for (const form of forms(secret)) if (text.includes(form)) hits.push(`${f}: ${form.slice(0, 6)}...`);
    }
    const records = readFileSync(join(exportDir, "records.jsonl"), "utf8").trim().split("\n").length;
    process.stderr.write(
      `canary: ${files.length} files scanned, ${records} audit records, ${hits.length} hits\n`,
    );
    expect(files.some((f) => f.endsWith("kairos.db"))).toBe(true);
    expect(records).toBeGreaterThan(20);
    expect(hits).toEqual([]);
  }, 180_000);
});
