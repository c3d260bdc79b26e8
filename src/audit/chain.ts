/**
 * The integrity construction of the audit log, pure (the hash and signature primitives come in
 * through AuditCrypto, so this file runs anywhere and the verifier is the same code as the writer):
 *
 * - record i is the canonical JSON (RFC 8785) of {seq, ts, kind, data}; its UTF-8 bytes are hashed as-is;
 * - chain: h_0 = 32 zero bytes, h_i = SHA-256(h_{i-1} || bytes_i);
 * - anchor over records a..b: the RFC 6962 Merkle tree hash of their bytes (leaf = SHA-256(0x00 || d),
 *   node = SHA-256(0x01 || left || right)), together with h_b, as canonical JSON signed with Ed25519.
 *   Anchors are contiguous from seq 1, so a rewrite of anchored records or a truncation below the
 *   last anchor cannot pass without the signing key, which lives apart from the database.
 */
import type { AuditCrypto, StoredAnchor } from "../ports/audit-log.ts";
import { canonicalJson } from "./canonical-json.ts";

export const GENESIS_HASH = new Uint8Array(32);
const utf8 = new TextEncoder();

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

export function toHex(b: Uint8Array): string {
  let s = "";
  for (let i = 0; i < b.length; i++) s += HEX[b[i]!];
  return s;
}

export function fromHex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The canonical text of record `seq` */
export function recordBody(seq: number, ts: number, kind: string, data: Record<string, unknown>): string {
  return canonicalJson({ seq, ts, kind, data });
}

const hashOf2 = (c: AuditCrypto, head: Uint8Array, tail: Uint8Array | string): Uint8Array =>
  c.sha256Of2 !== undefined
    ? c.sha256Of2(head, tail)
    : c.sha256(concat(head, typeof tail === "string" ? utf8.encode(tail) : tail));

/** h_i = SHA-256(h_{i-1} || bytes_i) */
export function chainHash(c: AuditCrypto, prev: Uint8Array, body: Uint8Array | string): Uint8Array {
  return hashOf2(c, prev, body);
}

const LEAF = new Uint8Array([0]);

/** RFC 6962 leaf hash: SHA-256(0x00 || d) */
export function leafHash(c: AuditCrypto, body: Uint8Array | string): Uint8Array {
  return hashOf2(c, LEAF, body);
}

/** RFC 6962 Merkle tree hash over already-computed leaf hashes (k = largest power of two < n) */
export function merkleRoot(c: AuditCrypto, leaves: readonly Uint8Array[]): Uint8Array {
  const mth = (lo: number, hi: number): Uint8Array => {
    const n = hi - lo;
    if (n === 0) return c.sha256(new Uint8Array(0));
    if (n === 1) return leaves[lo]!;
    let k = 1;
    while (k * 2 < n) k *= 2;
    return c.sha256(concat(new Uint8Array([1]), mth(lo, lo + k), mth(lo + k, hi)));
  };
  return mth(0, leaves.length);
}

/** What an anchor states; its canonical JSON is what is signed */
export interface Anchor {
  v: 1;
  fromSeq: number;
  toSeq: number;
  /** RFC 6962 root over records fromSeq..toSeq, hex */
  root: string;
  /** h_toSeq, hex */
  head: string;
  ts: number;
}

export const anchorText = (a: Anchor): string => canonicalJson(a);

/** One anchors.jsonl line; one that is not an anchor is kept unsigned, so verification names it instead of skipping it */
export function anchorOfLine(l: string): StoredAnchor {
  try {
    const a = JSON.parse(l) as StoredAnchor;
    return { signed: String(a.signed), sig: String(a.sig) };
  } catch {
    return { signed: l, sig: "" };
  }
}

export interface VerifyInput {
  /** in stored order; `seq` is the stored sequence column (absent for an export, where the body's own seq is used) */
  records: Iterable<{ seq?: number; body: string | Uint8Array; hash?: string }>;
  anchors: readonly StoredAnchor[];
  /** copies kept outside the home: each must be one of the database's anchors, byte for byte */
  externalAnchors?: readonly StoredAnchor[];
  publicKeyPem: string;
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  anchors: number;
  /** the first record that is wrong, missing or out of place; null when ok */
  firstBadSeq: number | null;
  problem?: string;
  /** the last anchored seq: records after it are chained but not yet signed */
  anchoredTo: number;
}

const dec = new TextDecoder("utf-8", { fatal: true });

// a canonical record's keys are sorted (data, kind, seq, ts): its own seq sits just before the closing ts
const SEQ_TAIL = /,"seq":([1-9]\d{0,15}),"ts":-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\}$/;

