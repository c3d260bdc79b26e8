import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { AppError } from "../../errors.ts";
import type { AuditCrypto } from "../../ports/audit-log.ts";

/**
 * The audit signing key: Ed25519, PKCS#8 PEM in its own file (mode 0600, folder 0700), never in
 * kairos.db, so whoever can rewrite the database still cannot sign an anchor for the rewrite.
 * Default <home>/keys/audit-ed25519.pem, or $KAIROS_AUDIT_KEY.
 */
export const auditKeyPath = (home: string): string =>
  process.env.KAIROS_AUDIT_KEY ?? join(home, "keys", "audit-ed25519.pem");

export interface AuditSigner {
  sign(message: Uint8Array): string;
  publicKeyPem: string;
}

/** Loads the key, creating it (atomically, 0600) the first time; refuses a key others can read */
export function loadOrCreateAuditKey(path: string): AuditSigner {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const tmp = `${path}.tmp-${process.pid}`;
    const fd = openSync(tmp, "wx", 0o600);
    writeSync(fd, pem);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  }
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0)
    throw new AppError(
      "INVALID_INPUT",
      `audit key ${path} is readable by others (mode ${mode.toString(8)}); run \`chmod 600 ${path}\``,
    );
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(path));
  } catch {
    throw new AppError(
      "INVALID_INPUT",
      `audit key ${path} is not a PEM private key; restore it from your backup`,
    );
  }
  if (key.asymmetricKeyType !== "ed25519")
    throw new AppError("INVALID_INPUT", `audit key ${path} is ${key.asymmetricKeyType}, expected ed25519`);
  const publicKeyPem = createPublicKey(key).export({ type: "spki", format: "pem" }) as string;
  return {
    sign: (m) => sign(null, m, key).toString("base64"),
    publicKeyPem,
  };
}

/** SHA-256 and Ed25519 verification from node:crypto */
const publicKeys = new Map<string, KeyObject>();
export const nodeAuditCrypto: AuditCrypto = {
  sha256: (d) => createHash("sha256").update(d).digest(),
  sha256Of2: (h, t) => createHash("sha256").update(h).update(t).digest(),
  verify: (m, s, pem) => {
    let k = publicKeys.get(pem);
    if (k === undefined) publicKeys.set(pem, (k = createPublicKey(pem)));
    return verify(null, m, k, s);
  },
};

/** Makes sure a file written for the key stays private (used by tests and export) */
export function chmodPrivate(path: string): void {
  chmodSync(path, 0o600);
}
