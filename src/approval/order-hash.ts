/**
 * The exact-order hash an approval binds. The order is reduced to its fields (session, venue,
 * symbol, side, type, quantity, limit price), each in one normal form, then written as RFC 8785
 * canonical JSON and hashed: the same order always gives the same text, and any change to any
 * field gives another. Hashing itself comes in as a function (pure module: no node:crypto).
 */
import { canonicalJson } from "../audit/canonical-json.ts";
import type { ExactOrder } from "../ports/approval-store.ts";

/** SHA-256 of UTF-8 text, as lowercase hex */
export type Sha256Hex = (text: string) => string;

const DECIMAL = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;

/** An exact decimal in one form: no sign, no exponent, no trailing zeros ("0.50" -> "0.5"); undefined if not one */
export function normalDecimal(text: string): string | undefined {
  const t = text.trim();
  if (!DECIMAL.test(t)) return undefined;
  if (!t.includes(".")) return t;
  const s = t.replace(/0+$/, "").replace(/\.$/, "");
  return s;
}

/** The canonical JSON text of an order: what is hashed, byte for byte */
export function canonicalOrderText(o: ExactOrder): string {
  const q = normalDecimal(o.quantity);
  const p = o.price === undefined ? undefined : normalDecimal(o.price);
  return canonicalJson({
    sessionId: o.sessionId,
    venue: o.venue,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    // a malformed amount keeps its raw text: it hashes differently from every well-formed one
    quantity: q ?? `raw:${o.quantity}`,
    ...(o.price === undefined ? {} : { price: p ?? `raw:${o.price}` }),
  });
}

/** The hash an approval binds: SHA-256 of the order's canonical JSON, hex */
export function orderHash(o: ExactOrder, sha256: Sha256Hex): string {
  return sha256(canonicalOrderText(o));
}
