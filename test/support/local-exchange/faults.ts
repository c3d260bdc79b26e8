// Switchable faults: a test queues what the next matching requests should suffer

/** What can go wrong with a response */
export type Fault =
  /** HTTP 429 with a Retry-After header, Binance's -1003 body */
  | { kind: "rate-limit"; retryAfterSec: number }
  /** a 5xx with an HTML body, as a load balancer sends */
  | { kind: "server-error"; status: 500 | 502 | 503 | 504 }
  /** no answer for `delayMs`, then the socket is dropped */
  | { kind: "timeout"; delayMs: number }
  /** a short page: only the first `rows` rows of the real answer */
  | { kind: "truncate"; rows: number }
  /** a Binance error body that ccxt maps to an ExchangeError (not retryable) */
  | { kind: "exchange-error"; status: 400; code: number; msg: string }
  /** the answer arrives, but only after `delayMs` */
  | { kind: "slow"; delayMs: number };

interface Armed {
  fault: Fault;
  pathPrefix: string;
  remaining: number;
  /** matching requests to let through untouched first */
  skip: number;
}

export class Faults {
  private armed: Armed[] = [];

  /**
   * Makes the next `times` requests whose path starts with `pathPrefix` (default: any) suffer
   * `fault`, after letting `after` matching requests through
   */
  inject(fault: Fault, opts: { pathPrefix?: string; times?: number; after?: number } = {}): void {
    this.armed.push({
      fault,
      pathPrefix: opts.pathPrefix ?? "/",
      remaining: opts.times ?? 1,
      skip: opts.after ?? 0,
    });
  }

  /** Removes every queued fault */
  clear(): void {
    this.armed = [];
  }

  /** The fault for this request, if any, consuming one use */
  take(path: string): Fault | undefined {
    for (const a of this.armed) {
      if (a.remaining <= 0 || !path.startsWith(a.pathPrefix)) continue;
      if (a.skip > 0) {
        a.skip--;
        continue;
      }
      a.remaining--;
      return a.fault;
    }
    return undefined;
  }
}
