/**
 * The append-only audit log: every decision, risk check, order event, fill, reconciliation, kill
 * and state change, as canonical JSON records with a gapless sequence number, hash-chained and
 * periodically anchored by a signed Merkle root (see src/audit/ for the exact construction).
 */

/** What an audit record describes */
export type AuditKind =
  | "session.start"
  | "session.state"
  | "decision"
  | "risk.check"
  | "approval"
  | "order.intent"
  | "order.event"
  | "fill"
  | "reconciliation"
  | "kill"
  | "limits.change";

/** One stored record: `body` is the canonical JSON text that was hashed, byte for byte */
export interface StoredAuditRecord {
  seq: number;
  body: string;
  /** h_seq, hex */
  hash: string;
}

/** One signed anchor: `signed` is the canonical JSON text of the anchor, `sig` its Ed25519 signature (base64) */
export interface StoredAnchor {
  signed: string;
  sig: string;
}

export interface AuditAppendResult {
  seq: number;
  hash: string;
}

export interface AuditLog {
  /**
   * Appends one record, synchronously. Called inside the caller's SQLite transaction it commits
   * with the state change it describes; outside one it commits on its own before returning.
   */
  append(kind: AuditKind, data: Record<string, unknown>): AuditAppendResult;
  /** Signs an anchor over the records not yet anchored (if any), now */
  anchorNow(): void;
  /** Records in sequence order, from `fromSeq` (default 1) */
  records(fromSeq?: number): Iterable<StoredAuditRecord>;
  /** Anchors stored in the database, oldest first */
  anchors(): StoredAnchor[];
  /** Anchors copied to the directory outside the home, oldest first (empty if none) */
  externalAnchors(): StoredAnchor[];
  /** The Ed25519 public key the anchors are signed with, PEM (SPKI) */
  publicKeyPem(): string;
  close(): void;
}

/** The two primitives verification needs, from whatever crypto library the shell has */
export interface AuditCrypto {
  sha256(data: Uint8Array): Uint8Array;
  /** SHA-256 of `head` followed by `tail` (a string as UTF-8), without joining them first: verify's hot path */
  sha256Of2?(head: Uint8Array, tail: Uint8Array | string): Uint8Array;
  /** Ed25519 verification of `sig` over `message` with a PEM (SPKI) public key */
  verify(message: Uint8Array, sig: Uint8Array, publicKeyPem: string): boolean;
}
