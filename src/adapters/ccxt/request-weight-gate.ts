// Every HTTP request CcxtBroker makes to Binance passes this gate: it waits for the request-weight
// budget (90% of the limit the venue declares in exchangeInfo `rateLimits`, corrected by the
// `x-mbx-used-weight-<interval>` header of that window) and, after a 429 or 418, for the Retry-After the venue stated.
// A new order also waits for each ORDERS budget (90% of every declared unfilled-order limit, e.g.
// 100 per 10 s and 200,000 per day, corrected by `x-mbx-order-count-<interval>`). The gate counts
// every new order, filled or not, so it can never pass the venue's unfilled count (-1015).
// Waiting here, instead of sending and being told off, is what keeps an IP from being banned.
import { AppError } from "../../errors.ts";
import { WeightBudget } from "../../execution/weight-budget.ts";

export interface RequestWeightOptions {
  /** the share of the declared limit kairos allows itself (default 0.9) */
  readonly fraction?: number;
  /** requests on the wire at once (default unlimited); 1 = no request can overtake a 429 */
  readonly maxInFlight?: number;
}

/** What the gate saw: requests sent, 429s and 418s received, ms spent waiting */
export interface RequestWeightStats {
  sent: number;
  /** new orders sent (each passed the ORDERS budgets) */
  orders: number;
  /** 429s that were the venue's unfilled-order limit (-1015) */
  orderLimited: number;
  throttled: number;
  banned: number;
  waitedMs: number;
}

const INTERVAL_MS: Record<string, number> = {
  SECOND: 1000,
  MINUTE: 60_000,
  HOUR: 3_600_000,
  DAY: 86_400_000,
};
const LETTER_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Binance's published default until exchangeInfo says otherwise */
const DEFAULT_LIMIT = { limit: 6000, intervalMs: 60_000 };
/** Binance's published unfilled-order limits until exchangeInfo says otherwise */
const DEFAULT_ORDER_LIMITS = [
  { limit: 100, windowMs: 10_000 },
  { limit: 200_000, windowMs: 86_400_000 },
];

/** Binance spot REST weights (developers.binance.com, "Request Weight" of each endpoint) */
export function binanceRequestWeight(method: string, url: string, body?: unknown): number {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, "").split("?")[0] ?? "";
  const m = method.toUpperCase();
  const hasSymbol = /[?&]symbol=/.test(url) || /(^|&)symbol=/.test(typeof body === "string" ? body : "");
  // cancelling every open order of a market (DELETE, symbol required) is 1, listing them 6 or 80
  if (path.endsWith("/api/v3/openOrders")) return m === "DELETE" ? 1 : hasSymbol ? 6 : 80;
  if (path.endsWith("/api/v3/order")) return m === "GET" ? 4 : 1;
  // a market's trades of one order are 5, of the whole account 20
  if (path.endsWith("/api/v3/myTrades"))
    return /[?&]orderId=/.test(url) || /(^|&)orderId=/.test(typeof body === "string" ? body : "") ? 5 : 20;
  if (/\/api\/v3\/(exchangeInfo|allOrders|account)$/.test(path)) return 20;
  if (path.endsWith("/api/v3/klines")) return 2;
  if (path.endsWith("/api/v3/userDataStream")) return 2;
  return 1;
}

/** Binance: how many new orders a request places (POST /api/v3/order: 1; a test order places none) */
export function binanceNewOrders(method: string, url: string): number {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, "").split("?")[0] ?? "";
  return method.toUpperCase() === "POST" && path.endsWith("/api/v3/order") ? 1 : 0;
}

