// Every HTTP request CcxtBroker makes to Binance passes this gate: it waits for the request-weight
// budget (90% of the limit the venue declares in exchangeInfo `rateLimits`, corrected by the
// `x-mbx-used-weight-<interval>` header of that window) and, after a 429 or 418, for the Retry-After the venue stated.
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

/** Binance spot REST weights (developers.binance.com, "Request Weight" of each endpoint) */
export function binanceRequestWeight(method: string, url: string, body?: unknown): number {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, "").split("?")[0] ?? "";
  const m = method.toUpperCase();
  const hasSymbol = /[?&]symbol=/.test(url) || /(^|&)symbol=/.test(typeof body === "string" ? body : "");
  if (path.endsWith("/api/v3/openOrders")) return hasSymbol ? 6 : 80;
  if (path.endsWith("/api/v3/order")) return m === "GET" ? 4 : 1;
  if (/\/api\/v3\/(exchangeInfo|allOrders|myTrades|account)$/.test(path)) return 20;
  if (path.endsWith("/api/v3/klines")) return 2;
  if (path.endsWith("/api/v3/userDataStream")) return 2;
  return 1;
}

export class RequestWeightGate {
  readonly stats: RequestWeightStats = { sent: 0, throttled: 0, banned: 0, waitedMs: 0 };
  /** true once the venue declared its limit (exchangeInfo) */
  declared = false;
  private readonly budget: WeightBudget;
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
    this.budget = new WeightBudget({
      limit: DEFAULT_LIMIT.limit,
      windowMs: DEFAULT_LIMIT.intervalMs,
      ...(opts.fraction === undefined ? {} : { fraction: opts.fraction }),
    });
  }

  get cap(): number {
    return this.budget.cap;
  }

  get window(): { limit: number; windowMs: number } {
    return this.budget.window;
  }

  /** waits (in arrival order) until `weight` may be sent; returns the ticket to `release` */
  acquire(weight: number): Promise<number> {
    const turn = this.queue.then(() => this.waitTurn(weight));
    this.queue = turn.then(
      () => undefined,
      () => undefined,
    );
    return turn;
  }

  /** the request was answered (or failed): its weight is held one more window */
  release(ticket: number): void {
    this.budget.release(ticket, this.now());
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
    const r = info.rateLimits?.find((x) => x.rateLimitType === "REQUEST_WEIGHT");
    const unit = INTERVAL_MS[r?.interval ?? ""];
    if (r === undefined || unit === undefined || !(Number(r.limit) > 0)) return;
    this.budget.setLimit(Number(r.limit), unit * Math.max(1, Number(r.intervalNum ?? 1)));
    this.declared = true;
  }

  private async waitTurn(weight: number): Promise<number> {
    const started = this.now();
    for (;;) {
      if (this.closed) throw new AppError("EXCHANGE_UNAVAILABLE", "the broker is closed: request not sent");
      const now = this.now();
      const w = this.inFlight >= this.maxInFlight ? "release" : this.budget.waitMs(weight, now);
      if (w === 0) {
        const ticket = this.budget.admit(weight, now);
        this.inFlight++;
        this.stats.sent++;
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

  private notify(): void {
    const w = this.wake;
    this.wake = [];
    for (const f of w) f();
  }
}
