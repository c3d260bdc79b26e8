// `kairos data download` with no exchange to talk to: a refused connection and an unresolvable
// host fail at once with one line (they are not 5xx answers worth a minute of retries)
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { runKairos, tempHome } from "../support/cli.ts";

const home = tempHome("kairos-cli-offline-");

// a loopback port that was free a moment ago and that nothing listens on now
const closedPort = (): Promise<number> =>
  new Promise((done, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => done(port));
    });
  });

// everything on stderr: the error alone, one line
const errorLines = (stderr: string): string[] => stderr.trim().split("\n");

const download = (apiBase: string) =>
  runKairos(
    [
      "data",
      "download",
      "--exchange",
      "binance",
      "--symbol",
      "BTC/USDT",
      "--timeframe",
      "1h",
      "--since",
      "2024-01-01",
      "--api-base",
      apiBase,
    ],
    { home, timeout: 120_000 },
  );

describe("kairos data download offline", () => {
  it("a refused connection: one line, exit 6, no retries", async () => {
    const port = await closedPort();
    const r = download(`http://127.0.0.1:${port}`);
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).not.toMatch(/retry/);
    expect(errorLines(r.stderr)).toEqual([
      `kairos: cannot reach binance at http://127.0.0.1:${port} while loading markets: the host refused the connection (nothing listens there); check the connection (or --api-base) and run the command again [EXCHANGE_UNAVAILABLE]`,
    ]);
  }, 120_000);

  it("an unresolvable host (.invalid never resolves): one line, exit 6, no retries", () => {
    const r = download("http://kairos-offline-test.invalid");
    expect(r.code, r.stderr).toBe(6);
    expect(r.stderr).not.toMatch(/retry/);
    expect(errorLines(r.stderr)).toHaveLength(1);
    expect(errorLines(r.stderr)[0]).toMatch(
      /^kairos: cannot reach binance at http:\/\/kairos-offline-test\.invalid while loading markets: the host name cannot be resolved/,
    );
  }, 120_000);
});