export class RequestWeightGate {
  readonly stats: RequestWeightStats = {
    sent: 0,
    orders: 0,
    orderLimited: 0,
    throttled: 0,
    banned: 0,
    waitedMs: 0,
  };
  /** true once the venue declared its limit (exchangeInfo) */
  declared = false;
  private readonly budget: WeightBudget;
  /** one budget per ORDERS limit; a new order takes 1 from each */
  private orderBudgets: WeightBudget[];
  private readonly fraction: number | undefined;
  /** the gate's ticket -> the budgets' tickets */
  private readonly tickets = new Map<number, { weight: number; orders: [WeightBudget, number][] }>();
  private nextTicket = 1;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private queue: Promise<void> = Promise.resolve();
  private wake: (() => void)[] = [];
  private closed = false;

  constructor(
    opts: RequestWeightOptions = {},
    private readonly now: () => number = Date.now,
  ) {
    this.maxInFlight = opts.maxInFlight ?? Number.POSITIVE_INFINITY;
    this.fraction = opts.fraction;
    this.budget = new WeightBudget({
      limit: DEFAULT_LIMIT.limit,
      windowMs: DEFAULT_LIMIT.intervalMs,
      ...(opts.fraction === undefined ? {} : { fraction: opts.fraction }),
    });
    this.orderBudgets = DEFAULT_ORDER_LIMITS.map((l) => this.orderBudget(l.limit, l.windowMs));
  }

  get cap(): number {
    return this.budget.cap;
  }

  get window(): { limit: number; windowMs: number } {
    return this.budget.window;
  }

  /** the unfilled-order limits in force (declared by the venue, else Binance's published ones) */
  get orderWindows(): { limit: number; windowMs: number; cap: number }[] {
    return this.orderBudgets.map((b) => ({ ...b.window, cap: b.cap }));
  }

