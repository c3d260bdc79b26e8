// The export is verifiable without kairos: docs/audit-verify.py (hashlib + cryptography) accepts an
// untouched export and names the same first bad record as kairos for tampered ones.
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nodeAuditCrypto } from "../../src/adapters/fs/audit-key-file.ts";
import { exportAudit, verifyExportDir } from "../../src/app/audit-verify.ts";
import { ROOT } from "../support/cli.ts";
import { fill, openFixture } from "./audit-fixture.ts";

const f = openFixture();
fill(f.log, 230);
const dir = join(f.root, "export");
exportAudit(f.log, dir);
afterAll(() => f.log.close());

const py = (d: string) => {
  const r = spawnSync("python3", [join(ROOT, "docs", "audit-verify.py"), d], { encoding: "utf8" });
  // python3 and its `cryptography` module (Debian: python3-cryptography) come from the machine: say
  // so when they are missing, instead of failing on the JSON of an empty stdout
  if (r.error !== undefined || r.stdout.trim() === "")
    throw new Error(
      `python3 docs/audit-verify.py gave no answer (needs python3 with the cryptography module): ${r.error?.message ?? r.stderr.trim()}`,
    );
  return JSON.parse(r.stdout) as { ok: boolean; records: number; firstBadSeq: number | null };
};

describe("export verified without kairos (docs/audit-verify.py)", () => {
  it("accepts the untouched export", () => {
    expect(py(dir)).toEqual({ ok: true, records: 230, firstBadSeq: null });
  });

  it("names the same first bad record as kairos for flips, deletions and truncations", () => {
    const lines = readFileSync(join(dir, "records.jsonl"), "utf8").split("\n");
    const cases: [string, (l: string[]) => string[]][] = [
      ["flip in 42", (l) => l.map((x, i) => (i === 41 ? x.replace('"qty":"0.001"', '"qty":"0.011"') : x))],
      ["delete 150", (l) => l.filter((_, i) => i !== 149)],
      ["truncate after 120", (l) => [...l.slice(0, 120), ""]],
      ["swap 10 and 11", (l) => l.map((x, i) => (i === 9 ? l[10]! : i === 10 ? l[9]! : x))],
    ];
    for (const [name, mut] of cases) {
      const d = join(f.root, name.replace(/ /g, "-"));
      cpSync(dir, d, { recursive: true });
      writeFileSync(join(d, "records.jsonl"), mut(lines).join("\n"));
      const k = verifyExportDir(d, nodeAuditCrypto);
      const p = py(d);
      expect(k.ok, name).toBe(false);
      expect(p.ok, name).toBe(false);
      expect(p.firstBadSeq, name).toBe(k.firstBadSeq);
    }
  });
});
