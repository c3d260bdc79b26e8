import ccxt from "ccxt";
import { AppError, type ErrorCode } from "../../errors.ts";

// ccxt's hierarchy mapped once, most specific first: NetworkError and its children are retryable,
// ExchangeError and its children are not (the request itself was wrong)
// This table is for reads (candles, lookups), where a timeout is safe to retry. Order CREATION never
// comes through it: CcxtBroker.submit/cancel classify their own errors (CcxtBroker.outcome), where a
// timeout, a 5xx, a disconnect or any NetworkError is "ambiguous" (resolved by looking the order up by
// its client id, any resend reusing that id), "throttled" on 429/418, and "rejected" only on the
// venue's word; ccxt-broker.test.ts "a timeout or 5xx is ambiguous, never a failure" proves it.
const TABLE: readonly [new (...args: never[]) => Error, ErrorCode, string][] = [
  [ccxt.RateLimitExceeded, "RATE_LIMITED", "rate limited"],
  [ccxt.DDoSProtection, "RATE_LIMITED", "rate limited"],
  [ccxt.RequestTimeout, "EXCHANGE_UNAVAILABLE", "timed out"],
  [ccxt.OnMaintenance, "EXCHANGE_UNAVAILABLE", "under maintenance"],
  [ccxt.ExchangeNotAvailable, "EXCHANGE_UNAVAILABLE", "not available"],
  [ccxt.NetworkError, "EXCHANGE_UNAVAILABLE", "network error"],
  [ccxt.BadResponse, "EXCHANGE_UNAVAILABLE", "sent a response that could not be read"],
  [ccxt.BadSymbol, "NOT_FOUND", "does not know the symbol"],
  [ccxt.AuthenticationError, "AUTH_FAILED", "refused the credentials"],
  [ccxt.InsufficientFunds, "ORDER_REJECTED", "reports insufficient funds"],
  [ccxt.InvalidOrder, "ORDER_REJECTED", "rejected the order"],
  [ccxt.NotSupported, "INVALID_INPUT", "does not support this"],
  [ccxt.ArgumentsRequired, "INVALID_INPUT", "needs more arguments"],
  [ccxt.BadRequest, "EXCHANGE_ERROR", "rejected the request"],
  [ccxt.ExchangeError, "EXCHANGE_ERROR", "returned an error"],
];

// A host that cannot be resolved or that refuses the connection will not answer a retry seconds
// later (unlike a 5xx or a timeout): say so at once instead of backing off for a minute.
const UNREACHABLE: readonly [RegExp, string][] = [
  [
    /\b(?:ENOTFOUND|EAI_AGAIN|EAI_NONAME)\b(?:\s+(\S+))?/,
    "the host name cannot be resolved (offline, or DNS)",
  ],
  [/\bECONNREFUSED\b(?:\s+(\S+))?/, "the host refused the connection (nothing listens there)"],
  [/\b(?:EHOSTUNREACH|ENETUNREACH|ENETDOWN)\b(?:\s+(\S+))?/, "the network cannot reach the host (offline?)"],
  [/fetch failed: bad port/, "the URL's port is one fetch refuses to use"],
];

function unreachable(err: unknown, raw: string, exchange: string, doing: string): AppError | undefined {
  // node's fetch keeps the system error on cause (possibly nested); ccxt flattens it into the message
  const texts = [raw];
  for (let c = (err as { cause?: unknown })?.cause, k = 0; c !== undefined && c !== null && k < 4; k++) {
    const code = (c as { code?: unknown }).code;
    texts.push(`${typeof code === "string" ? code : ""} ${String((c as Error).message ?? c)}`);
    c = (c as { cause?: unknown }).cause;
  }
  const text = texts.join(" ");
  for (const [re, why] of UNREACHABLE) {
    if (!re.test(text)) continue;
    const url = /\b(?:GET|POST|PUT|DELETE)\s+(https?:\/\/[^\s/]+)/.exec(raw)?.[1];
    return new AppError(
      "EXCHANGE_UNAVAILABLE",
      `cannot reach ${exchange}${url === undefined ? "" : ` at ${url}`} while ${doing}: ${why}; check the connection (or --api-base) and run the command again`,
      { retryable: false, cause: err, details: { exchange, unreachable: true } },
    );
  }
  return undefined;
}

/** Turns any error from a ccxt call into an AppError; `retryAfterMs` comes from a Retry-After header */
export function translateCcxtError(
  err: unknown,
  exchange: string,
  doing: string,
  retryAfterMs?: number,
): AppError {
  if (err instanceof AppError) return err;
  const hit = TABLE.find(([cls]) => err instanceof cls);
  const raw = err instanceof Error ? err.message : String(err);
  if (hit === undefined || hit[1] === "EXCHANGE_UNAVAILABLE") {
    const down = unreachable(err, raw, exchange, doing);
    if (down !== undefined) return down;
  }
  // ccxt prefixes messages with the exchange id and may append a whole HTML page
  const detail = raw
    .replace(new RegExp(`^${exchange}\\s*`), "")
    .replace(/\s+/g, " ")
    .slice(0, 200);
  const code: ErrorCode = hit?.[1] ?? "INTERNAL";
  const what = hit?.[2] ?? "failed unexpectedly";
  const details: Record<string, unknown> = {
    exchange,
    ccxtError: err instanceof Error ? err.constructor.name : typeof err,
  };
  // headers outlive their response in ccxt: only a rate-limit answer's Retry-After counts
  if (retryAfterMs !== undefined && code === "RATE_LIMITED") details.retryAfterMs = retryAfterMs;
  return new AppError(code, `${exchange} ${what} while ${doing}: ${detail}`, { cause: err, details });
}
