/**
 * The audit hook of the trading path: an OrderStore that writes one audit record for every state
 * change, inside the same SQLite transaction as the change (the audit log shares the order store's
 * synchronous=FULL connection). Same transaction, not "before": the record and the change commit
 * together or not at all, so the log never claims a change that did not happen (a crash between
 * two commits cannot split them) and costs no extra fsync on the trading loop.
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../audit/canonical-json.ts";
import { rejectCodesOf } from "../audit/reject-code.ts";
import type { AuditKind, AuditLog } from "../ports/audit-log.ts";
import type {
  DecisionRecord,
  FillRecord,
  OrderPatch,
  OrderRecord,
  OrderStore,
  ReconciliationRecord,
  SessionHead,
  SessionRecord,
  TradingState,
} from "../ports/order-store.ts";

/** What every decision record names about the code and the limits (audit-build-info.ts builds it) */
export interface AuditMeta {
  version: string;
  gitSha: string;
  /** SHA-256 of the risk limits file in force, null when there is none */
  limitsHash: () => string | null;
}

const sha256 = (b: string | Uint8Array): string => createHash("sha256").update(b).digest("hex");

/**
 * The input snapshot of a decision: pointers to the bars read (exchange, symbol, timeframe, first
 * and last open time, count) and one SHA-256 over, series by series, the symbol's UTF-8 bytes then
 * the IEEE-754 little-endian bytes of ts, open, high, low, close and volume of those bars, so anyone
 * holding the same candles recomputes it
 */
