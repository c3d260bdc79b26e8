/**
 * Alerts raised from the trading path's durable changes: the order store every session, the kill
 * switch and reconciliation write through. Wrapping it catches each change where it is committed,
 * whichever use case made it: a session halted (by the throttle, a reconciliation or the kill
 * switch), a fill recorded (once: a duplicate report raises nothing), a reconciliation that found
 * differences. Raising an alert is a queue push (AlertDispatcher): the store call is not slowed.
 */
import type { AlertEmitter } from "../ports/alert-sink.ts";
import type { FillRecord, OrderStore, ReconciliationRecord, TradingState } from "../ports/order-store.ts";

/** The order store, raising alerts on halts, fills and reconciliation differences */
export function alertingOrderStore(inner: OrderStore, alerts: AlertEmitter): OrderStore {
  const setState = (id: string, state: TradingState, haltReason?: string): void => {
    const before = inner.getSession(id)?.state;
    inner.setState(id, state, haltReason);
    if (state !== "halted" || before === "halted") return;
    const kill = haltReason?.startsWith("kill switch") === true;
    alerts.emit({
      kind: kill ? "kill" : "halted",
      severity: "critical",
      title: kill ? `KILL SWITCH: session ${id} halted` : `HALTED: session ${id}`,
      text: `${haltReason ?? "halted"}\nNothing is submitted until a person resumes it.`,
      data: { session: id, state, reason: haltReason ?? null },
    });
  };
  const addFill = (f: FillRecord, ...rest: unknown[]): boolean => {
    const added = (inner.addFill as (...a: unknown[]) => boolean)(f, ...rest);
    if (added)
      alerts.emit({
        kind: "fill",
        severity: "info",
        title: `fill: ${f.side} ${f.qty} ${f.symbol} @ ${f.price}`,
        text: `Order ${f.clientOrderId} of session ${f.sessionId} filled ${f.qty} at ${f.price} on ${f.venue} (fee ${f.fee} ${f.feeAsset}).`,
        data: {
          session: f.sessionId,
          order: f.clientOrderId,
          venue: f.venue,
          symbol: f.symbol,
          side: f.side,
          qty: f.qty,
          price: f.price,
          tradeId: f.tradeId,
        },
      });
    return added;
  };
  const addReconciliation = (r: ReconciliationRecord): void => {
    inner.addReconciliation(r);
    if (r.ok && r.foreignOrders.length === 0) return;
    alerts.emit({
      kind: "reconciliation",
      severity: "critical",
      title: `reconciliation discrepancy: session ${r.sessionId}`,
      text: [...r.differences, ...r.foreignOrders.map((o) => `venue order not sent by kairos: ${o}`)].join(
        "\n",
      ),
      data: { session: r.sessionId, differences: r.differences, foreignOrders: r.foreignOrders },
    });
  };
  const overrides: Record<string, unknown> = { setState, addFill, addReconciliation };
  // a proxy, so methods the port gains later pass through unchanged
  // bound once per method: the trading loop calls the store many times a bar
  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(inner, {
    get(target, prop, recv) {
      if (typeof prop === "string" && prop in overrides) return overrides[prop];
      const hit = bound.get(prop);
      if (hit !== undefined) return hit;
      const v = Reflect.get(target, prop, recv) as unknown;
      if (typeof v !== "function") return v;
      const fn = (v as (...a: unknown[]) => unknown).bind(target);
      bound.set(prop, fn);
      return fn;
    },
  });
}
