/**
 * Live trading is opt-in and confirmed. Every gate here runs before any order exists, and each
 * refusal is one line naming what is wrong and how to fix it, with nothing sent:
 * - keys come from KAIROS_<EXCHANGE>_API_KEY / _SECRET, or from a key file that only its owner can
 *   read (mode 0600); anything else is refused;
 * - `--live` needs the exchange's name typed again (`--confirm-live binance`);
 * - a key the exchange reports as able to withdraw is refused.
 * Keys never appear in messages, logs, the database or JSON: `LiveKeys` prints as "[redacted]".
 */
import { AppError, invalidInput } from "../errors.ts";
import type { Broker } from "../ports/broker.ts";

/** An API key pair that refuses to be printed or serialised */
export class LiveKeys {
  readonly #apiKey: string;
  readonly #secret: string;
  constructor(apiKey: string, secret: string) {
    this.#apiKey = apiKey;
    this.#secret = secret;
  }
  get apiKey(): string {
    return this.#apiKey;
  }
  get secret(): string {
    return this.#secret;
  }
  toJSON(): string {
    return "[redacted]";
  }
  toString(): string {
    return "[redacted]";
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return "LiveKeys [redacted]";
  }
}

/** Where keys may come from; the composition root reads the environment and the file system */
export interface KeySources {
  env: Readonly<Record<string, string | undefined>>;
  /** the file's permission bits and text; throws NOT_FOUND when it does not exist */
  readKeyFile(path: string): { mode: number; text: string };
}

const envName = (exchange: string, what: "API_KEY" | "SECRET"): string =>
  `KAIROS_${exchange.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_${what}`;

/**
 * The keys for `exchange`: from a key file when one is given (JSON {"apiKey": ..., "secret": ...}
 * or the lines `apiKey=...` and `secret=...`), else from the environment
 */
export function loadLiveKeys(src: KeySources, exchange: string, keyFile?: string): LiveKeys {
  if (keyFile !== undefined) {
    const { mode, text } = src.readKeyFile(keyFile);
    if ((mode & 0o077) !== 0)
      throw invalidInput(
        `--key-file ${keyFile}: readable by others (mode ${(mode & 0o777).toString(8).padStart(3, "0")}); run \`chmod 600 ${keyFile}\``,
        { field: "keyFile" },
      );
    const pair = parseKeyFile(text);
    if (pair === undefined)
      throw invalidInput(
        `--key-file ${keyFile}: not a key file; write {"apiKey": "...", "secret": "..."} or the lines apiKey=... and secret=...`,
        { field: "keyFile" },
      );
    return new LiveKeys(pair.apiKey, pair.secret);
  }
  const k = src.env[envName(exchange, "API_KEY")];
  const s = src.env[envName(exchange, "SECRET")];
  if (k === undefined || k === "" || s === undefined || s === "")
    throw invalidInput(
      `--live ${exchange}: no API key; set ${envName(exchange, "API_KEY")} and ${envName(exchange, "SECRET")}, or pass --key-file with a mode-0600 file`,
      { field: "live" },
    );
  return new LiveKeys(k, s);
}

function parseKeyFile(text: string): { apiKey: string; secret: string } | undefined {
  const ok = (v: unknown): v is string => typeof v === "string" && /^[\x21-\x7e]{8,256}$/.test(v);
  const t = text.trim();
  if (t.startsWith("{")) {
    try {
      const j = JSON.parse(t) as { apiKey?: unknown; secret?: unknown };
      return ok(j.apiKey) && ok(j.secret) ? { apiKey: j.apiKey, secret: j.secret } : undefined;
    } catch {
      return undefined;
    }
  }
  const lines = new Map(
    t
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "" && !l.startsWith("#"))
      .map((l) => [l.slice(0, l.indexOf("=")).trim(), l.slice(l.indexOf("=") + 1).trim()] as const),
  );
  const apiKey = lines.get("apiKey");
  const secret = lines.get("secret");
  return ok(apiKey) && ok(secret) ? { apiKey, secret } : undefined;
}

/** `--live` only with the exchange's name typed again */
export function checkLiveConfirmation(exchange: string | undefined, confirm: string | undefined): string {
  if (exchange === undefined)
    throw invalidInput("--live needs --exchange, e.g. --exchange binance", { field: "exchange" });
  if (confirm === undefined)
    throw invalidInput(`--live trades real money on ${exchange}: confirm with --confirm-live ${exchange}`, {
      field: "confirmLive",
    });
  if (confirm.toLowerCase() !== exchange.toLowerCase())
    throw invalidInput(
      `--confirm-live "${confirm}" does not name the exchange ${exchange}: type --confirm-live ${exchange}`,
      {
        field: "confirmLive",
      },
    );
  return exchange.toLowerCase();
}

/** Refuses a key that can withdraw (where the exchange says) or cannot trade */
export async function checkKeyPermissions(broker: Broker): Promise<void> {
  const p = await broker.permissions();
  if (p.canWithdraw === true)
    throw new AppError(
      "AUTH_FAILED",
      `the ${broker.venue} API key can withdraw funds; kairos refuses it: create a key with trading only (withdrawals disabled)`,
    );
  if (p.canTrade === false)
    throw new AppError(
      "AUTH_FAILED",
      `the ${broker.venue} API key cannot trade spot; enable trading on the key`,
    );
}

/** What a simulated exchange says of its market clock (`kairos sim`: GET /sim/clock) */
export type SimClockInfo = { readonly kind: "real"; readonly speed: number } | { readonly kind: "manual" };

/** True when `apiBase` names this machine (127.0.0.0/8, ::1, localhost): where `kairos sim` listens */
export function isLoopbackBase(apiBase: string): boolean {
  let host: string;
  try {
    host = new URL(apiBase).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Whose clock the pre-trade gate keeps for a live session. A real exchange runs real time, so the
 * gate always checks prices' age and the clock skew against this machine's clock. Only a simulated
 * exchange on this machine that says so (`GET /sim/clock`) may put the gate on its own clock: asked
 * for with `--venue-clock`, or taken without asking when that exchange runs faster or slower than
 * real time (`kairos sim --speed 10`), where the machine's clock would refuse every order for skew.
 * `--venue-clock` anywhere else is refused before anything is sent.
 */
export async function liveGateClock(
  probe: ((apiBase: string) => Promise<SimClockInfo | undefined>) | undefined,
  apiBase: string | undefined,
  asked: boolean | undefined,
): Promise<"wall" | "venue"> {
  const local = apiBase !== undefined && isLoopbackBase(apiBase);
  if (asked === true && !local)
    throw invalidInput(
      `--venue-clock: ${apiBase === undefined ? "no --api-base" : `${new URL(apiBase).host} is not this machine`}; a real exchange is checked against this machine's clock: drop --venue-clock, or give --api-base http://127.0.0.1:PORT of \`kairos sim\``,
      { field: "venueClock" },
    );
  if (!local || asked === false || probe === undefined) return "wall";
  const sim = await probe(apiBase).catch(() => undefined);
  if (sim === undefined) {
    if (asked === true)
      throw invalidInput(
        `--venue-clock: ${apiBase} does not answer as a simulated exchange (GET /sim/clock); only \`kairos sim\` runs on its own clock: drop --venue-clock`,
        { field: "venueClock" },
      );
    return "wall";
  }
  if (asked === true) return "venue";
  return sim.kind === "manual" || sim.speed !== 1 ? "venue" : "wall";
}