export function inputSnapshot(snap: NonNullable<DecisionRecord["detail"]>["snapshot"]): {
  sha256: string;
  bars: {
    exchange: string;
    symbol: string;
    timeframe: string;
    fromOpen: number;
    toOpen: number;
    count: number;
  }[];
} | null {
  if (snap === undefined) return null;
  const h = createHash("sha256");
  const n = snap.lastIndex + 1;
  const bars = snap.series.map((s) => {
    h.update(s.symbol);
    for (const a of [s.ts, s.open, s.high, s.low, s.close, s.volume]) {
      const view = a.subarray(0, n);
      h.update(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    }
    return {
      exchange: s.exchange,
      symbol: s.symbol,
      timeframe: s.timeframe,
      fromOpen: s.ts[0] ?? 0,
      toOpen: s.ts[n - 1] ?? 0,
      count: Math.min(n, s.ts.length),
    };
  });
  return { sha256: h.digest("hex"), bars };
}

const sig6 = (v: number): number => Number(v.toPrecision(6));

/**
 * The decision's structured reasons (per symbol: the target and the values the strategy decided on)
 * and its explanation: the strategy's own words when it gave some, else a sentence made from those
 * reasons, so `audit show` names the numbers behind an order even for families that state no reason
 */
export function decisionReasons(
  strategy: string,
  d: Pick<DecisionRecord, "targets" | "explanation" | "barTs">,
  values: Record<string, number>,
): { reasons: unknown[]; explanation: string } {
  const per = Object.entries(d.targets).map(([symbol, target]) => {
    const own = Object.entries(values)
      .filter(([k, v]) => k.startsWith(`${symbol}:`) && Number.isFinite(v) && k !== `${symbol}:exposure`)
      .map(([k, v]) => [k.slice(symbol.length + 1), sig6(v)] as const);
    return { symbol, targetPct: sig6(target * 100), values: Object.fromEntries(own) };
  });
  const given = d.explanation !== "" && d.explanation !== "signal";
  const bar = `${new Date(d.barTs).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const made = `${strategy} at the close of the bar of ${bar}: ${per
    .map((r) => {
      const vs = Object.entries(r.values).map(([k, v]) => `${k} ${v}`);
      return `${r.symbol} target ${r.targetPct}% of equity${vs.length === 0 ? "" : ` (${vs.join(", ")})`}`;
    })
    .join("; ")}`;
  return {
    reasons: given ? [d.explanation, ...per] : per,
    explanation: given ? d.explanation : made,
  };
}

/**
 * Drops undefined members (canonical JSON carries no undefined), as a JSON round trip would: a
 * walk over plain objects and arrays (every order event and fill passes here, a few hundred a bar),
 * anything else (a Date, a class) through JSON itself
 */
export function plain(v: unknown): unknown {
  if (typeof v === "number") return Number.isFinite(v) ? v + 0 : null; // -0 -> 0, as JSON writes it
  if (v === null || typeof v !== "object") return v;
  const gone = (x: unknown): boolean => x === undefined || typeof x === "function" || typeof x === "symbol";
  if (Array.isArray(v)) return Array.from(v, (x) => (gone(x) ? null : plain(x)));
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return JSON.parse(JSON.stringify(v)) as unknown;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = (v as Record<string, unknown>)[k];
    if (gone(x)) continue;
    // an own "__proto__" member stays a member (as JSON.parse makes it), never the prototype
    if (k === "__proto__")
      Object.defineProperty(out, k, {
        value: plain(x),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[k] = plain(x);
  }
  return out;
}
const clean = <T extends object>(o: T): Record<string, unknown> => plain(o) as Record<string, unknown>;

export class AuditedOrderStore implements OrderStore {
  constructor(
    private readonly inner: OrderStore,
    private readonly audit: AuditLog,
    private readonly meta: AuditMeta = {
      version: "unknown (no build info given)",
      gitSha: "unknown (no build info given)",
      limitsHash: () => null,
    },
  ) {}

  private tx<T>(
    kind: AuditKind,
    data: () => Record<string, unknown>,
    change: () => T,
    after?: (r: T) => Record<string, unknown>,
  ): T {
    return this.inner.batch(() => {
      const r = change();
      this.audit.append(kind, { ...data(), ...(after === undefined ? {} : after(r)) });
      return r;
    });
  }

  createSession(s: SessionRecord): void {
    // the session's config holds no secrets by contract (keys live in env/key files); recorded whole
    this.tx(
      "session.start",
      () => ({
        sessionId: s.id,
        mode: s.mode,
        venue: s.venue,
        state: s.state,
        kairosVersion: this.meta.version,
        gitSha: this.meta.gitSha,
        configSha256: sha256(canonicalJson(clean(s.config))),
        limitsSha256: this.meta.limitsHash(),
        config: clean(s.config),
      }),
      () => this.inner.createSession(s),
    );
  }
  getSession(id: string): SessionRecord | undefined {
    return this.inner.getSession(id);
  }
  listSessions(page?: { limit: number; offset: number }): SessionRecord[] {
    return this.inner.listSessions(page);
  }
  listSessionHeads(page: { limit: number; offset: number }): SessionHead[] {
    return this.inner.listSessionHeads(page);
  }
  countSessions(): number {
    return this.inner.countSessions();
  }
  setState(id: string, state: TradingState, haltReason?: string): void {
    this.tx(
      "session.state",
      () => clean({ sessionId: id, state, haltReason }),
      () => this.inner.setState(id, state, haltReason),
    );
  }
  setLastBar(id: string, barTs: number): void {
    this.inner.setLastBar(id, barTs); // bookkeeping only: the decision record already names its bar
  }
  setConfig(id: string, config: Record<string, unknown>): void {
    this.tx(
      "limits.change",
      () => ({ sessionId: id, config: clean(config) }),
      () => this.inner.setConfig(id, config),
    );
  }
  recordDecision(d: DecisionRecord, intents: OrderRecord[]): void {
    this.inner.batch(() => {
      this.inner.recordDecision(d, intents);
      const s = this.inner.getSession(d.sessionId);
      const cfg = s === undefined ? {} : clean(s.config);
      const inputs = inputSnapshot(d.detail?.snapshot);
      const params = (cfg.params ?? {}) as Record<string, unknown>;
      const values = d.detail?.values ?? {};
      this.audit.append(
        "decision",
        clean({
          decisionId: `${d.sessionId}/${d.seq}`,
          sessionId: d.sessionId,
          mode: s?.mode,
          venue: s?.venue,
          kairosVersion: this.meta.version,
          gitSha: this.meta.gitSha,
          // the session's configuration (strategy, params, symbols, timeframe, costs) by hash: its text is in session.start
          configSha256: sha256(canonicalJson(cfg)),
          limitsSha256: this.meta.limitsHash(),
          strategy: cfg.strategy,
          // a family's code is versioned with kairos: the commit names the exact strategy code
          strategyVersion: `${this.meta.version}+${this.meta.gitSha.slice(0, 12)}`,
          params: cfg.params,
          // sessions run one strategy family, not an ensemble; model-sign trains its model in the
          // session on the snapshot's bars, so its model is named by its parameters and inputs
          ensemble: null,
          models:
            cfg.strategy === "model-sign" && inputs !== null
              ? [
                  {
                    id: "model-sign/in-session",
                    sha256: sha256(canonicalJson({ params, inputs: inputs.sha256 })),
                  },
                ]
              : [],
          bar: { exchange: cfg.exchange, symbols: cfg.symbols, timeframe: cfg.timeframe, openTime: d.barTs },
          inputs,
          values: Object.fromEntries(
            Object.entries(values).map(([k, v]) => [k, Number.isFinite(v) ? v : String(v)]),
          ),
          decisionSeq: d.seq,
          barTs: d.barTs,
          targets: d.targets,
          // no strategy family states a confidence yet: a value named "confidence" is taken when given
          confidence:
            typeof values.confidence === "number" && Number.isFinite(values.confidence)
              ? values.confidence
              : null,
          ...decisionReasons(String(cfg.strategy ?? "strategy"), d, values),
          orders: intents.map((o) => o.clientOrderId),
        }),
      );
      for (const o of intents)
        this.audit.append("order.intent", clean({ ...o, decisionId: `${d.sessionId}/${d.seq}` }));
    });
  }
  getDecision(sessionId: string, seq: number): DecisionRecord | undefined {
    return this.inner.getDecision(sessionId, seq);
  }
  lastDecision(sessionId: string): DecisionRecord | undefined {
    return this.inner.lastDecision(sessionId);
  }
  getOrder(clientOrderId: string): OrderRecord | undefined {
    return this.inner.getOrder(clientOrderId);
  }
  orderByVenueId(venue: string, venueOrderId: string): OrderRecord | undefined {
    return this.inner.orderByVenueId(venue, venueOrderId);
  }
  ordersOf(sessionId: string, states?: readonly OrderState[]): OrderRecord[] {
    return this.inner.ordersOf(sessionId, states);
  }
  updateOrder(clientOrderId: string, patch: OrderPatch): void {
    this.tx(
      "order.event",
      // a refusal carries kairos's category and the venue's raw code as fields of their own (null: the venue gave none)
      () =>
        clean({
          clientOrderId,
          ...patch,
          ...(patch.state === "rejected" ? rejectCodesOf(patch.reason) : {}),
        }),
      () => this.inner.updateOrder(clientOrderId, patch),
    );
  }
  addFill(f: FillRecord, orderPatch?: OrderPatch): boolean {
    return this.tx(
      "fill",
      () => clean({ ...f, orderPatch }),
      () => this.inner.addFill(f, orderPatch),
      (applied) => ({ applied }),
    );
  }
  fillsOf(sessionId: string): FillRecord[] {
    return this.inner.fillsOf(sessionId);
  }
  fillsFrom(sessionId: string, offset: number): FillRecord[] {
    return this.inner.fillsFrom(sessionId, offset);
  }
  fillsOfOrder(clientOrderId: string): FillRecord[] {
    return this.inner.fillsOfOrder(clientOrderId);
  }
  batch<T>(fn: () => T): T {
    return this.inner.batch(fn);
  }
  addReconciliation(r: ReconciliationRecord): void {
    this.tx(
      "reconciliation",
      () => clean(r),
      () => this.inner.addReconciliation(r),
    );
  }
  lastReconciliation(sessionId: string): ReconciliationRecord | undefined {
    return this.inner.lastReconciliation(sessionId);
  }
  close(): void {
    this.audit.close();
    this.inner.close();
  }
}

type OrderState = OrderRecord["state"];
