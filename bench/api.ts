// `npm run bench -- api [seconds]`: read routes of `kairos serve` (its own process, 127.0.0.1) at a
// fixed 200 requests/s from autocannon; one JSON line per route with p50/p99/max latency in ms.
// The peer in the same run is GET /health (no token, no use case): the server's own floor.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin/kairos.js");
const seconds = Number(process.argv[2] ?? 10);
const RATE = 200;
const home = mkdtempSync(join(tmpdir(), "kairos-bench-api-"));
const kairos = (args: string[]) => {
  const r = spawnSync(process.execPath, [bin, "--home", home, ...args], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`kairos ${args.join(" ")} failed: ${r.stderr}`);
  return r.stdout;
};

for (const f of ["binance_BTC-USDT_1d.csv", "binance_BTC-USDT_1h.csv"])
  kairos(["data", "import", join(root, "data", f)]);
const token = (
  JSON.parse(kairos(["--json", "auth", "token", "create", "--agent", "bench"])) as { token: string }
).token;
const server = spawn(process.execPath, [bin, "--home", home, "--json", "serve", "--port", "0"], {
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise<string>((resolve, reject) => {
  let out = "";
  server.stdout.on("data", (d: Buffer) => {
    out += d.toString();
    const m = /"url":\s*"([^"]+)"/.exec(out);
    if (m) resolve(m[1]!);
  });
  server.once("exit", (code) => reject(new Error(`kairos serve exited ${code}`)));
});

const cases: { name: string; method: "GET" | "POST"; path: string; body?: unknown; auth: boolean }[] = [
  { name: "health (peer: no token, no use case)", method: "GET", path: "/health", auth: false },
  { name: "strategies list", method: "GET", path: "/v1/strategies", auth: true },
  { name: "data list", method: "GET", path: "/v1/data/series", auth: true },
  {
    name: "data show 1h",
    method: "POST",
    path: "/v1/data/show",
    auth: true,
    body: { symbol: "BTC/USDT", timeframe: "1h", rows: 5 },
  },
  {
    name: "indicators compute rsi 1d",
    method: "POST",
    path: "/v1/indicators/compute",
    auth: true,
    body: {
      indicator: "rsi",
      params: { period: 14 },
      series: { symbol: "BTC/USDT", timeframe: "1d" },
      last: 10,
    },
  },
];

try {
  for (const c of cases) {
    const r = await autocannon({
      url: `${url}${c.path}`,
      method: c.method,
      connections: 10,
      overallRate: RATE,
      duration: seconds,
      headers: {
        ...(c.auth ? { authorization: `Bearer ${token}` } : {}),
        ...(c.body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(c.body === undefined ? {} : { body: JSON.stringify(c.body) }),
    });
    process.stdout.write(
      `${JSON.stringify({
        bench: "api",
        case: c.name,
        rate: RATE,
        seconds,
        requests: r.requests.total,
        non2xx: r.non2xx,
        errors: r.errors,
        p50_ms: r.latency.p50,
        p99_ms: r.latency.p99,
        max_ms: r.latency.max,
        trading_loop: "not running (left: the issue asks for p99 with the loop running)",
      })}\n`,
    );
  }
} finally {
  server.kill("SIGTERM");
  rmSync(home, { recursive: true, force: true });
}
