// Binance's unfilled-order limit (rateLimitType ORDERS), counted per account in calendar-aligned
// windows of wall time: every accepted new order adds one to each window's count, an order's first
// fill takes one away (Binance's "orders that trade do not count"), cancels and expiries change
// nothing. A new order that would pass a limit is refused with 429 / -1015 "Too many new orders".

/** One ORDERS limit: at most `limit` unfilled new orders per `windowMs` of wall time */
export interface OrderLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** Binance spot's published ORDERS limits: 100 per 10 seconds and 200,000 per day */
export const BINANCE_ORDER_LIMITS: readonly OrderLimit[] = [
  { limit: 100, windowMs: 10_000 },
  { limit: 200_000, windowMs: 86_400_000 },
];

/** What one limit saw: the highest unfilled count and the most new orders in any window */
export interface OrderLimitUse {
  readonly limit: number;
  readonly windowMs: number;
  /** the highest unfilled-order count any window reached */
  readonly maxCount: number;
  /** the most new orders accepted in any one window, fills not subtracted */
  readonly maxPlaced: number;
  /** new orders refused with -1015 because of this limit */
  readonly refused: number;
}

interface Window {
  readonly spec: OrderLimit;
  start: number;
  count: number;
  placed: number;
  maxCount: number;
  maxPlaced: number;
  refused: number;
}

export class OrderCounter {
  private readonly windows: Window[];

  constructor(limits: readonly OrderLimit[]) {
    this.windows = limits.map((spec) => ({
      spec,
      start: 0,
      count: 0,
      placed: 0,
      maxCount: 0,
      maxPlaced: 0,
      refused: 0,
    }));
  }

  get limits(): readonly OrderLimit[] {
    return this.windows.map((w) => w.spec);
  }

  /** The limit a new order at `wall` would pass, with the ms until its window ends; undefined = room */
  full(wall: number): { limit: OrderLimit; retryAfterMs: number } | undefined {
    for (const w of this.roll(wall))
      if (w.count + 1 > w.spec.limit) {
        w.refused++;
        return { limit: w.spec, retryAfterMs: w.start + w.spec.windowMs - wall };
      }
    return undefined;
  }

  /** A new order was accepted at `wall`: the counts after it, per limit (the X-MBX-ORDER-COUNT headers) */
  placed(wall: number): { windowMs: number; count: number }[] {
    return this.roll(wall).map((w) => {
      w.count++;
      w.placed++;
      w.maxCount = Math.max(w.maxCount, w.count);
      w.maxPlaced = Math.max(w.maxPlaced, w.placed);
      return { windowMs: w.spec.windowMs, count: w.count };
    });
  }

  /** An order traded for the first time at `wall`: it no longer counts */
  firstFill(wall: number): void {
    for (const w of this.roll(wall)) w.count = Math.max(0, w.count - 1);
  }

  use(): OrderLimitUse[] {
    return this.windows.map((w) => ({
      limit: w.spec.limit,
      windowMs: w.spec.windowMs,
      maxCount: w.maxCount,
      maxPlaced: w.maxPlaced,
      refused: w.refused,
    }));
  }

  private roll(wall: number): Window[] {
    for (const w of this.windows) {
      const start = wall - (wall % w.spec.windowMs);
      if (start !== w.start) {
        w.start = start;
        w.count = 0;
        w.placed = 0;
      }
    }
    return this.windows;
  }
}
