// A client-side request-weight budget: admits a request only when the venue cannot count more
// than `cap` weight in any of its windows, whatever the windows' alignment and however long the
// request takes on the wire. Pure (every call takes `now`); the caller sleeps and sends.
//
// Why it is exact without knowing where the venue's windows start: an admitted request holds its
// weight from admission until `windowMs` after its response. A venue window [a, a+W) that counts
// requests r1..rn (each arriving between its admission and its response) also contains the
// arrival of the last-admitted of them, r*; every other ri arrived at or after a > arrival(r*) - W,
// so ri was still held (admitted before r*, answered less than W before r* was admitted) when r*
// was admitted: the sum was checked against the cap then.

export interface WeightBudgetOptions {
  /** the venue's limit per window (Binance's REQUEST_WEIGHT) */
  readonly limit: number;
  /** the venue's window, ms */
  readonly windowMs: number;
  /** the share of the limit kairos allows itself (default 0.9) */
  readonly fraction?: number;
}

interface Held {
  readonly id: number;
  readonly weight: number;
  /** undefined while the request is on the wire */
  doneAt: number | undefined;
}

export class WeightBudget {
  private limit: number;
  private windowMs: number;
  private readonly fraction: number;
  // A bar of 100 orders puts 200 requests through here at once and a minute's window holds
  // thousands: every call must not walk them all. Holds on the wire are keyed by ticket; answered
  // ones queue in the order they were answered (release and observeUsed stamp them with the
  // caller's `now`, which only moves forward), so they expire from the head; the sum is kept.
  private readonly onWire = new Map<number, number>();
  private answered: Held[] = [];
  private head = 0;
  private total = 0;
  private nextId = 1;
  private pausedUntil = 0;

  constructor(opts: WeightBudgetOptions) {
    this.fraction = opts.fraction ?? 0.9;
    if (!(this.fraction > 0 && this.fraction <= 1))
      throw new RangeError(`weight budget fraction ${this.fraction} is outside (0, 1]`);
    this.limit = opts.limit;
    this.windowMs = opts.windowMs;
    this.check();
  }

  /** the most weight admitted in any window: `fraction` of the limit, rounded down */
  get cap(): number {
    return Math.max(1, Math.floor(this.limit * this.fraction));
  }

  get window(): { limit: number; windowMs: number } {
    return { limit: this.limit, windowMs: this.windowMs };
  }

  /** the venue declared (another) limit: it applies from now on; what is held stays held */
  setLimit(limit: number, windowMs: number): void {
    this.limit = limit;
    this.windowMs = windowMs;
    this.check();
  }

  /** weight still counted against the budget at `now` (on the wire or answered within a window) */
  heldAt(now: number): number {
    this.expire(now);
    return this.total;
  }

  /**
   * How long to wait before `weight` may be sent: 0 = now; a number = at least that many ms;
   * "release" = only when a request on the wire is answered. A request heavier than the cap is
   * admitted alone (nothing else held), or it could never go.
   */
  waitMs(weight: number, now: number): number | "release" {
    this.expire(now);
    if (now < this.pausedUntil) return this.pausedUntil - now;
    let sum = this.total;
    const need = Math.min(weight, this.cap);
    if (sum + need <= this.cap && (weight <= this.cap || sum === 0)) return 0;
    // free the oldest answered holds first, in the order they expire
    for (let i = this.head; i < this.answered.length; i++) {
      const h = this.answered[i]!;
      sum -= h.weight;
      if (sum + need <= this.cap && (weight <= this.cap || sum === 0))
        return (h.doneAt as number) + this.windowMs - now;
    }
    return "release";
  }

  /** records a request as sent at `now` (call only when `waitMs` said 0); returns its ticket */
  admit(weight: number, now: number): number {
    const w = this.waitMs(weight, now);
    if (w !== 0) throw new Error(`weight ${weight} admitted while the budget says wait ${w}`);
    const id = this.nextId++;
    this.onWire.set(id, weight);
    this.total += weight;
    return id;
  }

  /** the request's response (or failure) arrived at `now`: its weight is held one more window */
  release(ticket: number, now: number): void {
    const weight = this.onWire.get(ticket);
    if (weight === undefined) return;
    this.onWire.delete(ticket);
    this.queueAnswered({ id: ticket, weight, doneAt: now });
  }

  /** the venue said "retry after": nothing is admitted before `until` */
  pause(until: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, until);
  }

  /**
   * The venue reported `used` weight in its current window (Binance's x-mbx-used-weight-1m): weight
   * kairos did not send (another client on the IP, requests before the budget existed) is held too
   */
  observeUsed(used: number, now: number): void {
    const mine = this.heldAt(now);
    if (used > mine) {
      this.total += used - mine;
      this.queueAnswered({ id: this.nextId++, weight: used - mine, doneAt: now });
    }
  }

  // answered holds stay in answer order; a clock that stepped back files one by its time (rare)
  private queueAnswered(h: Held): void {
    const last = this.answered[this.answered.length - 1];
    if (
      last === undefined ||
      this.answered.length === this.head ||
      (last.doneAt as number) <= (h.doneAt as number)
    )
      this.answered.push(h);
    else {
      let i = this.answered.length;
      while (i > this.head && (this.answered[i - 1]!.doneAt as number) > (h.doneAt as number)) i--;
      this.answered.splice(i, 0, h);
    }
  }

  private expire(now: number): void {
    const q = this.answered;
    while (this.head < q.length && (q[this.head]!.doneAt as number) + this.windowMs <= now) {
      this.total -= q[this.head]!.weight;
      this.head++;
    }
    // drop the expired prefix now and then, so the array does not grow for ever
    if (this.head > 1024 && this.head * 2 > q.length) {
      this.answered = q.slice(this.head);
      this.head = 0;
    }
  }

  private check(): void {
    if (!(Number.isFinite(this.limit) && this.limit > 0))
      throw new RangeError(`weight limit ${this.limit} must be a positive number`);
    if (!(Number.isFinite(this.windowMs) && this.windowMs > 0))
      throw new RangeError(`weight window ${this.windowMs} ms must be positive`);
  }
}
