import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { NewModelRecord } from "../../ports/model-store.ts";
import { openDatabase } from "./database.ts";
import { SqliteModelStore } from "./sqlite-model-store.ts";

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) rmSync(h, { recursive: true, force: true });
});
const home = (): string => {
  const h = mkdtempSync(join(tmpdir(), "kairos-models-"));
  homes.push(h);
  return h;
};

const record = (createdAt: number): NewModelRecord => ({
  kind: "gbdt",
  createdAt,
  params: { nTrees: 10 },
  features: ["a", "b"],
  target: { kind: "sign", horizon: 24 },
  dataRange: { exchange: "binance", symbol: "BTC/USDT", timeframe: "1h", from: 0, to: 3_600_000 },
  metrics: { auc: 0.55 },
  trainingMs: 12,
});

describe("SqliteModelStore", () => {
  it("saves, lists newest first and loads the exact bytes back, across reopenings", () => {
    const h = home();
    const db = openDatabase(h);
    const store = new SqliteModelStore(db);
    const a = store.save(record(1000), Uint8Array.from([1, 2, 3]));
    const b = store.save(record(2000), Uint8Array.from([4, 5, 6, 7]));
    expect(a.id).toMatch(/^gbdt-[0-9a-f]{12}$/);
    expect(a.hash).toBe("039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81");
    db.close();
    const again = new SqliteModelStore(openDatabase(h));
    expect(again.list().map((r) => r.id)).toEqual([b.id, a.id]);
    const got = again.load(b.id);
    expect(Array.from(got.payload)).toEqual([4, 5, 6, 7]);
    expect(got.record).toEqual(b);
    expect(again.load(a.id.slice(0, 9)).record.id).toBe(a.id);
  });

  it("is content-addressed: the same payload twice keeps one model", () => {
    const store = new SqliteModelStore(openDatabase(home()));
    const a = store.save(record(1), Uint8Array.from([9]));
    const b = store.save(record(2), Uint8Array.from([9]));
    expect(b).toEqual(a);
    expect(store.list()).toHaveLength(1);
  });

  it("names what is missing or ambiguous", () => {
    const store = new SqliteModelStore(openDatabase(home()));
    expect(() => store.load("gbdt-nope")).toThrow(/no model "gbdt-nope".*kairos model list/);
    for (let i = 0; i < 40; i++) store.save(record(i), Uint8Array.from([i]));
    expect(() => store.load("gbdt-")).toThrow(/matches several models/);
  });
});
