/**
 * Who may use the API and MCP faces. Scheme (no JWT, so there is no algorithm to confuse or to
 * set to `none`): a token is 32 random bytes (base64url) with a kind prefix; only its SHA-256 is
 * stored, so the database never holds a usable credential. Person tokens come from a login with the
 * password (scrypt hash), live SESSION_TTL_MS and can be revoked; agent tokens are created from the
 * CLI by the person, live until revoked, and may only read (and propose, when approvals exist).
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { AppError } from "../errors.ts";
import type { Clock } from "../ports/clock.ts";
import { parseInput } from "./contract.ts";

export type CredentialKind = "person" | "agent";

export interface TokenRecord {
  id: string;
  /** hex SHA-256 of the token; the token itself is never stored */
  hash: string;
  kind: CredentialKind;
  name: string;
  createdAt: number;
  /** null: until revoked (agent tokens) */
  expiresAt: number | null;
  revokedAt: number | null;
}

/** Where passwords' hashes and tokens' hashes live (SQLite in the home) */
export interface AuthStore {
  readPassword(): string | undefined;
  writePassword(encoded: string): void;
  insertToken(t: TokenRecord): void;
  findTokenByHash(hash: string): TokenRecord | undefined;
  listTokens(): TokenRecord[];
  /** true when a live token with this id was revoked */
  revokeToken(id: string, at: number): boolean;
  /** revokes every person session (after a password change) */
  revokeKind(kind: CredentialKind, at: number): number;
}

/** Person sessions: one hour, then log in again */
export const SESSION_TTL_MS = 60 * 60 * 1000;
/** Failed logins allowed per rolling minute before every login is refused until the minute passes */
export const MAX_FAILED_LOGINS_PER_MINUTE = 10;
export const MIN_PASSWORD_LENGTH = 12;

const SCRYPT = { N: 1 << 15, r: 8, p: 1, keylen: 32, maxmem: 64 * 1024 * 1024 } as const;

export const SetPasswordInput = z
  .object({ password: z.string().min(MIN_PASSWORD_LENGTH).max(1024) })
  .strict();
export type SetPasswordInput = z.input<typeof SetPasswordInput>;

export const LoginInput = z.object({ password: z.string().min(1).max(1024) }).strict();
export type LoginInput = z.input<typeof LoginInput>;

export const CreateAgentTokenInput = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "use letters, digits, '.', '_' or '-' (up to 64)"),
  })
  .strict();
export type CreateAgentTokenInput = z.input<typeof CreateAgentTokenInput>;

export const RevokeTokenInput = z.object({ id: z.string().regex(/^tok-[a-f0-9]{12}$/) }).strict();
export type RevokeTokenInput = z.input<typeof RevokeTokenInput>;

export interface IssuedToken {
  id: string;
  /** shown once; only its hash is kept */
  token: string;
  kind: CredentialKind;
  name: string;
  expiresAt: number | null;
}

export interface Principal {
  tokenId: string;
  kind: CredentialKind;
  name: string;
}

const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, SCRYPT.keylen, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

const authFailed = (): AppError =>
  new AppError("AUTH_FAILED", "not signed in: send `Authorization: Bearer <token>` (POST /auth/login)");

/** Password, login, tokens and the login lockout for one home */
export class AuthService {
  /** times of failed logins in the last minute (in memory: a restart is not a way around it while running) */
  private failures: number[] = [];

  constructor(
    private readonly store: AuthStore,
    private readonly clock: Clock,
  ) {}

  hasPassword(): boolean {
    return this.store.readPassword() !== undefined;
  }

  async setPassword(raw: SetPasswordInput): Promise<void> {
    const { password } = parseInput(SetPasswordInput, raw);
    const salt = randomBytes(16);
    const key = await scryptAsync(password, salt);
    this.store.writePassword(
      `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString("base64")}$${key.toString("base64")}`,
    );
    // a new password ends every session opened with the old one
    this.store.revokeKind("person", this.clock.now());
  }

  private async passwordMatches(password: string): Promise<boolean> {
    const enc = this.store.readPassword();
    if (enc === undefined) return false;
    const [scheme, , , , saltB64, keyB64] = enc.split("$");
    if (scheme !== "scrypt" || saltB64 === undefined || keyB64 === undefined) return false;
    const want = Buffer.from(keyB64, "base64");
    const got = await scryptAsync(password, Buffer.from(saltB64, "base64"));
    return got.length === want.length && timingSafeEqual(got, want);
  }

  /** A person session token for the right password; RATE_LIMITED after 10 failures in a minute */
  async login(raw: LoginInput): Promise<IssuedToken> {
    await this.confirmPassword(raw);
    return this.issue("person", "person", this.clock.now() + SESSION_TTL_MS);
  }

  /**
   * The password typed again, for the acts a session token alone may not do over HTTP (changing
   * risk limits, leaving HALTED): counted against the same lockout as logins; issues no token
   */
  async confirmPassword(raw: LoginInput): Promise<void> {
    const now = this.clock.now();
    this.failures = this.failures.filter((t) => now - t < 60_000);
    if (this.failures.length >= MAX_FAILED_LOGINS_PER_MINUTE)
      throw new AppError(
        "RATE_LIMITED",
        `too many failed logins: ${MAX_FAILED_LOGINS_PER_MINUTE} in the last minute; wait a minute and try again`,
        { retryable: true },
      );
    const { password } = parseInput(LoginInput, raw);
    if (!this.hasPassword())
      throw new AppError("AUTH_FAILED", "no password is set: run `kairos auth set-password` first");
    if (!(await this.passwordMatches(password))) {
      this.failures.push(now);
      throw new AppError("AUTH_FAILED", "wrong password");
    }
  }

  /** A long-lived agent token (read and propose only), made by the person from the CLI */
  createAgentToken(raw: CreateAgentTokenInput): IssuedToken {
    const { name } = parseInput(CreateAgentTokenInput, raw);
    return this.issue("agent", name, null);
  }

  private issue(kind: CredentialKind, name: string, expiresAt: number | null): IssuedToken {
    const token = `kairos_${kind === "person" ? "p" : "a"}_${randomBytes(32).toString("base64url")}`;
    const hash = sha256(token);
    const id = `tok-${hash.slice(0, 12)}`;
    this.store.insertToken({ id, hash, kind, name, createdAt: this.clock.now(), expiresAt, revokedAt: null });
    return { id, token, kind, name, expiresAt };
  }

  /** The principal behind a bearer token, or AUTH_FAILED (unknown, expired or revoked alike) */
  verify(token: string | undefined): Principal {
    if (token === undefined || !/^kairos_[pa]_[A-Za-z0-9_-]{43}$/.test(token)) throw authFailed();
    const rec = this.store.findTokenByHash(sha256(token));
    if (rec === undefined || rec.revokedAt !== null) throw authFailed();
    if (rec.expiresAt !== null && this.clock.now() >= rec.expiresAt) throw authFailed();
    return { tokenId: rec.id, kind: rec.kind, name: rec.name };
  }

  /** Tokens without their hashes */
  listTokens(): Omit<TokenRecord, "hash">[] {
    return this.store.listTokens().map(({ hash: _h, ...rest }) => rest);
  }

  revoke(raw: RevokeTokenInput): void {
    const { id } = parseInput(RevokeTokenInput, raw);
    if (!this.store.revokeToken(id, this.clock.now()))
      throw new AppError("NOT_FOUND", `no live token ${id}: see \`kairos auth token list\``);
  }
}
