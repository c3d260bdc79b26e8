// Binance's spot order endpoints over the ledger: validation in Binance's order (parameters,
// filters, duplicates, funds) with Binance's error codes and messages, and its response shapes
import type { FaultPlan } from "./faults.ts";
import type { Ledger, SimOrder, SimTif, SimTrade } from "./ledger.ts";
import type { SimMarket } from "./markets.ts";
import { fail, ok, type Reply } from "./routes-public.ts";
import { formatUnits, maxUnits, mulUnits, parseUnits } from "./units.ts";

const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const f = formatUnits;

/** Fee rates in parts per million of notional (1000 = 0.1%) */
export interface SimFees {
  readonly makerPpm: bigint;
  readonly takerPpm: bigint;
}

/** What the order endpoints need from the exchange around them */
export interface OrderDeps {
  readonly ledger: Ledger;
  readonly markets: Map<string, SimMarket>;
  readonly fees: SimFees;
  readonly faults: FaultPlan;
  /** market clock */
  now(): number;
  /** a reference price for market-order checks: the open of the bar in progress (or the last close) */
  refPrice(m: SimMarket): bigint;
  /** true once the replay has no bar left for this market: nothing could fill any more */
  ended(m: SimMarket): boolean;
  /** hands an accepted order to the venue */
  working(o: SimOrder): void;
  /** takes an order away from the venue */
  cancelled(o: SimOrder): void;
  /** the caller's hook: is this client order id already committed on its side? */
  verifyIntent?: (clientOrderId: string) => boolean;
  readonly intentChecks: { checked: number; committed: number; missing: string[] };
}

/** Reserve on buys: price x qty plus the larger fee; market buys add 5% for the price to move */
export const feeOn = (notional: bigint, ppm: bigint): bigint => (notional * ppm + 999_999n) / 1_000_000n;

