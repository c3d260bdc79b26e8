// `kairos bot start dca --live` against `kairos sim --speed 20`, both real CLI processes: the
// exchange runs 20x faster than real time, so a risk gate on this machine's clock would refuse
// every order for clock skew (shown first: the same bot on this machine's clock, nothing sent). The
// bot takes the exchange's clock as `trade start --live` does (the API base is a simulated exchange
// on this machine that says it is time-scaled, GET /sim/clock), records it, is killed, resumed
// (checked again) and stopped; its orders and fills equal the exchange's ledger. A bot started with
// `--venue-clock` records it; once its origin no longer answers as a simulated exchange, `bot
// resume` is refused in one line and nothing but GET /sim/clock was asked there. A key file that
// moved is refused at its old place and taken at the new one with `bot resume ID --key-file FILE`
// (mode 0600 checked again, the new place recorded), as `trade resume` does. `--venue-clock`
// against a host that is not this machine is refused in one line before any request is sent.
import type { ChildProcess } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopBot } from "../../src/app/bot-control.ts";
import { startBot } from "../../src/app/bot-start.ts";
import type { TradingDeps } from "../../src/app/trade-runtime.ts";
import { createContainer } from "../../src/composition-root.ts";
import { amount } from "../../src/execution/amount.ts";
import {
  type BackgroundKairos,
  bundledHome,
  runKairos,
  type SimLedger,
  spawnKairos,
  startKairos,
  startTimeScaledSim,
  tempHome,
  waitUntil,
} from "../support/cli.ts";
import { TEST_LIMITS, writeTestLimits } from "./trading-limits.ts";

const KEY = "kairosBotVenueClockKey0123";
const SECRET = "kairosBotVenueClockSecretNeverPrinted";
const simHome = bundledHome("kairos-bot-vc-sim-", ["bitstamp_BTC-USD_1m.csv.gz"]);
const home = tempHome("kairos-bot-vc-");
/** the bot on this machine's clock: its refusals must not touch the other bots' account state */
const wallHome = tempHome("kairos-bot-vc-wall-");
const keys = mkdtempSync(join(tmpdir(), "kairos-bot-vc-keys-"));
const keyFile = join(keys, "binance.json");
/** the kill-and-resume bot's own key file: it is moved during that test */
const dcaKeyFile = join(keys, "bvcdca.json");
const movedKeyFile = join(keys, "moved", "bvcdca.json");
const children: ChildProcess[] = [];
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const c of closers) await c();
  rmSync(keys, { recursive: true, force: true });
});

/** `node bin/kairos.js --home H ...args` in the background, its output collected */
const start = (h: string, args: string[]) => startKairos(h, args, children);
const waitFor = waitUntil;

/** a plain HTTP server on `host` that answers 404 to everything and records what it was asked */
async function recorder(host: string, port = 0): Promise<{ url: string; asked: string[] }> {
  const asked: string[] = [];
  const server: Server = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    res.writeHead(404, { "content-type": "application/json" }).end("{}");
  });
  await new Promise<void>((r) => server.listen(port, host, r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  const p = (server.address() as AddressInfo).port;
  return { url: `http://${host}:${p}`, asked };
}

interface RiskDecision {
  session: string;
  accepted: boolean;
  checks: { check: string; pass: boolean }[];
}
const decisionsOf = (h: string, session: string): RiskDecision[] => {
  const f = join(h, "risk-decisions.jsonl");
  if (!existsSync(f)) return [];
  return readFileSync(f, "utf8")
    .trim()
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as RiskDecision)
    .filter((d) => d.session === session);
};
const skewRefused = (d: RiskDecision) => d.checks.some((c) => c.check === "clock-skew" && !c.pass);

const recordedConfig = (id: string) => {
  const c = createContainer({ home });
  try {
    return c.trading().orders.getSession(id)!.config;
  } finally {
    c.close();
  }
};

const DCA = ["dca", "--symbol", "BTC/USD", "--timeframe", "1m", "--every", "1", "--step", "0.01"];
const LIVE = ["--live", "--exchange", "binance", "--confirm-live", "binance"];