  /**
   * waits (in arrival order) until `weight`, and `orders` new orders against every ORDERS budget,
   * may be sent; returns the ticket to `release`
   */
  acquire(weight: number, orders = 0): Promise<number> {
    const turn = this.queue.then(() => this.waitTurn(weight, orders));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** the request was answered (or failed): its weight is held one more window */
  release(ticket: number): void {
    const t = this.tickets.get(ticket);
    if (t === undefined) return;
    this.tickets.delete(ticket);
    const now = this.now();
    this.budget.release(t.weight, now);
    for (const [b, o] of t.orders) b.release(o, now);
    this.inFlight--;
    this.notify();
  }

  /** every response: the declared limit, the venue's count, Retry-After */
  onResponse(status: number, headers: Record<string, unknown>, url: string, body: string): void {
    const h = (k: string): string | undefined => {
      const found = Object.keys(headers).find((x) => x.toLowerCase() === k);
      return found === undefined ? undefined : String(headers[found]);
    };
    const now = this.now();
    if (status === 429 || status === 418) {
      if (status === 429) this.stats.throttled++;
      else this.stats.banned++;
      if (status === 429 && /"code"\s*:\s*-1015\b/.test(body)) this.stats.orderLimited++;
      const sec = Number(h("retry-after"));
      // no readable Retry-After: a whole window, which always lets the venue's count fall
      this.budget.pause(now + (Number.isFinite(sec) && sec > 0 ? sec * 1000 : this.budget.window.windowMs));
    }
    if (status === 200 && /\/exchangeInfo(\?|$)/.test(url)) this.declare(body);
    // Binance names the count after its window (x-mbx-used-weight-1m); only the budget's window is comparable
    for (const k of Object.keys(headers)) {
      const m = /^x-mbx-used-weight-(\d+)([smhd])$/.exec(k.toLowerCase());
      if (m === null || Number(m[1]) * LETTER_MS[m[2]!]! !== this.budget.window.windowMs) continue;
      const used = Number(headers[k]);
      if (Number.isFinite(used) && used > 0) this.budget.observeUsed(used, now);
    }
    // the venue's unfilled-order count per window (on accepted orders): orders kairos did not place count too
    for (const k of Object.keys(headers)) {
      const m = /^x-mbx-order-count-(\d+)([smhd])$/.exec(k.toLowerCase());
      if (m === null) continue;
      const ms = Number(m[1]) * LETTER_MS[m[2]!]!;
      const count = Number(headers[k]);
      const b = this.orderBudgets.find((x) => x.window.windowMs === ms);
      if (b !== undefined && Number.isFinite(count) && count > 0) b.observeUsed(count, now);
    }
    this.notify();
  }

  /** pending requests are refused: a closed broker sends nothing more */
  close(): void {
    this.closed = true;
    this.notify();
  }

  private declare(body: string): void {
    let info: {
      rateLimits?: { rateLimitType?: string; interval?: string; intervalNum?: number; limit?: number }[];
    };
    try {
      info = JSON.parse(body) as typeof info;
    } catch {
      return; // ccxt reports the unreadable body itself
    }
    const windowOf = (x: { interval?: string; intervalNum?: number }): number | undefined => {
      const unit = INTERVAL_MS[x.interval ?? ""];
      return unit === undefined ? undefined : unit * Math.max(1, Number(x.intervalNum ?? 1));
    };
    // the unfilled-order limits where the venue states them (else Binance's published ones stay)
    const orders = (info.rateLimits ?? []).flatMap((x) => {
      const ms = windowOf(x);
      return x.rateLimitType === "ORDERS" && ms !== undefined && Number(x.limit) > 0
        ? [{ limit: Number(x.limit), windowMs: ms }]
        : [];
    });
    if (orders.length > 0)
      this.orderBudgets = orders.map((l) => {
        // a window already counted keeps what it holds
        const same = this.orderBudgets.find((b) => b.window.windowMs === l.windowMs);
        if (same === undefined) return this.orderBudget(l.limit, l.windowMs);
        same.setLimit(l.limit, l.windowMs);
        return same;
      });
    const r = info.rateLimits?.find((x) => x.rateLimitType === "REQUEST_WEIGHT");
    const ms = r === undefined ? undefined : windowOf(r);
    if (r === undefined || ms === undefined || !(Number(r.limit) > 0)) return;
    this.budget.setLimit(Number(r.limit), ms);
    this.declared = true;
  }

  private orderBudget(limit: number, windowMs: number): WeightBudget {
    return new WeightBudget({
      limit,
      windowMs,
      ...(this.fraction === undefined ? {} : { fraction: this.fraction }),
    });
  }

  private async waitTurn(weight: number, orders: number): Promise<number> {
    const started = this.now();
    for (;;) {
      if (this.closed) throw new AppError("EXCHANGE_UNAVAILABLE", "the broker is closed: request not sent");
      const now = this.now();
      const w = this.inFlight >= this.maxInFlight ? "release" : this.waitAll(weight, orders, now);
      if (w === 0) {
        const budgets = orders > 0 ? this.orderBudgets : [];
        const ticket = this.nextTicket++;
        this.tickets.set(ticket, {
          weight: this.budget.admit(weight, now),
          orders: budgets.map((b) => [b, b.admit(orders, now)]),
        });
        this.inFlight++;
        this.stats.sent++;
        this.stats.orders += orders;
        this.stats.waitedMs += now - started;
        return ticket;
      }
      await new Promise<void>((resolve) => {
        const t = w === "release" ? undefined : setTimeout(done, Math.max(1, Math.ceil(w)));
        function done(): void {
          if (t !== undefined) clearTimeout(t);
          resolve();
        }
        this.wake.push(done);
      });
    }
  }

  /** the longest wait of the weight budget and, for new orders, every ORDERS budget */
  private waitAll(weight: number, orders: number, now: number): number | "release" {
    let w = this.budget.waitMs(weight, now);
    if (orders > 0)
      for (const b of this.orderBudgets) {
        const o = b.waitMs(orders, now);
        if (o === "release" || w === "release") w = "release";
        else w = Math.max(w, o);
      }
    return w;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = [];
    for (const f of w) f();
  }
}