// POST /api/v3/order: symbol, side, type, timeInForce, quantity, price, newClientOrderId, newOrderRespType
export function createOrder(d: OrderDeps, p: URLSearchParams, fault: "reject" | undefined): Reply {
  const m = d.markets.get(p.get("symbol") ?? "");
  if (m === undefined) return fail(400, -1121, "Invalid symbol.");
  const side = p.get("side");
  if (side !== "BUY" && side !== "SELL")
    return fail(400, -1102, "Mandatory parameter 'side' was not sent, was empty/null, or malformed.");
  const type = p.get("type");
  if (type !== "MARKET" && type !== "LIMIT") return fail(400, -1116, "Invalid orderType.");
  const qty = parseUnits(p.get("quantity") ?? "");
  if (qty === undefined || qty <= 0n)
    return fail(400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
  let price = 0n;
  let tif: SimTif = "GTC";
  if (type === "LIMIT") {
    const pr = parseUnits(p.get("price") ?? "");
    if (pr === undefined || pr <= 0n)
      return fail(400, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
    price = pr;
    const t = p.get("timeInForce");
    if (t !== "GTC" && t !== "IOC" && t !== "FOK")
      return fail(
        400,
        -1102,
        "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.",
      );
    tif = t;
  } else if (p.has("price")) return fail(400, -1106, "Parameter 'price' sent when not required.");
  if (d.ended(m)) return fail(400, -1013, "Market is closed.");
  const cid = p.get("newClientOrderId") ?? `sim-${d.ledger.orders.length + 1}-${d.now()}`;
  if (!CLIENT_ID.test(cid))
    return fail(
      400,
      -1100,
      "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.",
    );
  if (d.verifyIntent !== undefined) {
    d.intentChecks.checked++;
    if (d.verifyIntent(cid)) d.intentChecks.committed++;
    else d.intentChecks.missing.push(cid);
  }
  if (d.ledger.byClientId(cid) !== undefined) return fail(400, -2010, "Duplicate order sent.");
  // filters, in Binance's order: price, lot, notional
  if (type === "LIMIT" && (price < m.tickSize || price % m.tickSize !== 0n))
    return fail(400, -1013, "Filter failure: PRICE_FILTER");
  if (qty < m.minQty || qty > m.maxQty || qty % m.stepSize !== 0n)
    return fail(400, -1013, "Filter failure: LOT_SIZE");
  const ref = type === "LIMIT" ? price : d.refPrice(m);
  const notional = mulUnits(ref, qty);
  if (notional < m.minNotional) return fail(400, -1013, "Filter failure: NOTIONAL");
  const maxPpm = maxUnits(d.fees.takerPpm, d.fees.makerPpm);
  const lock =
    side === "SELL"
      ? qty
      : type === "LIMIT"
        ? notional + feeOn(notional, maxPpm)
        : ((notional + feeOn(notional, maxPpm)) * 105n) / 100n;
  const free = d.ledger.balance(side === "BUY" ? m.quote : m.base).free;
  if (fault === "reject" || free < lock)
    return fail(400, -2010, "Account has insufficient balance for requested action.");
  const order = d.ledger.accept(
    {
      clientOrderId: cid,
      symbol: m.id,
      base: m.base,
      quote: m.quote,
      side,
      type,
      timeInForce: tif,
      price,
      origQty: qty,
      time: d.now(),
    },
    lock,
  );
  d.working(order);
  const resp = p.get("newOrderRespType") ?? "FULL";
  if (resp === "ACK")
    return ok({
      symbol: m.id,
      orderId: order.orderId,
      orderListId: -1,
      clientOrderId: cid,
      transactTime: order.time,
    });
  // orderJson's object is fresh: transactTime goes last, as a spread copy would put it, without the copy
  const body = orderJson(order);
  body.transactTime = order.time;
  if (resp === "FULL") body.fills = d.ledger.tradesOf(order.orderId).map(fillJson);
  return ok(body);
}

/** Finds the order named by orderId or origClientOrderId on the symbol */
function findOrder(d: OrderDeps, p: URLSearchParams): SimOrder | undefined {
  const sym = p.get("symbol") ?? "";
  const byId = p.get("orderId");
  const o =
    byId !== null ? d.ledger.order(Number(byId)) : d.ledger.byClientId(p.get("origClientOrderId") ?? "");
  return o?.symbol === sym ? o : undefined;
}

// GET /api/v3/order
export function queryOrder(d: OrderDeps, p: URLSearchParams): Reply {
  if (!d.markets.has(p.get("symbol") ?? "")) return fail(400, -1121, "Invalid symbol.");
  const o = findOrder(d, p);
  return o === undefined ? fail(400, -2013, "Order does not exist.") : ok(orderJson(o));
}

// DELETE /api/v3/order
export function cancelOrder(d: OrderDeps, p: URLSearchParams): Reply {
  if (!d.markets.has(p.get("symbol") ?? "")) return fail(400, -1121, "Invalid symbol.");
  const o = findOrder(d, p);
  if (o === undefined || !d.ledger.isOpen(o)) return fail(400, -2011, "Unknown order sent.");
  d.cancelled(o);
  d.ledger.close(o, "CANCELED", d.now());
  return ok({
    ...orderJson(o),
    origClientOrderId: o.clientOrderId,
    clientOrderId: p.get("newClientOrderId") ?? `cancel-${o.orderId}`,
    transactTime: d.now(),
  });
}

// DELETE /api/v3/openOrders: symbol required; cancels every open order of the market and returns
// them in the cancel shape (each emits its executionReport); none open is -2011, as Binance answers
export function cancelOpenOrders(d: OrderDeps, p: URLSearchParams): Reply {
  const sym = p.get("symbol");
  if (sym === null || sym === "")
    return fail(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
  if (!d.markets.has(sym)) return fail(400, -1121, "Invalid symbol.");
  const open = d.ledger.orders.filter((o) => o.symbol === sym && d.ledger.isOpen(o));
  if (open.length === 0) return fail(400, -2011, "Unknown order sent.");
  const t = d.now();
  return ok(
    open.map((o) => {
      d.cancelled(o);
      d.ledger.close(o, "CANCELED", t);
      return {
        symbol: o.symbol,
        origClientOrderId: o.clientOrderId,
        orderId: o.orderId,
        orderListId: -1,
        clientOrderId: `cancel-${o.orderId}`,
        transactTime: t,
        price: f(o.price),
        origQty: f(o.origQty),
        executedQty: f(o.executedQty),
        cummulativeQuoteQty: f(o.cumQuote),
        status: o.status,
        timeInForce: o.timeInForce,
        type: o.type,
        side: o.side,
        selfTradePreventionMode: "NONE",
      };
    }),
  );
}

// GET /api/v3/openOrders (symbol optional)
export function openOrders(d: OrderDeps, p: URLSearchParams): Reply {
  const sym = p.get("symbol");
  if (sym !== null && !d.markets.has(sym)) return fail(400, -1121, "Invalid symbol.");
  return ok(
    d.ledger.orders.filter((o) => d.ledger.isOpen(o) && (sym === null || o.symbol === sym)).map(orderJson),
  );
}

const limitOf = (p: URLSearchParams): number =>
  Math.min(Math.max(Number(p.get("limit") ?? 500) || 500, 1), 1000);

// GET /api/v3/allOrders: symbol, orderId (from), startTime, endTime, limit
export function allOrders(d: OrderDeps, p: URLSearchParams): Reply {
  const sym = p.get("symbol") ?? "";
  if (!d.markets.has(sym)) return fail(400, -1121, "Invalid symbol.");
  const fromId = Number(p.get("orderId") ?? 0);
  const start = Number(p.get("startTime") ?? 0);
  const end = Number(p.get("endTime") ?? Number.POSITIVE_INFINITY);
  const rows = d.ledger.orders.filter(
    (o) => o.symbol === sym && o.orderId >= fromId && o.time >= start && o.time <= end,
  );
  // without orderId Binance returns the most recent ones
  const lim = limitOf(p);
  return ok((p.has("orderId") || p.has("startTime") ? rows.slice(0, lim) : rows.slice(-lim)).map(orderJson));
}

// GET /api/v3/myTrades: symbol, orderId, startTime, endTime, fromId, limit
export function myTrades(d: OrderDeps, p: URLSearchParams): Reply {
  const sym = p.get("symbol") ?? "";
  if (!d.markets.has(sym)) return fail(400, -1121, "Invalid symbol.");
  const orderId = p.has("orderId") ? Number(p.get("orderId")) : undefined;
  const fromId = Number(p.get("fromId") ?? 0);
  const start = Number(p.get("startTime") ?? 0);
  const end = Number(p.get("endTime") ?? Number.POSITIVE_INFINITY);
  const rows = d.ledger.trades.filter(
    (t) =>
      t.symbol === sym &&
      (orderId === undefined || t.orderId === orderId) &&
      t.id >= fromId &&
      t.time >= start &&
      t.time <= end,
  );
  const lim = limitOf(p);
  const picked = p.has("fromId") || p.has("startTime") ? rows.slice(0, lim) : rows.slice(-lim);
  return ok(
    picked.map((t) => ({
      symbol: t.symbol,
      id: t.id,
      orderId: t.orderId,
      orderListId: -1,
      price: f(t.price),
      qty: f(t.qty),
      quoteQty: f(t.quoteQty),
      commission: f(t.commission),
      commissionAsset: t.commissionAsset,
      time: t.time,
      isBuyer: t.side === "BUY",
      isMaker: t.isMaker,
      isBestMatch: true,
    })),
  );
}

/** An order in Binance's query shape */
export function orderJson(o: SimOrder): Record<string, unknown> {
  return {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: -1,
    clientOrderId: o.clientOrderId,
    price: f(o.price),
    origQty: f(o.origQty),
    executedQty: f(o.executedQty),
    cummulativeQuoteQty: f(o.cumQuote),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    stopPrice: "0.00000000",
    icebergQty: "0.00000000",
    time: o.time,
    updateTime: o.updateTime,
    isWorking: true,
    workingTime: o.time,
    origQuoteOrderQty: "0.00000000",
    selfTradePreventionMode: "NONE",
  };
}

export function fillJson(t: SimTrade): Record<string, unknown> {
  return {
    price: f(t.price),
    qty: f(t.qty),
    commission: f(t.commission),
    commissionAsset: t.commissionAsset,
    tradeId: t.id,
  };
}
