/**
 * `kairos audit replay [--from SEQ]`: re-runs every pre-trade risk check recorded in the audit log
 * on fresh gates (src/risk/gate-replay.ts) and compares each verdict, and each check's verdict and
 * observed value, with the record. The log's chain is verified first: a replay of a log that does
 * not verify would prove nothing. Gate state (token buckets, reservations, windows) is rebuilt from
 * each gate's first record, so `--from` only chooses where the comparison starts.
 */
import { verifyAudit } from "../audit/chain.ts";
import type { AuditCrypto, AuditLog } from "../ports/audit-log.ts";
import { type GateReplayResult, replayGateChecks } from "../risk/gate-replay.ts";

export interface AuditReplayReport extends GateReplayResult {
  /** the chain and anchors verified before the replay */
  chainOk: boolean;
  /** every compared check replayed to its recorded verdict */
  ok: boolean;
  fromSeq: number;
  problem?: string;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

export function replayAudit(log: AuditLog, c: AuditCrypto, fromSeq = 1): AuditReplayReport {
  const v = verifyAudit(c, {
    records: log.records(),
    anchors: log.anchors(),
    externalAnchors: log.externalAnchors(),
    publicKeyPem: log.publicKeyPem(),
  });
  const enc = new TextEncoder();
  const r = replayGateChecks(
    (function* () {
      for (const rec of log.records()) {
        const x = JSON.parse(rec.body) as { seq: number; kind: string; data: Record<string, unknown> };
        yield x;
      }
    })(),
    (text) => hex(c.sha256(enc.encode(text))),
    fromSeq,
  );
  return {
    ...r,
    chainOk: v.ok,
    ok: v.ok && r.mismatches.length === 0,
    fromSeq,
    ...(v.ok
      ? {}
      : {
          problem: `the log does not verify (first bad record ${v.firstBadSeq}: ${v.problem}): nothing replayed is evidence`,
        }),
  };
}
