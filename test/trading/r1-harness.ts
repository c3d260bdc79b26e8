// R1 "crash anywhere": a paper session run by a child process that is killed with SIGKILL at random
// lifecycle points (its own hook, KAIROS_CRASH_AT) or at random moments (the parent's kill), then
// resumed, again and again; afterwards kairos's books must equal the paper venue's exactly and the
// outcome must equal an uncrashed run's. Shared by test/trading/r1-crash.test.ts and bench/trading.ts.
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import Database from "better-sqlite3";
import { build } from "esbuild";
import { openSession } from "../../src/app/trade-runtime.ts";
import { createContainer } from "../../src/composition-root.ts";
import { sliceSeries } from "../../src/domain/candle-series.ts";
import { createRng } from "../../src/domain/random.ts";
import { accountView } from "../../src/execution/accounting.ts";
import type { CrashPoint } from "../../src/execution/crash-points.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { writeTestLimits } from "./trading-limits.ts";

const ROOT = resolve(import.meta.dirname, "../..");

// the points a paper session passes through (cancels happen only on stop --flatten)
export const SESSION_POINTS: readonly CrashPoint[] = [
  "after-intent",
  "before-send",
  "after-mark-sent",
  "after-submit",
  "after-ack",
  "before-fill",
  "after-fill",
  "after-bar",
];

/** the markets the crashed session trades */
export const R1_SYMBOLS = ["BTC/USDT", "ETH/USDT"] as const;

export interface R1Env {
  dir: string;
  child: string;
  template: string;
  from: string;
  to: string;
  /** fills of the uncrashed run: [ts, side, qty, price] */
  reference: string[];
  referenceBalances: Record<string, string>;
}

/**
 * Bundles the child once (a tsx start per kill would cost ~1 s), builds a home holding the last
 * `bars` bars of the bundled BTC/USDT 1h series, and records an uncrashed run as the reference.
 * Homes live on /dev/shm when it exists: a process kill needs no fsync to keep committed data
 */
