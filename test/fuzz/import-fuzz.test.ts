// The seeded import fuzz (issue 22, point 7): several hundred malformed files in every format,
// each with its truth. Zero INTERNAL, zero partial stores, zero wrong values accepted, every
// refusal one short line, and every file that is fine accepted with exactly its values. The
// harness is shown to catch each kind of failure on importers broken on purpose.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NodeDataFiles } from "../../src/adapters/fs/node-data-files.ts";
import { type ImportDeps, importCandlesAsync } from "../../src/app/import-candles.ts";
import { loadBundledSeries } from "../support/bundled-data.ts";
import { baseRows, buildCorpus, type FuzzCase } from "./corpus.ts";
import { emptyFindings, type Importer, runCase } from "./harness.ts";

const SEED = 20_261_204;
const root = mkdtempSync(join(tmpdir(), "kairos-fuzz-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const base = baseRows(loadBundledSeries("binance", "BTC/USDT", "1h"), 48);
const corpus = buildCorpus(base, SEED);
const files = new NodeDataFiles({ maxBytes: corpus.maxBytes });
let dirs = 0;

async function run(cases: FuzzCase[], importer: Importer) {
  const f = emptyFindings();
  for (const c of cases) await runCase(c, join(root, `case${dirs++}`), importer, files, f);
  return f;
}

describe(`import fuzz (seed ${SEED})`, () => {
  it(`${corpus.cases.length} malformed or odd files: 0 INTERNAL, 0 partial stores, 0 wrong values accepted`, async () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(300);
    const f = await run(corpus.cases, importCandlesAsync);
    expect(f.ran).toBe(corpus.cases.length);
    expect(f.internal).toEqual([]);
    expect(f.partial).toEqual([]);
    expect(f.wrong).toEqual([]);
    expect(f.badMessage).toEqual([]);
    expect(f.refusedGood).toEqual([]);
    // the corpus is mostly refusals, with every benign variant accepted
    expect(f.refused).toBeGreaterThanOrEqual(280);
    expect(f.accepted).toBe(corpus.cases.filter((c) => "accept" in c.expect).length);
  }, 300_000);

  describe("the harness fails broken importers", () => {
    const pick = (re: RegExp) => corpus.cases.filter((c) => re.test(c.id)).slice(0, 3);
    it("one that crashes with a plain Error is INTERNAL", async () => {
      const f = await run(pick(/json-token/), async () => {
        throw new TypeError("Cannot read properties of undefined");
      });
      expect(f.internal).toHaveLength(3);
    });
    it("one that stores before failing is a partial store", async () => {
      const f = await run(pick(/folder-bad-number/), async (deps: ImportDeps, input) => {
        const s = loadBundledSeries("binance", "ETH/USDT", "1d");
        deps.store.upsert({
          ...s,
          ts: s.ts.subarray(0, 3),
          open: s.open.subarray(0, 3),
          high: s.high.subarray(0, 3),
          low: s.low.subarray(0, 3),
          close: s.close.subarray(0, 3),
          volume: s.volume.subarray(0, 3),
        });
        return importCandlesAsync(deps, input);
      });
      expect(f.partial).toHaveLength(1);
    });
    it("one that reads empty strings and hex as numbers (JSON.parse + Number()) accepts wrong values", async () => {
      const lenient: Importer = async (deps, input) => {
        const { readdirSync, readFileSync } = await import("node:fs");
        const name = readdirSync(input.path)[0]!;
        const rows = JSON.parse(readFileSync(join(input.path, name), "utf8")) as unknown[][];
        const col = (k: number) => Float64Array.from(rows, (r) => Number(r[k]));
        const series = {
          exchange: "binance",
          symbol: "BTC/USDT",
          timeframe: "1h" as const,
          ts: col(0),
          open: col(1),
          high: col(2),
          low: col(3),
          close: col(4),
          volume: col(5),
        };
        const r = deps.store.upsert(series);
        return {
          files: [{ file: name, ...series, rows: rows.length, ...r, first: 0, last: 0, gaps: [] }],
          funding: [],
          skipped: [],
        };
      };
      const f = await run(pick(/json-volume/), lenient);
      expect(f.wrong).toHaveLength(3);
    });
    it("one that stores values off by one ulp is caught on a file that is fine", async () => {
      const f = await run(pick(/benign-crlf/), async (deps: ImportDeps, input) => {
        const r = await importCandlesAsync(deps, input);
        const key = { exchange: "binance", symbol: "BTC/USDT", timeframe: "1h" as const };
        const s = deps.store.read(key);
        const close = Float64Array.from(s.close, (x, i) => (i === 7 ? x * (1 + Number.EPSILON) : x));
        deps.store.upsert({ ...s, close }, { replace: true });
        return r;
      });
      expect(f.wrong).toEqual([expect.stringMatching(/stored values differ/)]);
    });
  });
});
