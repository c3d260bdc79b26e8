// Binance's SIGNED spot REST routes (order create, lookup and cancel, openOrders, allOrders,
// myTrades, account, apiRestrictions) and the USER_STREAM listenKey routes, answered from the
// shared state; the order endpoints' rules are orders.ts, the signature check admission.ts. A
// `reject` fault's answers are here too, beside the routes they stand in for

import { signed } from "./admission.ts";
import { checkApiKey, type SimApiKey } from "./auth.ts";
import type { FaultEndpoint } from "./faults.ts";
import type { Ledger } from "./ledger.ts";
import {
  allOrders,
  cancelOpenOrders,
  cancelOrder,
  createOrder,
  myTrades,
  type OrderDeps,
  openOrders,
  queryOrder,
} from "./orders.ts";
import { fail, ok, type Reply, type SimRequest } from "./routes-public.ts";
import type { SimState } from "./state.ts";
import { formatUnits } from "./units.ts";

/** The order lookups and cancels of orders.ts, each SIGNED, by `METHOD /path` */
const ORDER_ROUTES: Record<string, (d: OrderDeps, p: URLSearchParams) => Reply> = {
  "GET /api/v3/order": queryOrder,
  "DELETE /api/v3/order": cancelOrder,
  "GET /api/v3/openOrders": openOrders,
  "DELETE /api/v3/openOrders": cancelOpenOrders,
  "GET /api/v3/allOrders": allOrders,
  "GET /api/v3/myTrades": myTrades,
};

/** The reply of a signed or listenKey route; undefined when `METHOD /path` is none of them */
export function signedRoute(s: SimState, req: SimRequest): Reply | undefined {
  const id = `${req.method} ${req.path}`;
  const p = req.params;
  const orderRoute = ORDER_ROUTES[id];
  if (orderRoute !== undefined) return signed(s, req, () => orderRoute(s.orders, p));
  switch (id) {
    case "POST /api/v3/order":
      return signed(s, req, () => {
        if (!s.key.canTrade) return fail(400, -2010, "This account may not place or cancel orders.");
        return createOrder(s.orders, p, undefined);
      });
    case "GET /api/v3/account":
      return signed(s, req, () =>
        ok(accountJson(s.ledger, s.key, s.feeFrac, s.now(), p.get("omitZeroBalances") === "true")),
      );
    case "GET /sapi/v1/account/apiRestrictions":
      return signed(s, req, () =>
        ok({
          ipRestrict: false,
          createTime: 0,
          enableReading: true,
          enableSpotAndMarginTrading: s.key.canTrade,
          enableWithdrawals: s.key.canWithdraw,
          enableInternalTransfer: false,
          enableMargin: false,
          enableFutures: false,
          permitsUniversalTransfer: false,
          enableVanillaOptions: false,
          enablePortfolioMarginTrading: false,
        }),
      );
    case "POST /api/v3/userDataStream":
    case "PUT /api/v3/userDataStream":
    case "DELETE /api/v3/userDataStream": {
      const e = checkApiKey(req.apiKey, s.key);
      if (e !== undefined) return fail(e.status, e.code, e.msg);
      if (req.method === "POST") return ok({ listenKey: s.streams.newListenKey() });
      if (!s.streams.listenKeys.has(p.get("listenKey") ?? ""))
        return fail(400, -1125, "This listenKey does not exist.");
      if (req.method === "DELETE") s.streams.listenKeys.delete(p.get("listenKey")!);
      return ok({});
    }
  }
  return undefined;
}

/**
 * A `reject` fault's reply to a signed request: a create refused whatever the balance (-2010), a
 * refused cancel that leaves the order(s) open, a lookup that misses (Binance's lag right after a
 * create); undefined for an endpoint a reject does not apply to (it is then served as usual)
 */
export function rejectedRoute(
  s: SimState,
  req: SimRequest,
  endpoint: FaultEndpoint | undefined,
): Reply | undefined {
  if (endpoint === "create") return signed(s, req, () => createOrder(s.orders, req.params, "reject"));
  if (endpoint === "cancel" || endpoint === "cancelAll")
    return signed(s, req, () => fail(400, -2011, "Unknown order sent."));
  if (endpoint === "query") return signed(s, req, () => fail(400, -2013, "Order does not exist."));
  return undefined;
}

function accountJson(
  ledger: Ledger,
  key: SimApiKey,
  fees: { maker: number; taker: number },
  now: number,
  omitZero: boolean,
): Record<string, unknown> {
  return {
    // Binance's legacy fields are in basis points
    makerCommission: Math.round(fees.maker * 10_000),
    takerCommission: Math.round(fees.taker * 10_000),
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: {
      maker: fees.maker.toFixed(8),
      taker: fees.taker.toFixed(8),
      buyer: "0.00000000",
      seller: "0.00000000",
    },
    canTrade: key.canTrade,
    canWithdraw: key.canWithdraw,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: now,
    accountType: "SPOT",
    balances: [...ledger.balances]
      .filter(([, b]) => !omitZero || b.free !== 0n || b.locked !== 0n)
      .map(([asset, b]) => ({ asset, free: formatUnits(b.free), locked: formatUnits(b.locked) })),
    permissions: ["SPOT"],
    uid: 1,
  };
}
