// A Broker wrapper for the lifecycle tests: it stands between kairos and the (real) paper venue
// and loses or delays what a network loses or delays. Time is simulated: `sleep` advances the clock.
import type { Broker, OrderSubmission, SubmitOutcome, VenueOrder } from "../../src/ports/broker.ts";
import type { Clock } from "../../src/ports/clock.ts";

export class SimTime implements Clock {
  t = 1_700_000_000_000;
  now(): number {
    return this.t;
  }
  readonly sleep = async (ms: number): Promise<void> => {
    this.t += ms;
  };
}

export interface Faults {
  /** the venue accepts the order but the reply is lost (the caller sees a timeout) */
  dropAckAfterAccept: number;
  /** the request is lost before the venue sees it */
  dropBeforeAccept: number;
  /** the request reaches the venue only this many ms later (it may arrive after a lookup said "unknown") */
  lateAccept: number;
  lateMs: number;
}

/** Delegates to `inner`; `rng` decides which fault hits each submit */
export class FaultyBroker implements Broker {
  readonly venue: string;
  private readonly late: { due: number; order: OrderSubmission }[] = [];
  readonly stats = { submits: 0, droppedAcks: 0, droppedRequests: 0, late: 0, lateDuplicates: 0 };
  /** called with every submit before it is forwarded (R2 checks the intent is committed) */
  onSubmit?: (o: OrderSubmission) => void;

  constructor(
    private readonly inner: Broker,
    private readonly faults: Faults,
    private readonly rng: () => number,
    private readonly time: SimTime,
  ) {
    this.venue = inner.venue;
  }

  private async deliverDue(): Promise<void> {
    for (let i = this.late.length - 1; i >= 0; i--) {
      const l = this.late[i]!;
      if (l.due > this.time.now()) continue;
      this.late.splice(i, 1);
      const r = await this.inner.submit(l.order);
      if (r.kind === "rejected" && r.code === "duplicate-client-order-id") this.stats.lateDuplicates++;
    }
  }

  /** delivers everything still in flight (quiescence) */
  async flush(): Promise<void> {
    this.time.t += 3_600_000;
    await this.deliverDue();
  }

  async submit(o: OrderSubmission): Promise<SubmitOutcome> {
    this.stats.submits++;
    this.onSubmit?.(o);
    await this.deliverDue();
    const x = this.rng();
    if (x < this.faults.dropBeforeAccept) {
      this.stats.droppedRequests++;
      return { kind: "ambiguous", message: "timeout before the venue answered" };
    }
    if (x < this.faults.dropBeforeAccept + this.faults.lateAccept) {
      this.stats.late++;
      this.late.push({ due: this.time.now() + this.faults.lateMs, order: o });
      return { kind: "ambiguous", message: "timeout (the request is still in flight)" };
    }
    const r = await this.inner.submit(o);
    if (
      r.kind === "accepted" &&
      x < this.faults.dropBeforeAccept + this.faults.lateAccept + this.faults.dropAckAfterAccept
    ) {
      this.stats.droppedAcks++;
      return { kind: "ambiguous", message: "timeout after the venue accepted" };
    }
    return r;
  }

  async lookup(symbol: string, id: string): Promise<VenueOrder | undefined> {
    await this.deliverDue();
    return this.inner.lookup(symbol, id);
  }

  cancel = (s: string, id: string) => this.inner.cancel(s, id);
  openOrders = (s?: string) => this.inner.openOrders(s);
  fillsSince = (s: string, since: number) => this.inner.fillsSince(s, since);
  balances = () => this.inner.balances();
  positions = (s: readonly string[]) => this.inner.positions(s);
  serverTime = () => this.inner.serverTime();
  marketRules = (s: string) => this.inner.marketRules(s);
  permissions = () => this.inner.permissions();
  close = () => this.inner.close();
}
