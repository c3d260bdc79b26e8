import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { parseUtcTime } from "../../../app/contract.ts";
import type { CandleSeries } from "../../../domain/candle-series.ts";
import { parseTimeframe } from "../../../domain/timeframe.ts";
import { invalidInput } from "../../../errors.ts";
import { printInfo, printJson, printLine } from "../context.ts";
import { stopSignal } from "../stop-signal.ts";
import { withContainer } from "../with-container.ts";

interface SimOpts {
  port: string;
  data: string;
  speed: string;
  seed: string;
  faults?: string;
  balance: string[];
  key?: string;
  secret?: string;
  ledger?: boolean;
  start?: string;
  canWithdraw?: boolean;
}

/** `kairos sim`: a simulated Binance spot exchange on 127.0.0.1 replaying stored candles */
export function registerSimCommand(program: Command): void {
  program
    .command("sim")
    .description(
      "run a simulated Binance spot exchange on 127.0.0.1 that replays stored candles (REST, signed orders, user-data and kline streams, seeded faults) to practise against",
    )
    .requiredOption("--port <n>", "TCP port on 127.0.0.1 (0 = any free port)")
    .requiredOption("--data <list>", "series to replay: EXCHANGE:SYMBOL:TF[,...], e.g. binance:BTC/USDT:1h")
    .option("--speed <x>", "market clock speed: 1 = real time, 60 = a minute per second", "1")
    .option("--seed <n>", "seed of the fault draws", "1")
    .option(
      "--faults <spec>",
      "ENDPOINT:FAULT=P,... e.g. create:429=0.05,create:5xx=0.02,ws:drop=0.01,fill:partial=0.3",
    )
    .option(
      "--balance <ASSET=AMOUNT>",
      "opening balance (repeatable; default USDT=10000)",
      (v: string, acc: string[]) => [...acc, ...v.split(",")],
      [] as string[],
    )
    .option(
      "--key <key>",
      "API key the exchange accepts (with --secret; generated and printed once when both are absent)",
    )
    .option("--secret <secret>", "API secret (HMAC-SHA256)")
    .option("--ledger", "serve the books as JSON at GET /sim/ledger")
    .option(
      "--start <time>",
      "market time the replay starts at (ISO 8601 UTC; default 500 bars into the data)",
    )
    .option("--can-withdraw", "report the key as able to withdraw (to test that live trading refuses it)")
    .addHelpText(
      "after",
      "\nExample:\n  kairos sim --port 8765 --data binance:BTC/USDT:1h --speed 60 --ledger\n  then point ccxt's binance class (every URL in `urls.api`) at http://127.0.0.1:8765",
    )
    .action((opts: SimOpts, cmd: Command) =>
      withContainer(cmd, async (c, g) => {
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw invalidInput(`--port "${opts.port}": give a TCP port from 0 to 65535`);
        const speed = Number(opts.speed);
        if (!Number.isFinite(speed) || speed <= 0 || speed > 1_000_000)
          throw invalidInput(
            `--speed "${opts.speed}": give a number above 0 (1 = real time), at most 1000000`,
          );
        const seed = Number(opts.seed);
        if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
          throw invalidInput(`--seed "${opts.seed}": give an integer from 0 to 4294967295`);
        if ((opts.key === undefined) !== (opts.secret === undefined))
          throw invalidInput(
            "--key and --secret go together: give both, or neither to have a pair generated",
          );
        let start: number | undefined;
        if (opts.start !== undefined) {
          const t = parseUtcTime(opts.start);
          if (typeof t !== "number") throw invalidInput(`--start ${t.problem}`);
          start = t;
        }
        const balances: Record<string, string> = {};
        for (const b of opts.balance.length === 0 ? ["USDT=10000"] : opts.balance) {
          const m = /^([A-Z0-9]{1,20})=(\d+(?:\.\d{1,8})?)$/.exec(b.trim());
          if (m === null)
            throw invalidInput(
              `--balance "${b}": write ASSET=AMOUNT with at most 8 decimals, e.g. USDT=10000`,
            );
          balances[m[1]!] = m[2]!;
        }
        const series: CandleSeries[] = [];
        for (const item of opts.data.split(",").map((s) => s.trim())) {
          const m = /^([a-z0-9]{1,32}):([A-Z0-9]{1,20}\/[A-Z0-9]{1,20}):([0-9]+[mhdwM])$/.exec(item);
          if (m === null)
            throw invalidInput(`--data "${item}": write EXCHANGE:SYMBOL:TF, e.g. binance:BTC/USDT:1h`);
          series.push(c.store.read({ exchange: m[1]!, symbol: m[2]!, timeframe: parseTimeframe(m[3]!) }));
        }
        const generated = opts.key === undefined;
        const key = opts.key ?? `sim-${randomBytes(12).toString("hex")}`;
        const secret = opts.secret ?? randomBytes(32).toString("hex");
        const sim = await c.simExchange({
          series,
          apiKey: { key, secret, canWithdraw: opts.canWithdraw === true },
          balances,
          seed,
          clock: { kind: "real", speed },
          port,
          ledgerRoute: opts.ledger === true,
          ...(opts.faults === undefined ? {} : { faults: opts.faults }),
          ...(start === undefined ? {} : { start }),
        });
        const markets = [...sim.markets.values()].map((m) => m.symbol);
        const info = {
          url: sim.url,
          wsUrl: sim.wsUrl,
          markets,
          start: new Date(sim.now()).toISOString(),
          speed,
          ledger: opts.ledger === true ? `${sim.url}/sim/ledger` : null,
          ...(generated ? { key, secret } : { key }),
        };
        // caught before the lines saying where it listens
        const stopped = stopSignal();
        if (g.json) printJson(info);
        else {
          printLine(`simulated exchange on ${sim.url} (streams ${sim.wsUrl}/<listenKey>)`);
          printLine(`markets: ${markets.join(", ")}; market clock ${info.start}, speed ${speed}x`);
          if (info.ledger !== null) printLine(`ledger: ${info.ledger}`);
          // a generated secret is shown this once and never again
          if (generated) printLine(`API key: ${key}\nAPI secret: ${secret}`);
          else printLine(`API key: ${key}`);
          printInfo("Ctrl-C stops it");
        }
        await stopped;
        await sim.close();
      }),
    );
}
