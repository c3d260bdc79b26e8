// The CLI refuses what it cannot honour: every invocation below is wrong in one way, and each must
// exit 2 with one line naming the field (plus where the help is), and never print a stack trace,
// INTERNAL, a secret or a raw control character. A closed pipe ends quietly with 0.
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DATA_DIR } from "../support/bundled-data.ts";
import { bundledHome, ROOT, runKairos, runKairosInProcess, tempHome } from "../support/cli.ts";

const home = bundledHome("kairos-invalid-", ["binance_BTC-USDT_1d.csv"]);
const scratch = tempHome("kairos-invalid-scratch-");
const aFile = join(scratch, "not-a-folder");
writeFileSync(aFile, "x");
// a CSV whose header holds an OSC escape (it would retitle the terminal if echoed raw)
const escapedCsv = join(scratch, "binance_ESC-USDT_1d.csv");
writeFileSync(
  escapedCsv,
  "timestamp,open\u001b]0;pwned\u0007,high,low,close,volume\n2024-01-01T00:00:00Z,1,1,1,1,1\n",
);

const SECRET = "s3cretPassw0rd";
const ESC = "\u001b]0;pwned\u0007";
const series = ["--symbol", "BTC/USDT", "--timeframe", "1d"];

/** [arguments, what the one line must name] */
const CASES: [string[], RegExp][] = [
  // dates: one strict UTC ISO 8601 parser everywhere
  [["data", "show", ...series, "--from", "2024-02-30"], /--from "2024-02-30" is not a real date/],
  [["data", "show", ...series, "--from", "01/02/2024"], /--from "01\/02\/2024" is not an ISO 8601/],
  [["data", "show", ...series, "--from", "5"], /--from "5"/],
  [["data", "show", ...series, "--from", "-1"], /--from "-1"/],
  [["data", "show", ...series, "--from", "foo 2020"], /--from "foo 2020"/],
  [["data", "show", ...series, "--from", "2024-01-05T10:00+09:00"], /--from .*time-zone offset/],
  [["data", "show", ...series, "--from", "2024-01-01T25:00"], /--from "2024-01-01T25:00"/],
  [["data", "show", ...series, "--from", "2024-03-01", "--to", "2024-02-01"], /--to must be after --from/],
  [["data", "export", ...series, "--from", "2024-03-01", "--to", "2024-02-01"], /--to must be after --from/],
  [["data", "export", ...series, "--to", "2023-02-29"], /--to "2023-02-29" is not a real date/],
  [
    [
      "data",
      "align",
      "--symbols",
      "BTC/USDT",
      "--timeframe",
      "1d",
      "--from",
      "2024-02-01",
      "--to",
      "2024-01-01",
    ],
    /--to must be after --from/,
  ],
  [["indicators", "compute", "rsi", ...series, "--from", "2024-02-30"], /--from "2024-02-30"/],
  [
    ["sweep", "sma-cross", ...series, "--from", "2024-03-01", "--to", "2024-01-01"],
    /--to must be after --from/,
  ],
  [["screen", "--symbols", "BTC/USDT", "--timeframe", "1d", "--from", "2024-13-01"], /--from "2024-13-01"/],
  [
    ["backtest", "sma-cross", ...series, "--from", "2024-03-01", "--to", "2024-02-01"],
    /--to must be after --from/,
  ],
  [
    ["model", "train", ...series, "--horizon", "2", "--from", "2024-03-01", "--to", "2024-01-01"],
    /--to must be after --from/,
  ],
  [["model", "evaluate", ...series, "--from", "2024-02-30"], /--from "2024-02-30"/],
  [["model", "predict", "gbdt-x", "--at", "2024-13-01"], /--at "2024-13-01"/],
  [
    ["data", "download", "--exchange", "binance", ...series, "--since", "2024-05-01", "--to", "2024-01-01"],
    /--to must be after --since/,
  ],
  // strict numbers
  [["data", "show", ...series, "--rows", "-1"], /--rows -1 is out of range/],
  [["data", "show", ...series, "--rows", "abc"], /--rows "abc" is not a number/],
  [["data", "show", ...series, "--rows", "1.5"], /--rows 1\.5 is not a whole number/],
  [["indicators", "compute", "rsi", ...series, "--last", "-1"], /--last -1/],
  [["indicators", "compute", "rsi", ...series, "--period", "1"], /parameter "period"/],
  [["data", "download", "--exchange", "binance", ...series, "--timeout", "1.5"], /--timeout 1\.5/],
  [["data", "download", "--exchange", "binance", ...series, "--timeout", "0"], /--timeout 0/],
  [["backtest", "sma-cross", ...series, "--fee", "ten"], /--fee "ten": write a fraction/],
  [["backtest", "sma-cross", ...series, "--leverage", "500"], /--leverage 500 is out of range/],
  [["backtest", "sma-cross", ...series, "--fast", "x"], /sma-cross --fast: /],
  [["backtest", "sma-cross", ...series, "--initial-cash", "-5"], /--initial-cash -5/],
  [["backtest", "sma-cross", ...series, "--cooldown-bars", "1.5"], /--cooldown-bars 1\.5/],
  [["backtest", "sma-cross", ...series, "--size", "0"], /--size 0/],
  [["backtest", "sma-cross", ...series, "--market", "spt"], /--market spt: use one of spot, perp/],
  [["sweep", "sma-cross", ...series, "--sort", "alpha"], /--sort alpha: use one of/],
  [["sweep", "sma-cross", ...series, "--top", "0"], /--top 0/],
  [["screen", "--symbols", "BTC/USDT", "--timeframe", "1d", "--seed", "-1"], /--seed -1/],
  [["model", "evaluate", ...series, "--horizons", "0"], /--horizons 0/],
  [["model", "evaluate", ...series, "--folds", "abc"], /--folds "abc"/],
  [["model", "train", ...series, "--horizon", "0"], /--horizon 0/],
  // out of range for what the machine and the model can do
  [
    ["backtest", "sma-cross", ...series, "--check-lookahead", "--lookahead-points", "0"],
    /--lookahead-points 0/,
  ],
  [
    ["sweep", "sma-cross", ...series, "--threads", "99"],
    /--threads 99 is out of range; allowed: .*the machine's cores/,
  ],
  [["sweep", "sma-cross", ...series, "--threads", "0"], /--threads 0/],
  [["screen", "--symbols", "BTC/USDT", "--timeframe", "1d", "--threads", "64"], /--threads 64/],
  [["model", "train", ...series, "--horizon", "2", "--threads", "99"], /--threads 99/],
  [["model", "train", ...series, "--horizon", "1", "--lr", "50"], /--lr 50 is out of range/],
  [["model", "train", ...series, "--horizon", "1", "--depth", "500"], /--depth 500/],
  [
    ["model", "train", ...series, "--horizon", "2", "--target", "vol"],
    /--target vol needs --objective squared/,
  ],
  // work too large to finish: refused with its size
  [
    ["sweep", "sma-cross", ...series, "--param", "fast=1..100000:1", "--param", "slow=1..100000:1"],
    /--param asks for 1\.00e10 combinations/,
  ],
  [
    ["screen", "--symbols", "BTC/USDT", "--timeframe", "1d", "--variants", "1e12"],
    /--variants asks for 1\.00e12 variants/,
  ],
  [
    [
      "screen",
      "--symbols",
      "BTC/USDT",
      "--timeframe",
      "1d",
      "--variants",
      "4",
      "--set",
      "monteCarloResamples=1e12",
    ],
    /--set monteCarloResamples asks for/,
  ],
  // what a market cannot do, data that is not there
  [["backtest", "sma-cross", ...series, "--short"], /--short cannot trade on a spot market/],
  [
    ["backtest", "sma-cross", ...series, "--detail", "5m"],
    /--detail 5m: the stored BTC\/USDT 5m candles are missing/,
  ],
  [["backtest", "sma-cross", ...series, "--detail", "1w"], /--detail 1w must be a finer timeframe/],
  // unknown options, commands and names, with "did you mean"
  [
    ["backtest", "sma-cross", ...series, "--stop-los", "5%"],
    /unknown option '--stop-los' \(did you mean --stop-loss\?\)/,
  ],
  [["data", "show", ...series, "--frm", "2024-01-01"], /unknown option '--frm' \(did you mean --from\?\)/],
  [
    ["indicators", "compute", "rsi", ...series, "--perod", "14"],
    /unknown option '--perod' \(did you mean --period\?\)/,
  ],
  [
    ["sweep", "sma-cross", ...series, "--treads", "2"],
    /unknown option '--treads' \(did you mean --threads\?\)/,
  ],
  [["data", "shw"], /unknown command 'shw' \(did you mean show\?\)/],
  [["sweep", "nope", ...series], /unknown family "nope"/],
  [["backtest", "nope", ...series], /unknown strategy "nope"/],
  [["screen", "--universe", "memecoins"], /unknown universe "memecoins"/],
  [["data", "show", "--symbol", "BTC/USDT", "--timeframe", "7x"], /--timeframe "7x" is not a timeframe/],
  [["data", "resample", ...series, "--to", "7m"], /--to "7m" is not a timeframe/],
  [["data", "export", ...series, "--format", "xml"], /--format xml: use one of csv, json/],
  // identifiers: no paths, no line breaks, no escapes
  [["data", "show", ...series, "--exchange", "../../x"], /--exchange "\.\.\/\.\.\/x" is not an exchange id/],
  [["data", "show", ...series, "--exchange", "bin\nance"], /--exchange "bin\\nance" is not an exchange id/],
  [["data", "download", "--exchange", "../../x", ...series], /--exchange "\.\.\/\.\.\/x"/],
  [["data", "import", join(DATA_DIR, "binance_BTC-USDT_1d.csv"), "--exchange", "a/b"], /--exchange "a\/b"/],
  [
    ["data", "show", "--symbol", `BTC${ESC}/USDT`, "--timeframe", "1d"],
    /--symbol "BTC\\x1b\]0;pwned\\x07\/USDT" is not a symbol/,
  ],
  [["indicators", "compute", "rsi", ...series, "--against", "XRP"], /--against "XRP" is not a symbol/],
  [["report", "../x"], /<run> "\.\.\/x" is not an id/],
  [["report", "s-1", "--scheme", "nope"], /--scheme nope: use one of decay/],
  [["data", "import", escapedCsv], /\\x1b\]0;pwned\\x07/],
  [["data", "check", "--symbol", "BTC/USDT"], /--timeframe is required with --symbol/],
  [["data", "check", ...series, "--exchange", "../x"], /--exchange "\.\.\/x"/],
  // credentials in a URL never appear
  [
    ["data", "show", ...series, "--exchange", `http://user:${SECRET}@host`],
    /--exchange "http:\/\/\*\*\*@host"/,
  ],
  [
    ["data", "download", "--exchange", "binance", ...series, "--api-base", `ftp://user:${SECRET}@host`],
    /--api-base is not an http\(s\) URL/,
  ],
  // homes kairos cannot use
  [["data", "list", "--home", aFile], /--home .* is a file, not a folder/],
  [["data", "list", "--home", join(aFile, "sub")], /--home .* is inside a file/],
];