describe("kairos bot start --live on a time-scaled kairos sim", () => {
  let sim: BackgroundKairos;
  let url = "";
  let ledger: () => Promise<SimLedger>;
  const ours = async (id: string) =>
    (await ledger()).orders.filter((o) => o.clientOrderId.startsWith(`kr-${id}-`));

  beforeAll(async () => {
    // the exchange: 1m candles, 20x real time (a bar every 3 s)
    ({ sim, url, ledger } = await startTimeScaledSim(simHome, KEY, SECRET, children));
    // price age is judged in the exchange's time (an hour of its time, 3 min here; on this machine's
    // clock the bars' times would be months old); the market is BTC/USD. The bars that closed while
    // the bot was down act at its resume, each priced at its own close: down through a kill, two
    // refused resumes and a resume with its reconciliation is 38 s of wall time on a loaded machine,
    // 13 of the exchange's minutes, which ten minutes' age refused as stale
    for (const h of [home, wallHome])
      writeTestLimits(h, { ...TEST_LIMITS, maxPriceAgeMs: "3600000", allowlist: "BTC/USD" });
    for (const f of [keyFile, dcaKeyFile])
      writeFileSync(f, JSON.stringify({ apiKey: KEY, secret: SECRET }), { mode: 0o600 });
  }, 180_000);

  it("on this machine's clock the same bot is refused for clock skew, nothing sent", async () => {
    const c = createContainer({ home: wallHome });
    try {
      const d = c.trading();
      const deps: TradingDeps = { ...d, live: { ...d.live!, pollMs: 200, clock: "wall" } };
      const params = { every: 1, step: 0.01 };
      const run = startBot(deps, {
        kind: "dca",
        params,
        symbol: "BTC/USD",
        timeframe: "1m",
        exchange: "binance",
        live: true,
        confirmLive: "binance",
        apiBase: url,
        keyFile,
        id: "bvcwall",
      });
      await waitFor(() => decisionsOf(wallHome, "bvcwall").length >= 1, 90_000, "the gate's first decision");
      await stopBot(deps, { id: "bvcwall" });
      await run;
      const decisions = decisionsOf(wallHome, "bvcwall");
      expect(decisions.length).toBeGreaterThanOrEqual(1);
      for (const x of decisions) {
        expect(x.accepted).toBe(false);
        expect(skewRefused(x)).toBe(true);
      }
      expect(await ours("bvcwall")).toEqual([]);
      expect(d.orders.getSession("bvcwall")!.config).not.toHaveProperty("venueClock");
    } finally {
      c.close();
    }
  }, 180_000);

  it("takes the exchange's clock, survives a kill, resumes on it (checked again) with a moved key file (--key-file, 0600 checked again, recorded) and equals the ledger", async () => {
    const id = "bvcdca";
    const bot = start(home, [
      "bot",
      "start",
      ...DCA,
      ...LIVE,
      "--api-base",
      url,
      "--key-file",
      dcaKeyFile,
      "--id",
      id,
    ]);
    // orders reach the exchange: the gate did not refuse them for clock skew
    await waitFor(async () => (await ours(id)).length >= 2, 120_000, "two orders of the bot");
    bot.child.kill("SIGKILL");
    await bot.exited;
    expect(`${bot.io.out}${bot.io.err}`).not.toMatch(/clock-skew|clock skew/);
    const before = (await ours(id)).length;
    // recorded with the bot, though not asked for: the exchange said it is time-scaled
    expect(recordedConfig(id)).toMatchObject({ venueClock: true, apiBase: url, keyFile: dcaKeyFile });

    // the key file moved: resuming without --key-file looks at the recorded place and is refused in one line
    mkdirSync(join(keys, "moved"));
    renameSync(dcaKeyFile, movedKeyFile);
    const gone = runKairos(["bot", "resume", id], { home, timeout: 60_000 });
    expect(gone.code).toBe(4);
    expect(gone.stderr.trim().split("\n")).toHaveLength(1);
    expect(gone.stderr).toContain(`--key-file ${dcaKeyFile}: no such readable file`);
    // at its new place but readable by others: refused in one line, before anything is sent
    chmodSync(movedKeyFile, 0o644);
    const open = runKairos(["bot", "resume", id, "--key-file", movedKeyFile], { home, timeout: 60_000 });
    expect(open.code).toBe(2);
    expect(open.stderr.trim().split("\n")).toHaveLength(1);
    expect(open.stderr).toContain(
      `--key-file ${movedKeyFile}: readable by others (mode 644); run \`chmod 600 ${movedKeyFile}\``,
    );
    for (const text of [gone.stdout, gone.stderr, open.stdout, open.stderr])
      expect(text).not.toContain(SECRET);
    expect((await ours(id)).length).toBe(before);
    // neither refusal recorded the path it was given
    expect(recordedConfig(id)).toMatchObject({ keyFile: dcaKeyFile });
    chmodSync(movedKeyFile, 0o600);

    const resumed = start(home, ["bot", "resume", id, "--key-file", movedKeyFile]);
    await waitFor(async () => (await ours(id)).length >= before + 2, 120_000, "orders after the resume");
    const stop = runKairos(["bot", "stop", id], { home, timeout: 60_000 });
    expect(stop.code).toBe(0);
    const end = await resumed.exited;
    expect(end.code, resumed.io.err).toBe(0);
    expect(`${resumed.io.out}${resumed.io.err}`).not.toMatch(/clock-skew|clock skew/);
    expect(resumed.io.out).toMatch(new RegExp(`bot ${id}: stopped, acted on [1-9]\\d* bar\\(s\\)`));
    // the new place is recorded with the bot: the reconciliation below (a fresh process) reads the keys there
    expect(recordedConfig(id)).toMatchObject({ venueClock: true, apiBase: url, keyFile: movedKeyFile });

    // every order the gate saw passed its clock-skew check, and each one accepted reached the exchange
    const decisions = decisionsOf(home, id);
    expect(decisions.filter(skewRefused)).toEqual([]);
    const rec = runKairos(["trade", "reconcile", id], { home, timeout: 60_000 });
    expect(rec.stdout).toMatch(/kairos and the venue agree/);
    expect(rec.code).toBe(0);
    // kairos's books equal the exchange's ledger
    const status = JSON.parse(
      runKairos(["--json", "trade", "status", id], { home, timeout: 60_000 }).stdout,
    ) as {
      orders: number;
      fills: number;
      openOrders: unknown[];
      balances: Record<string, string>;
    };
    const l = await ledger();
    const mine = l.orders.filter((o) => o.clientOrderId.startsWith(`kr-${id}-`));
    const fills = l.fills.filter((f) => f.clientOrderId.startsWith(`kr-${id}-`));
    process.stderr.write(
      `bot-venue-clock: ${mine.length} orders (${before} before the kill), ${fills.length} fills on the exchange; kairos ${status.orders} orders, ${status.fills} fills; ${decisions.length} gate decisions, 0 clock-skew refusals\n`,
    );
    expect(mine.length).toBeGreaterThanOrEqual(4);
    expect(fills.length).toBeGreaterThanOrEqual(2);
    // (a SIGKILL may take the last decision line with it: the count is not compared, the verdicts are)
    expect(decisions.length).toBeGreaterThanOrEqual(2);
    expect(decisions.filter((x) => !x.accepted)).toEqual([]);
    expect(status.orders).toBe(mine.length);
    expect(status.fills).toBe(fills.length);
    expect(status.openOrders).toEqual([]);
    // order by order: the same client ids, each filled as much as the exchange says
    const c = createContainer({ home });
    const kept = c
      .trading()
      .orders.ordersOf(id)
      .map((o) => [o.clientOrderId, amount(o.filledQty)]);
    c.close();
    expect(kept.sort()).toEqual(mine.map((o) => [o.clientOrderId, amount(o.executedQty)]).sort());
    const total = (a: string) => Number(l.balances[a]!.free) + Number(l.balances[a]!.locked);
    expect(Number(status.balances.BTC ?? 0)).toBeCloseTo(total("BTC"), 8);
    expect(Number(status.balances.USD)).toBeCloseTo(total("USD"), 8);
    for (const text of [bot.io.out, bot.io.err, resumed.io.out, resumed.io.err])
      expect(text).not.toContain(SECRET);
  }, 400_000);

  it("--venue-clock is recorded; bot resume checks it again and refuses an origin that is no longer a simulated exchange", async () => {
    const id = "bvcasked";
    const bot = start(home, [
      "bot",
      "start",
      ...DCA,
      ...LIVE,
      "--api-base",
      url,
      "--key-file",
      keyFile,
      "--venue-clock",
      "--id",
      id,
    ]);
    await waitFor(async () => (await ours(id)).length >= 1, 120_000, "an order of the bot");
    bot.child.kill("SIGKILL");
    await bot.exited;
    expect(`${bot.io.out}${bot.io.err}`).not.toMatch(/clock-skew|clock skew|no parameter/);
    expect(recordedConfig(id)).toMatchObject({ venueClock: true, apiBase: url });
    expect(decisionsOf(home, id).filter(skewRefused)).toEqual([]);

    // the exchange is gone; a plain local server answers at its address instead
    sim.child.kill("SIGTERM");
    await sim.exited;
    const port = Number(new URL(url).port);
    const plain = await recorder("127.0.0.1", port);
    const r = await spawnKairos(["bot", "resume", id], { home, timeout: 60_000 });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `--venue-clock: http://127\\.0\\.0\\.1:${port} does not answer as a simulated exchange \\(GET /sim/clock\\); only \`kairos sim\` runs on its own clock`,
      ),
    );
    // nothing but the clock question reached the origin: no signed request, no order
    expect(plain.asked).toEqual(["GET /sim/clock"]);
  }, 300_000);

  it("refuses --venue-clock against a host that is not this machine, in one line, before any request", async () => {
    // a server on this machine's network address (or 0.0.0.0, which Linux routes here): not a
    // loopback name, so kairos counts it as another host; it records whatever reaches it
    const ext = Object.values(networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === "IPv4" && !a.internal)?.address;
    const other = await recorder(ext ?? "0.0.0.0");
    // the recorder is reachable at that address: a request kairos sent would be seen
    expect((await fetch(`${other.url}/probe`)).status).toBe(404);
    other.asked.length = 0;
    const host = new URL(other.url).host;
    const r = await spawnKairos(["bot", "start", ...DCA, ...LIVE, "--api-base", other.url, "--venue-clock"], {
      home,
      timeout: 60_000,
      env: { KAIROS_BINANCE_API_KEY: KEY, KAIROS_BINANCE_SECRET: SECRET },
    });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(
      `--venue-clock: ${host} is not this machine; a real exchange is checked against this machine's clock: drop --venue-clock`,
    );
    expect(other.asked).toEqual([]);
    expect(r.stderr).not.toContain(SECRET);
  }, 120_000);
});

describe("kairos bot start/resume --help", () => {
  it("names --venue-clock with trade start's wording", () => {
    const flagLine = (cmd: string) => {
      const h = runKairos([...cmd.split(" "), "--help"], { timeout: 60_000 }).stdout.replace(/\s+/g, " ");
      return h.slice(h.indexOf("--venue-clock"), h.indexOf("real time)") + "real time)".length);
    };
    const bot = flagLine("bot start");
    expect(bot).toMatch(/^--venue-clock the risk gate keeps the exchange's clock: only with --api-base/);
    expect(bot).toBe(flagLine("trade start"));
  });

  it("names bot resume's --key-file with trade resume's wording", () => {
    const flagLine = (cmd: string) => {
      const h = runKairos([...cmd.split(" "), "--help"], { timeout: 60_000 }).stdout.replace(/\s+/g, " ");
      const at = h.indexOf("--key-file");
      return h.slice(at, h.indexOf("later resumes)", at) + "later resumes)".length);
    };
    const bot = flagLine("bot resume");
    expect(bot).toBe(
      "--key-file <path> live: read the API keys from this file now (mode 0600; recorded for later resumes)",
    );
    expect(bot).toBe(flagLine("trade resume"));
  });
});
