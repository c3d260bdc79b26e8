/**
 * `kairos audit verify|export`: re-computes the chain and every signed anchor, of the stored log or
 * of an export folder, and writes exports an auditor checks without kairos (docs/audit-verify.md).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { anchorOfLine, type VerifyResult, verifyAudit } from "../audit/chain.ts";
import { invalidInput } from "../errors.ts";
import type { AuditCrypto, AuditLog, StoredAnchor } from "../ports/audit-log.ts";

export interface AuditVerifyReport extends VerifyResult {
  source: string;
  /** SHA-256 of the public key (SPKI DER as PEM text) the anchors were checked with */
  keyFingerprint: string;
  /** the export's own key was used because the home had none: compare the fingerprint with one you trust */
  keyFromExport?: boolean;
}

const fingerprint = (c: AuditCrypto, pem: string): string =>
  Array.from(c.sha256(new TextEncoder().encode(pem.trim())), (b) => b.toString(16).padStart(2, "0")).join("");

/** Verifies the log in kairos.db against its anchors and the copies outside the home */
export function verifyStoredLog(log: AuditLog, c: AuditCrypto): AuditVerifyReport {
  const pem = log.publicKeyPem();
  const r = verifyAudit(c, {
    records: log.records(),
    anchors: log.anchors(),
    externalAnchors: log.externalAnchors(),
    publicKeyPem: pem,
  });
  return { ...r, source: "kairos.db", keyFingerprint: fingerprint(c, pem) };
}

/** Splits an export's records.jsonl into the exact byte lines that were hashed */
export function splitLines(buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) {
      out.push(buf.subarray(start, i));
      start = i + 1;
    }
  }
  if (start < buf.length) out.push(buf.subarray(start));
  return out;
}

export function parseAnchorLines(text: string): StoredAnchor[] {
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map(anchorOfLine);
}

/** Verifies export bytes (records.jsonl, chain.txt, anchors.jsonl); pure over its inputs, used by the tests too */
export function verifyExportBytes(
  c: AuditCrypto,
  files: { records: Uint8Array; chain?: string; anchors: string },
  publicKeyPem: string,
): VerifyResult {
  const bodies = splitLines(files.records);
  const hashes = files.chain === undefined ? undefined : files.chain.split("\n").filter((l) => l !== "");
  const records = bodies.map((body, i) => ({
    body,
    ...(hashes === undefined ? {} : { hash: hashes[i] ?? "" }),
  }));
  const r = verifyAudit(c, { records, anchors: parseAnchorLines(files.anchors), publicKeyPem });
  if (r.ok && hashes !== undefined && hashes.length !== bodies.length)
    return {
      ...r,
      ok: false,
      firstBadSeq: bodies.length + 1,
      problem: `chain.txt has ${hashes.length} hashes for ${bodies.length} records`,
    };
  return r;
}

/** Verifies an export folder; the home's key is trusted over the export's own copy when there is one */
export function verifyExportDir(dir: string, c: AuditCrypto, homeKeyPem?: string): AuditVerifyReport {
  const need = (f: string): string => {
    const p = join(dir, f);
    if (!existsSync(p))
      throw invalidInput(`${p} is missing: pass a folder written by \`kairos audit export --out DIR\``);
    return p;
  };
  const exportPem = readFileSync(need("public-key.pem"), "utf8");
  const pem = homeKeyPem ?? exportPem;
  const chainPath = join(dir, "chain.txt");
  const r = verifyExportBytes(
    c,
    {
      records: readFileSync(need("records.jsonl")),
      ...(existsSync(chainPath) ? { chain: readFileSync(chainPath, "utf8") } : {}),
      anchors: readFileSync(need("anchors.jsonl"), "utf8"),
    },
    pem,
  );
  return {
    ...r,
    source: dir,
    keyFingerprint: fingerprint(c, pem),
    ...(homeKeyPem === undefined ? { keyFromExport: true } : {}),
  };
}

function writeAtomic(path: string, parts: Iterable<string>): void {
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w", 0o644);
  let buf = "";
  for (const p of parts) {
    buf += p;
    if (buf.length > 1 << 20) {
      writeSync(fd, buf);
      buf = "";
    }
  }
  writeSync(fd, buf);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

export interface AuditExportReport {
  out: string;
  records: number;
  anchors: number;
  files: string[];
}

/**
 * Writes records.jsonl (each line the exact canonical bytes that were hashed), chain.txt (h_i in hex,
 * one per line), anchors.jsonl ({"signed","sig"} per line) and public-key.pem. The log is anchored
 * first, so every exported record is covered by a signature.
 */
export function exportAudit(log: AuditLog, out: string): AuditExportReport {
  log.anchorNow();
  mkdirSync(out, { recursive: true });
  let n = 0;
  const hashes: string[] = [];
  writeAtomic(
    join(out, "records.jsonl"),
    (function* () {
      for (const r of log.records()) {
        n++;
        hashes.push(r.hash);
        yield `${r.body}\n`;
      }
    })(),
  );
  writeAtomic(
    join(out, "chain.txt"),
    hashes.map((h) => `${h}\n`),
  );
  const anchors = log.anchors();
  writeAtomic(
    join(out, "anchors.jsonl"),
    anchors.map((a) => `${JSON.stringify(a)}\n`),
  );
  writeAtomic(join(out, "public-key.pem"), [log.publicKeyPem()]);
  return {
    out,
    records: n,
    anchors: anchors.length,
    files: ["records.jsonl", "chain.txt", "anchors.jsonl", "public-key.pem"],
  };
}

/** What `kairos audit verify [--export DIR] --json` prints and the API answers: the verdict without the report's working fields */
export const auditVerifyJson = (r: AuditVerifyReport) => ({
  ok: r.ok,
  records: r.records,
  firstBadSeq: r.firstBadSeq,
  anchors: r.anchors,
  anchoredTo: r.anchoredTo,
  problem: r.problem,
  keyFingerprint: r.keyFingerprint,
});
