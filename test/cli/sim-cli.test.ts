// `kairos sim` as a user runs it: a child process serving stored candles on 127.0.0.1, with a
// generated key printed once; bad input is one line and exit 2
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundledHome, ROOT, runKairosInProcess } from "../support/cli.ts";

const home = bundledHome("kairos-sim-cli-", ["binance_BTC-USDT_1h.csv"]);

describe("kairos sim", () => {
  it("serves the stored series with a generated key, checks signatures and stops on SIGTERM", async () => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, "bin/kairos.js"),
        "--home",
        home,
        "--json",
        "sim",
        "--port",
        "0",
        "--data",
        "binance:BTC/USDT:1h",
        "--speed",
        "3600",
        "--ledger",
      ],
      { env: { ...process.env, KAIROS_HOME: "" } },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    try {
      await expect.poll(() => out.trim().endsWith("}"), { timeout: 60_000, interval: 100 }).toBe(true);
      const info = JSON.parse(out) as {
        url: string;
        key: string;
        secret: string;
        markets: string[];
        ledger: string;
      };
      expect(info.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(info.markets).toEqual(["BTC/USDT"]);
      expect(info.key).toMatch(/^sim-/);
      expect(info.secret).toMatch(/^[0-9a-f]{64}$/);
      const signed = (secret: string): string => {
        const q = `timestamp=${Date.now()}`;
        return `${q}&signature=${createHmac("sha256", secret).update(q).digest("hex")}`;
      };
      const ok = await fetch(`${info.url}/api/v3/account?${signed(info.secret)}`, {
        headers: { "X-MBX-APIKEY": info.key },
      });
      expect(ok.status).toBe(200);
      const bad = await fetch(`${info.url}/api/v3/account?${signed("guess")}`, {
        headers: { "X-MBX-APIKEY": info.key },
      });
      expect(((await bad.json()) as { code: number }).code).toBe(-1022);
      const ledger = (await (await fetch(info.ledger)).json()) as { initial: Record<string, string> };
      expect(ledger.initial).toEqual({ USDT: "10000.00000000" });
      // at 3600x the market clock moves an hour per second: it passes ten minutes within a few
      // seconds (waited for by polling the clock, not by sleeping a fixed time)
      const serverTime = async (): Promise<number> =>
        ((await (await fetch(`${info.url}/api/v3/time`)).json()) as { serverTime: number }).serverTime;
      const t1 = await serverTime();
      let t2 = t1;
      for (const until = Date.now() + 5_000; t2 - t1 <= 600_000 && Date.now() < until; )
        t2 = await serverTime();
      expect(t2 - t1).toBeGreaterThan(600_000);
      // the secret is never printed anywhere else
      expect(err).not.toContain(info.secret);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  }, 90_000);

  it.each([
    [
      ["--data", "binance:BTC/USDT:1h", "--faults", "create:boom=0.1"],
      /--faults "create:boom=0.1": request faults are/,
    ],
    [["--data", "binance:BTC/USDT:1h", "--faults", "create:429=2"], /P in \[0, 1\]/],
    [["--data", "BTC/USDT"], /--data "BTC\/USDT": write EXCHANGE:SYMBOL:TF/],
    [["--data", "binance:BTC/USDT:1h", "--balance", "USDT=-5"], /--balance "USDT=-5"/],
    [["--data", "binance:BTC/USDT:1h", "--key", "k"], /--key and --secret go together/],
    [["--data", "binance:BTC/USDT:1h", "--speed", "0"], /--speed "0"/],
    [["--data", "binance:BTC/USDT:1h", "--start", "2024-02-30"], /--start "2024-02-30" is not a real date/],
  ])("refuses %j in one line", async (args, message) => {
    const r = await runKairosInProcess(["sim", "--port", "0", ...args], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("says so in one line when the port is taken", async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, "127.0.0.1", () => r()));
    const port = (taken.address() as AddressInfo).port;
    try {
      const r = await runKairosInProcess(["sim", "--port", String(port), "--data", "binance:BTC/USDT:1h"], {
        home,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`port ${port} on 127.0.0.1 is in use`));
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
  });

  it("names a series that is not stored", async () => {
    const r = await runKairosInProcess(["sim", "--port", "0", "--data", "binance:ETH/USDT:1h"], { home });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/ETH\/USDT/);
  });
});