interface Checked {
  code: number;
  stdout: string;
  stderr: string;
}

function expectOneClearLine(r: Checked, names: RegExp, what: string): void {
  expect(r.code, `${what}\n${r.stderr}`).toBe(2);
  expect(r.stdout, what).toBe("");
  const lines = r.stderr.trimEnd().split("\n");
  expect(lines, `${what}\n${r.stderr}`).toHaveLength(1);
  expect(lines[0], what).toMatch(/^kairos: .* \[INVALID_INPUT\]/);
  expect(lines[0], what).toMatch(names);
  expect(r.stderr, what).not.toMatch(/\n\s+at |INTERNAL/);
  expect(r.stderr, what).not.toContain(SECRET);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: no raw control character may reach the terminal
  expect(r.stderr.replace(/\n$/, ""), what).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
}

describe("kairos refuses invalid invocations with one line naming the field", () => {
  it("has 60+ cases across commands", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    const commands = new Set(
      CASES.map(([a]) => (a[0] === "data" || a[0] === "model" ? `${a[0]} ${a[1]}` : a[0])),
    );
    expect(commands.size).toBeGreaterThanOrEqual(14);
  });

  it.each(CASES.map(([args, names]) => [args.join(" "), args, names] as const))(
    "%s",
    async (_label, args, names) => {
      const r = await runKairosInProcess(args, { home });
      expectOneClearLine(r, names, args.join(" "));
      // a bad flag points at its command's help on the same line
      if (
        !/unknown command|parameter "period"|unknown (family|strategy|universe)|sma-cross --fast|--target vol|pwned/.test(
          r.stderr,
        )
      )
        expect(r.stderr).toMatch(/; see `kairos [a-z ]+ --help`$/m);
    },
    60_000,
  );

  it("a failed atomic write (--report to a folder) is one line and leaves no temporary file", async () => {
    const dir = join(scratch, "reports");
    mkdirSync(dir, { recursive: true });
    const r = await runKairosInProcess(["backtest", "sma-cross", ...series, "--report", dir], { home });
    expect(r.code, r.stderr).toBe(2);
    expect(
      r.stderr
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("kairos:")),
    ).toHaveLength(1);
    expect(readdirSync(dir)).toEqual([]);
    expect(readdirSync(scratch).filter((f) => f.includes(".tmp-"))).toEqual([]);
  }, 60_000);

  it("with --json the error is one JSON object on stderr naming the field", async () => {
    const r = await runKairosInProcess(["data", "show", ...series, "--from", "2024-02-30", "--json"], {
      home,
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    const body = JSON.parse(r.stderr) as { error: { code: string; message: string; field: string } };
    expect(body.error.code).toBe("INVALID_INPUT");
    expect(body.error.field).toBe("from");
    expect(body.error.message).toMatch(/^--from "2024-02-30" is not a real date/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("dates are UTC whatever the machine's time zone: --from 2024/01/05 is refused under TZ=Asia/Tokyo", () => {
    const r = runKairos(["data", "show", ...series, "--from", "2024/01/05"], {
      home,
      env: { TZ: "Asia/Tokyo" },
    });
    expectOneClearLine(r, /--from "2024\/01\/05" is not an ISO 8601 date/, "TZ=Asia/Tokyo");
    const ok = runKairos(["data", "show", ...series, "--from", "2024-01-05", "--rows", "1", "--json"], {
      home,
      env: { TZ: "Asia/Tokyo" },
    });
    expect(ok.code, ok.stderr).toBe(0);
    const first = (JSON.parse(ok.stdout) as { head: { ts: number }[] }).head[0]!;
    expect(first.ts).toBe(Date.UTC(2024, 0, 5));
  }, 60_000);

  it("a closed pipe (data export | head -1) ends quietly with 0", async () => {
    const child = spawn(
      process.execPath,
      [join(ROOT, "bin/kairos.js"), "--home", home, "data", "export", ...series],
      {
        env: { ...process.env, KAIROS_HOME: "" },
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    // read the first chunk, then close the pipe as `head -1` does
    child.stdout.once("data", () => child.stdout.destroy());
    const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
    // warnings about the data may come first; no error, no EPIPE, no stack trace
    expect(stderr).not.toMatch(/EPIPE|\n\s+at |kairos:|Error/);
    expect(code).toBe(0);
  }, 60_000);
});
