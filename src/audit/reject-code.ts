/**
 * The raw code a venue gave when it refused an order, read back out of the order's reason text
 * (the execution layer keeps the venue's words there as "<kairos code>: <message>", and the ccxt
 * broker appends "(venue code X)" when ccxt's message dropped it), so the audit record carries it
 * as its own field. Only codes the venue itself wrote are returned; a reason with none (the paper
 * venue, a kairos-side refusal) gives null.
 */

/** kairos's own reject categories (RejectCode in ports/broker.ts), the prefix of a rejected order's reason */
const KAIROS_CODES = new Set([
  "insufficient-funds",
  "filter-failure",
  "duplicate-client-order-id",
  "unknown-symbol",
  "other",
]);

export interface RejectCodes {
  /** kairos's category, e.g. "insufficient-funds"; null when the reason does not start with one */
  rejectCode: string | null;
  /** the venue's own code: -2010 (Binance), 51008 (OKX), 110007 (Bybit), "EOrder:Insufficient funds" (Kraken); null when it gave none */
  venueRejectCode: number | string | null;
}

// what the ccxt broker appends: "... (venue code -2010)"
const APPENDED = /\(venue code (-?\d+|[^()\s][^()]{0,40})\)/;
// a venue's body as ccxt quotes it: binance {"code":-2010,"msg":"..."}, okx {"code":"51008",...}, bybit {"retCode":110007,...}
const JSON_CODE = /"(?:code|retCode|ret_code|errorCode|error_code)"\s*:\s*(?:(-?\d+)|"([^"]{1,40})")/;
// kraken's error strings: {"error":["EOrder:Insufficient funds"]}
const KRAKEN_CODE =
  /\b(E(?:Order|General|API|Funding|Trade|Service|Query|Session):[A-Za-z][A-Za-z ]{0,40}[A-Za-z])/;

// a numeric code is a number whether the venue quoted it (OKX's "51008") or not, so one venue's code compares equal across paths
const asCode = (num: string | undefined, text: string | undefined): number | string | null =>
  num !== undefined ? Number(num) : text === undefined ? null : /^-?\d+$/.test(text) ? Number(text) : text;

/** The venue's code in a response body (JSON with a code field, or a Kraken error string); null when none */
export function venueCodeOfBody(body: unknown): number | string | null {
  if (typeof body !== "string" || body.length === 0) return null;
  const j = JSON_CODE.exec(body);
  if (j !== null) {
    // a success envelope ({"code":0} or "0") is not a refusal
    const c = asCode(j[1], j[2]);
    return c === 0 || c === "0" ? null : c;
  }
  return KRAKEN_CODE.exec(body)?.[1] ?? null;
}

/** Parses a rejected order's reason text; see RejectCodes */
export function rejectCodesOf(reason: string | undefined): RejectCodes {
  if (reason === undefined) return { rejectCode: null, venueRejectCode: null };
  const head = /^([a-z-]+):/.exec(reason)?.[1];
  const rejectCode = head !== undefined && KAIROS_CODES.has(head) ? head : null;
  const a = APPENDED.exec(reason);
  if (a !== null) {
    return { rejectCode, venueRejectCode: asCode(undefined, a[1]) };
  }
  return { rejectCode, venueRejectCode: venueCodeOfBody(reason) };
}