function seqOfBody(body: string | Uint8Array): number | undefined {
  // the fast path reads the tail only; a body broken elsewhere still fails its hash or its anchor
  if (typeof body === "string") {
    const m = SEQ_TAIL.exec(body.length > 80 ? body.slice(-80) : body);
    if (m !== null) return Number(m[1]);
  }
  try {
    const v = JSON.parse(typeof body === "string" ? body : dec.decode(body)) as { seq?: unknown };
    return typeof v.seq === "number" ? v.seq : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Re-computes the chain and every anchor. Streams the records once (1,000,000 records need only the
 * leaf hashes of one anchor window in memory) and names the first bad record.
 */
export function verifyAudit(c: AuditCrypto, input: VerifyInput): VerifyResult {
  const parsed: Anchor[] = [];
  const fail = (records: number, seq: number, problem: string): VerifyResult => ({
    ok: false,
    records,
    anchors: parsed.length,
    firstBadSeq: seq,
    problem,
    anchoredTo: parsed.at(-1)?.toSeq ?? 0,
  });
  // anchors first: signed by the key, contiguous from seq 1
  for (const a of input.anchors) {
    const next = (parsed.at(-1)?.toSeq ?? 0) + 1;
    let ok = false;
    try {
      ok = c.verify(utf8.encode(a.signed), base64ToBytes(a.sig), input.publicKeyPem);
    } catch {
      ok = false;
    }
    let an: Anchor | undefined;
    try {
      an = JSON.parse(a.signed) as Anchor;
    } catch {
      an = undefined;
    }
    if (!ok || an === undefined || anchorText(an) !== a.signed)
      return fail(0, an?.fromSeq ?? next, `anchor ${parsed.length + 1} has a bad signature`);
    if (an.fromSeq !== next || an.toSeq < an.fromSeq)
      return fail(
        0,
        next,
        `anchor ${parsed.length + 1} covers ${an.fromSeq}..${an.toSeq}, expected to start at ${next}`,
      );
    parsed.push(an);
  }
  const known = new Set(input.anchors.map((a) => `${a.signed}\n${a.sig}`));
  for (const e of input.externalAnchors ?? []) {
    if (known.has(`${e.signed}\n${e.sig}`)) continue;
    let fromSeq = 1;
    try {
      fromSeq = (JSON.parse(e.signed) as Anchor).fromSeq;
    } catch {
      /* unparseable external anchor: name the start */
    }
    return fail(
      0,
      fromSeq,
      `the anchor copy outside the home covering from seq ${fromSeq} is not in the database (anchors removed or rewritten)`,
    );
  }
  let prev: Uint8Array = GENESIS_HASH;
  let expected = 1;
  let ai = 0;
  let leaves: Uint8Array[] = [];
  for (const r of input.records) {
    const bodySeq = seqOfBody(r.body);
    if (r.seq !== undefined && r.seq !== expected)
      return fail(
        expected - 1,
        expected,
        `record ${expected} is missing or out of place (found seq ${r.seq})`,
      );
    if (bodySeq !== expected)
      return fail(
        expected - 1,
        expected,
        `record ${expected}: its content ${bodySeq === undefined ? "is not a valid record" : `says seq ${bodySeq}`}`,
      );
    const h = chainHash(c, prev, r.body);
    if (r.hash !== undefined && r.hash !== toHex(h))
      return fail(
        expected - 1,
        expected,
        `record ${expected}: its hash does not match its content and the chain`,
      );
    const an = parsed[ai];
    if (an !== undefined) {
      leaves.push(leafHash(c, r.body));
      if (expected === an.toSeq) {
        if (toHex(merkleRoot(c, leaves)) !== an.root || toHex(h) !== an.head)
          return fail(
            expected,
            an.fromSeq,
            `records ${an.fromSeq}..${an.toSeq} do not match their signed anchor (rewritten)`,
          );
        ai++;
        leaves = [];
      }
    }
    prev = h;
    expected++;
  }
  const n = expected - 1;
  const last = parsed.at(-1)?.toSeq ?? 0;
  if (last > n)
    return fail(n, n + 1, `records ${n + 1}..${last} are signed in an anchor but missing (truncated)`);
  return { ok: true, records: n, anchors: parsed.length, firstBadSeq: null, anchoredTo: last };
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** base64 without Buffer (this module stays free of node built-ins) */
export function base64ToBytes(s: string): Uint8Array {
  const clean = s.replace(/=+$/, "");
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const ch of clean) {
    const v = B64.indexOf(ch);
    if (v < 0) throw new Error("not base64");
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return new Uint8Array(out);
}