export async function setupR1(bars = 160): Promise<R1Env> {
  const base = process.platform === "linux" ? "/dev/shm" : tmpdir();
  const dir = mkdtempSync(join(base, "kairos-r1-"));
  // inside the repository, so the child resolves its packages from node_modules
  const out = join(ROOT, "node_modules/.cache/kairos-r1", String(process.pid));
  const child = join(out, "crash-child.js");
  await build({
    entryPoints: [join(ROOT, "test/trading/crash-child.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // dynamic imports stay lazy chunks (ccxt alone takes ~2 s to load)
    splitting: true,
    outdir: out,
    packages: "external",
    logLevel: "silent",
  });
  const template = join(dir, "template");
  mkdirSync(template);
  const c = createContainer({ home: template });
  // every copied home trades under the same explicit limits (the defaults are too small for this account)
  writeTestLimits(template);
  // two markets: the paper venue numbers trades per market as Binance does, so both have a trade 1
  // and only (symbol, trade id) tells their fills apart
  const sliced = R1_SYMBOLS.map((sym) => {
    const all = loadBundledSeries("binance", sym, "1h");
    return sliceSeries(all, all.ts.length - bars);
  });
  for (const x of sliced) c.store.upsert(x);
  c.close();
  const s = sliced[0]!;
  if (sliced.some((x) => x.ts[0] !== s.ts[0] || x.ts[bars - 1] !== s.ts[bars - 1]))
    throw new Error("R1: the bundled BTC/USDT and ETH/USDT 1h series do not end together");
  const from = new Date(s.ts[20]!).toISOString();
  const to = new Date(s.ts[bars - 1]! + 3_600_000).toISOString();
  const env: R1Env = { dir, child, template, from, to, reference: [], referenceBalances: {} };
  const home = join(dir, "reference");
  cpSync(template, home, { recursive: true });
  const r = await runChild(env, home, "start");
  if (r.signal !== null || r.code !== 0) throw new Error(`reference run failed: ${r.stderr}`);
  const ref = inspect(home);
  env.reference = ref.fills;
  env.referenceBalances = ref.venueBalances;
  return env;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** One run of the trading process; `crashAt` makes it kill itself, `killAfterMs` has it killed from outside */
export function runChild(
  env: R1Env,
  home: string,
  mode: "start" | "resume",
  crashAt?: string,
  killAfterMs?: number,
): Promise<ChildResult> {
  return new Promise((done, fail) => {
    const args = [env.child, home, mode, "r1", ...(mode === "start" ? [env.from, env.to] : [])];
    const p = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, KAIROS_CRASH_AT: crashAt ?? "" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    p.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => p.kill("SIGKILL"), killAfterMs);
    p.on("error", fail);
    p.on("close", (code, signal) => {
      if (timer !== undefined) clearTimeout(timer);
      done({ code, signal, stderr });
    });
  });
}

export interface Inspection {
  state: string;
  haltReason: string | undefined;
  differences: string[];
  fills: string[];
  venueBalances: Record<string, string>;
  kairosBalances: Record<string, string>;
  /** venue orders per client id beyond the first (0: nothing doubled) */
  duplicateOrders: number;
  /** venue orders whose client id kairos has no record of */
  unknownVenueOrders: number;
  /** venue fills kairos has not recorded, and kairos fills the venue does not have */
  lostFills: number;
  extraFills: number;
  openOrdersKairos: string[];
  openOrdersVenue: string[];
}

/** Reads both sides of a home directly (SQL on the paper venue's books; kairos's store) */
/** Removes the homes and the bundled child */
export function teardownR1(env: R1Env): void {
  rmSync(env.dir, { recursive: true, force: true });
  rmSync(dirname(env.child), { recursive: true, force: true });
}

export function inspect(home: string): Inspection {
  const db = new Database(join(home, "kairos.db"), { readonly: true });
  const venueOrders = db
    .prepare("SELECT client_order_id AS id, status FROM paper_orders WHERE account = 'r1'")
    .all() as { id: string; status: string }[];
  const venueFills = db
    .prepare(
      "SELECT symbol, symbol_trade_id AS trade_id, ts, side, qty, price FROM paper_fills WHERE account = 'r1' ORDER BY trade_id",
    )
    .all() as {
    symbol: string;
    trade_id: number;
    ts: number;
    side: string;
    qty: string;
    price: string;
  }[];
  const venueBalances = Object.fromEntries(
    (
      db.prepare("SELECT asset, total FROM paper_balances WHERE account = 'r1' ORDER BY asset").all() as {
        asset: string;
        total: string;
      }[]
    )
      .filter((b) => b.total !== "0")
      .map((b) => [b.asset, b.total]),
  );
  db.close();
  const c = createContainer({ home });
  try {
    const deps = c.trading();
    const s = deps.orders.getSession("r1")!;
    const orders = deps.orders.ordersOf("r1");
    const ours = new Set(orders.map((o) => o.clientOrderId));
    const kairosFills = deps.orders.fillsOf("r1");
    // a fill is (symbol, trade id): both markets number their trades from 1
    const kairosIds = new Set(kairosFills.map((f) => `${f.symbol}#${f.tradeId}`));
    const venueIds = new Set(venueFills.map((f) => `${f.symbol}#${f.trade_id}`));
    const counts = new Map<string, number>();
    for (const o of venueOrders) counts.set(o.id, (counts.get(o.id) ?? 0) + 1);
    const live = openSession(deps, "r1");
    const view = accountView(live.session.account());
    return {
      state: s.state,
      haltReason: s.haltReason,
      differences: deps.orders.lastReconciliation("r1")?.differences ?? ["never reconciled"],
      fills: venueFills.map((f) => `${f.symbol}#${f.trade_id} ${f.ts} ${f.side} ${f.qty} @ ${f.price}`),
      venueBalances,
      kairosBalances: Object.fromEntries(Object.entries(view.balances).filter(([, v]) => v !== "0")),
      duplicateOrders: [...counts.values()].reduce((a, n) => a + n - 1, 0),
      unknownVenueOrders: venueOrders.filter((o) => !ours.has(o.id)).length,
      lostFills: [...venueIds].filter((id) => !kairosIds.has(id)).length,
      extraFills: [...kairosIds].filter((id) => !venueIds.has(id)).length,
      openOrdersKairos: orders
        .filter((o) => ["sent", "acknowledged", "partially_filled", "unknown"].includes(o.state))
        .map((o) => o.clientOrderId)
        .sort(),
      openOrdersVenue: venueOrders
        .filter((o) => o.status === "open")
        .map((o) => o.id)
        .sort(),
    };
  } finally {
    c.close();
  }
}

export interface R1Summary {
  kills: number;
  selfKills: number;
  externalKills: number;
  chains: number;
  restarts: number;
  duplicateOrders: number;
  unknownVenueOrders: number;
  lostFills: number;
  extraFills: number;
  /** chains whose final books differ from the venue, or from the uncrashed run */
  mismatches: string[];
  byPoint: Record<string, number>;
}

/**
 * Kills the trading process `kills` times: chains of up to `perChain` kills (each restart resumes
 * the session and may be killed again), then a clean resume, then a full comparison
 */
export async function runR1(env: R1Env, kills: number, seed: number, perChain = 5): Promise<R1Summary> {
  const rng = createRng(seed);
  const sum: R1Summary = {
    kills: 0,
    selfKills: 0,
    externalKills: 0,
    chains: 0,
    restarts: 0,
    duplicateOrders: 0,
    unknownVenueOrders: 0,
    lostFills: 0,
    extraFills: 0,
    mismatches: [],
    byPoint: {},
  };
  while (sum.kills < kills) {
    const home = join(env.dir, `chain-${sum.chains++}`);
    cpSync(env.template, home, { recursive: true });
    let mode: "start" | "resume" = "start";
    for (let k = 0; k < perChain && sum.kills < kills; k++) {
      const external = rng.next() < 0.2;
      const point = SESSION_POINTS[rng.int(SESSION_POINTS.length)]!;
      const n = 1 + rng.int(point === "after-bar" ? 100 : 8);
      const r = external
        ? await runChild(env, home, mode, undefined, 150 + rng.int(900))
        : await runChild(env, home, mode, `${point}:${n}`);
      if (r.signal === "SIGKILL") {
        sum.kills++;
        if (external) sum.externalKills++;
        else sum.selfKills++;
        const key = external ? "external" : point;
        sum.byPoint[key] = (sum.byPoint[key] ?? 0) + 1;
      } else if (r.code !== 0) throw new Error(`trading process failed (${mode}): ${r.stderr}`);
      // a session that never got created (killed before its first commit) starts again
      mode = hasSession(home) ? "resume" : "start";
      sum.restarts++;
    }
    const last = await runChild(env, home, mode);
    if (last.code !== 0) throw new Error(`final resume failed: ${last.stderr}`);
    const i = inspect(home);
    sum.duplicateOrders += i.duplicateOrders;
    sum.unknownVenueOrders += i.unknownVenueOrders;
    sum.lostFills += i.lostFills;
    sum.extraFills += i.extraFills;
    const why: string[] = [];
    if (i.state !== "active") why.push(`state ${i.state}: ${i.haltReason}`);
    if (i.differences.length > 0) why.push(...i.differences);
    if (JSON.stringify(i.kairosBalances) !== JSON.stringify(i.venueBalances))
      why.push(
        `balances kairos ${JSON.stringify(i.kairosBalances)} venue ${JSON.stringify(i.venueBalances)}`,
      );
    if (JSON.stringify(i.openOrdersKairos) !== JSON.stringify(i.openOrdersVenue))
      why.push(`open orders kairos ${i.openOrdersKairos} venue ${i.openOrdersVenue}`);
    if (JSON.stringify(i.fills) !== JSON.stringify(env.reference))
      why.push("fills differ from the uncrashed run");
    if (JSON.stringify(i.venueBalances) !== JSON.stringify(env.referenceBalances))
      why.push(`final balances ${JSON.stringify(i.venueBalances)} differ from the uncrashed run's`);
    if (why.length > 0) sum.mismatches.push(`${home}: ${why.join("; ")}`);
    else rmSync(home, { recursive: true, force: true });
  }
  return sum;
}

function hasSession(home: string): boolean {
  try {
    const db = new Database(join(home, "kairos.db"), { readonly: true, fileMustExist: true });
    try {
      return db.prepare("SELECT 1 FROM trade_sessions WHERE id = 'r1'").get() !== undefined;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}
