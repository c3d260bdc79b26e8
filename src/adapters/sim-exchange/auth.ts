// Binance's SIGNED endpoint security, checked the way Binance documents it: the X-MBX-APIKEY header
// names the key, `signature` is HMAC-SHA256(secret, query string + request body) in hex, and
// `timestamp` must lie within `recvWindow` (default 5000 ms, at most 60000) of the server's clock
import { createHmac, timingSafeEqual } from "node:crypto";

/** The key the exchange accepts, with what it may do (reported by `account`) */
export interface SimApiKey {
  readonly key: string;
  readonly secret: string;
  readonly canTrade: boolean;
  readonly canWithdraw: boolean;
}

/** A Binance error: HTTP status, code, message */
export interface BinanceError {
  readonly status: number;
  readonly code: number;
  readonly msg: string;
}

/** The request's parameters, query and form body merged, as Binance reads them */
export function requestParams(rawQuery: string, rawBody: string): URLSearchParams {
  // most requests carry one of the two (a GET's query, a POST's form body): parsed alone, the same
  // list without a second parse and a copy
  if (rawBody === "") return new URLSearchParams(rawQuery);
  if (rawQuery === "") return new URLSearchParams(rawBody);
  const p = new URLSearchParams(rawQuery);
  for (const [k, v] of new URLSearchParams(rawBody)) p.append(k, v);
  return p;
}

/** Checks the API key only (USER_STREAM endpoints need no signature) */
export function checkApiKey(header: string | undefined, key: SimApiKey): BinanceError | undefined {
  if (header === undefined || header === "")
    return { status: 401, code: -2014, msg: "API-key format invalid." };
  if (!safeEqual(header, key.key))
    return { status: 401, code: -2015, msg: "Invalid API-key, IP, or permissions for action." };
  return undefined;
}

/**
 * Checks a SIGNED request; `wallNow` is the clock the client signs with (the host's real clock,
 * not the replayed market clock)
 */
export function checkSigned(
  rawQuery: string,
  rawBody: string,
  header: string | undefined,
  key: SimApiKey,
  wallNow: number,
  /** requestParams(rawQuery, rawBody) when the caller already has it (the server parses it once) */
  params?: URLSearchParams,
): BinanceError | undefined {
  const keyErr = checkApiKey(header, key);
  if (keyErr !== undefined) return keyErr;
  const total = rawQuery + rawBody;
  // the signature is the last parameter; everything before it is what was signed
  const at = total.lastIndexOf("signature=");
  if (at < 0 || (at > 0 && total[at - 1] !== "&"))
    return {
      status: 400,
      code: -1102,
      msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
    };
  const signed = total.slice(0, at > 0 ? at - 1 : 0);
  const given = total.slice(at + "signature=".length).split("&")[0] ?? "";
  const want = createHmac("sha256", key.secret).update(signed).digest("hex");
  if (!safeEqual(given.toLowerCase(), want))
    return { status: 400, code: -1022, msg: "Signature for this request is not valid." };
  const p = params ?? requestParams(rawQuery, rawBody);
  const ts = Number(p.get("timestamp"));
  if (!Number.isInteger(ts))
    return {
      status: 400,
      code: -1102,
      msg: "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.",
    };
  const rw = p.has("recvWindow") ? Number(p.get("recvWindow")) : 5000;
  if (!Number.isFinite(rw) || rw <= 0 || rw > 60_000)
    return { status: 400, code: -1131, msg: "recvWindow must be less than 60000" };
  if (ts > wallNow + 1000)
    return {
      status: 400,
      code: -1021,
      msg: "Timestamp for this request was 1000ms ahead of the server's time.",
    };
  if (wallNow - ts > rw)
    return { status: 400, code: -1021, msg: "Timestamp for this request is outside of the recvWindow." };
  return undefined;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
