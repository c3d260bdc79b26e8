// Seeded faults per endpoint: each endpoint draws from its own generator, so the same seed and the
// same sequence of requests to an endpoint give the same faults whatever else is called in between
import { createRng, type Rng } from "../../domain/random.ts";
import { invalidInput } from "../../errors.ts";

/** Endpoints faults can target */
export const FAULT_ENDPOINTS = [
  "create",
  "cancel",
  /** DELETE /api/v3/openOrders: every open order of one market */
  "cancelAll",
  "query",
  "openOrders",
  "allOrders",
  "myTrades",
  "account",
  "klines",
  "time",
  "exchangeInfo",
  "userDataStream",
] as const;
export type FaultEndpoint = (typeof FAULT_ENDPOINTS)[number];

/** What a request can suffer */
export const HTTP_FAULTS = [
  /** 429 with Retry-After; the request is not processed */
  "429",
  /** 503 "execution status unknown": on create the order is accepted or not, decided by the seed */
  "5xx",
  /** no answer, then the socket drops; nothing was processed */
  "timeout-before",
  /** processed (an order is accepted), then no answer and the socket drops */
  "timeout-after",
  /**
   * refused though valid: create -2010 insufficient balance whatever the balance; cancel and
   * cancelAll -2011 unknown order (the orders stay open); query -2013 order does not exist (the order exists)
   */
  "reject",
] as const;
export type HttpFault = (typeof HTTP_FAULTS)[number];

const REJECTABLE: ReadonlySet<string> = new Set(["create", "cancel", "cancelAll", "query"]);

/** What the streams can suffer, per event */
export const STREAM_FAULTS = ["drop", "duplicate", "reorder", "disconnect"] as const;
export type StreamFault = (typeof STREAM_FAULTS)[number];

/** Probabilities in [0, 1]; `partial` is the share of fills split into 2-5 parts */
export interface FaultRates {
  http: Partial<Record<FaultEndpoint, Partial<Record<HttpFault, number>>>>;
  stream: Partial<Record<StreamFault, number>>;
  partial: number;
}

export const noFaults = (): FaultRates => ({ http: {}, stream: {}, partial: 0 });

/**
 * Parses `--faults`: comma-separated `ENDPOINT:FAULT=P` (HTTP), `ws:FAULT=P` (streams) and
 * `fill:partial=P`, e.g. `create:429=0.05,create:5xx=0.02,ws:drop=0.01,fill:partial=0.3`;
 * `*:FAULT=P` applies to every endpoint
 */
export function parseFaults(spec: string): FaultRates {
  const out = noFaults();
  for (const part of spec
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")) {
    const m = /^([A-Za-z*]+):([a-z0-9-]+)=([0-9.]+)$/.exec(part);
    const p = m === null ? Number.NaN : Number(m[3]);
    if (m === null || !(p >= 0 && p <= 1))
      throw invalidInput(
        `--faults "${part}": write ENDPOINT:FAULT=P with P in [0, 1], e.g. create:429=0.05, ws:drop=0.01, fill:partial=0.3`,
      );
    const [, where, what] = m as unknown as [string, string, string];
    if (where === "fill") {
      if (what !== "partial") throw invalidInput(`--faults "${part}": the only fill fault is partial`);
      out.partial = p;
    } else if (where === "ws") {
      if (!(STREAM_FAULTS as readonly string[]).includes(what))
        throw invalidInput(`--faults "${part}": stream faults are ${STREAM_FAULTS.join(", ")}`);
      out.stream[what as StreamFault] = p;
    } else {
      if (!(HTTP_FAULTS as readonly string[]).includes(what))
        throw invalidInput(`--faults "${part}": request faults are ${HTTP_FAULTS.join(", ")}`);
      const targets =
        where === "*"
          ? FAULT_ENDPOINTS
          : (FAULT_ENDPOINTS as readonly string[]).includes(where)
            ? [where]
            : [];
      if (targets.length === 0)
        throw invalidInput(`--faults "${part}": endpoints are *, ${FAULT_ENDPOINTS.join(", ")}, ws, fill`);
      for (const t of targets as FaultEndpoint[]) out.http[t] = { ...out.http[t], [what]: p };
    }
  }
  return out;
}

/** Draws faults from the rates, plus faults a test forces on the next requests */
export class FaultPlan {
  private readonly rngs = new Map<string, Rng>();
  private readonly forced: { endpoint: FaultEndpoint | "*"; fault: HttpFault; remaining: number }[] = [];
  /** faults dealt so far, by "endpoint:fault", "ws:fault" and "fill:partial" (what a chaos run quotes) */
  readonly seen = new Map<string, number>();

  constructor(
    readonly rates: FaultRates,
    private readonly seed: number,
  ) {}

  /** Forces `fault` on the next `times` requests to `endpoint` (tests) */
  force(endpoint: FaultEndpoint | "*", fault: HttpFault, times = 1): void {
    this.forced.push({ endpoint, fault, remaining: times });
  }

  /** The generator of one stream of draws (an endpoint, the stream, the fill splitter) */
  rng(name: string): Rng {
    let r = this.rngs.get(name);
    if (r === undefined) {
      let h = this.seed >>> 0;
      for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
      r = createRng(h);
      this.rngs.set(name, r);
    }
    return r;
  }

  /** The fault this request suffers, if any */
  http(endpoint: FaultEndpoint): HttpFault | undefined {
    const f = this.forced.find((x) => x.remaining > 0 && (x.endpoint === endpoint || x.endpoint === "*"));
    if (f !== undefined) {
      f.remaining--;
      return this.count(`${endpoint}:${f.fault}`, f.fault);
    }
    const rates = this.rates.http[endpoint];
    if (rates === undefined) return undefined;
    // one draw per request whatever the outcome, so the sequence depends only on the request count
    const u = this.rng(`http:${endpoint}`).next();
    let acc = 0;
    for (const k of HTTP_FAULTS) {
      acc += rates[k] ?? 0;
      if (u < acc)
        return k === "reject" && !REJECTABLE.has(endpoint) ? undefined : this.count(`${endpoint}:${k}`, k);
    }
    return undefined;
  }

  /** The fault one stream event suffers, if any */
  stream(): StreamFault | undefined {
    const u = this.rng("stream").next();
    let acc = 0;
    for (const k of STREAM_FAULTS) {
      acc += this.rates.stream[k] ?? 0;
      if (u < acc) return this.count(`ws:${k}`, k);
    }
    return undefined;
  }

  /** How many parts a fill is split into: 1, or 2-5 with probability `partial` */
  parts(): number {
    const r = this.rng("fill");
    const u = r.next();
    const k = 2 + r.int(4);
    return u < this.rates.partial ? this.count("fill:partial", k) : 1;
  }

  private count<T>(name: string, v: T): T {
    this.seen.set(name, (this.seen.get(name) ?? 0) + 1);
    return v;
  }

  /** A coin for outcomes the seed decides (was a 5xx order accepted?) */
  coin(name: string): boolean {
    return this.rng(name).next() < 0.5;
  }
}
