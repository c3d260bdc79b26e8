// Trading: sessions with positions, open orders and P&L; the approval queue; the risk limits (readable)
import { card, h, messageOf, notYet, num, replace, table } from "../dom.ts";
import type { RiskShow, SessionEntry, SessionStatus } from "../types.ts";
import type { View } from "../view.ts";

function sessionCard(s: SessionStatus): HTMLElement {
  const positions = Object.entries(s.positions);
  return h(
    "section",
    { class: "card session", "aria-label": `Session ${s.id}` },
    h("h2", {}, `Session ${s.id} · ${s.mode} · ${s.state.toUpperCase()}`),
    h(
      "p",
      {},
      `${s.strategy} on ${s.symbols.join(", ")} ${s.timeframe}; capital ${num(s.capital)}, equity ${s.equity}, P&L ${s.pnl}; ${s.orders} orders, ${s.fills} fills`,
      s.lastBar === undefined ? "" : `; last bar ${s.lastBar}`,
    ),
    s.haltReason === undefined ? null : h("p", { class: "status error" }, `Halted: ${s.haltReason}`),
    positions.length === 0
      ? h("p", {}, "No positions.")
      : table(
          `Positions of ${s.id}`,
          ["Symbol", "Quantity", "Average price", "Realised P&L", "Unrealised P&L"],
          positions.map(([sym, p]) => [
            sym,
            p.qty,
            p.averagePrice ?? "–",
            p.realisedPnl,
            p.unrealisedPnl ?? "–",
          ]),
        ),
    s.openOrders.length === 0
      ? h("p", {}, "No open orders.")
      : table(
          `Open orders of ${s.id}`,
          ["Client order id", "Symbol", "Side", "Quantity", "Filled", "State"],
          s.openOrders.map((o) => [o.clientOrderId, o.symbol, o.side, o.qty, o.filledQty, o.state]),
        ),
    s.latestDecision === undefined
      ? null
      : h(
          "div",
          { class: "decision" },
          h("h3", {}, `Latest decision #${s.latestDecision.seq} at ${s.latestDecision.bar}`),
          h("p", {}, s.latestDecision.explanation),
        ),
  );
}

export const tradingView: View = async ({ api, main }) => {
  const [sessions, risk] = await Promise.all([
    api.op<SessionEntry[]>("trade_list"),
    api.op<RiskShow>("risk_show"),
  ]);
  const cards: HTMLElement[] = [];
  for (const s of sessions) {
    try {
      cards.push(sessionCard(await api.op<SessionStatus>("trade_status", { id: s.id })));
    } catch (e) {
      cards.push(h("p", { class: "status error" }, `Session ${s.id}: ${messageOf(e)}`));
    }
  }
  const limits = Object.entries(risk.limits).filter(([k]) => !["version", "perSymbol"].includes(k));
  replace(
    main,
    h("h1", {}, "Trading"),
    sessions.length === 0
      ? card(
          "Sessions",
          h(
            "p",
            {},
            "No trading sessions in this home. Start a paper session: ",
            h("code", {}, "kairos trade start --paper …"),
          ),
          api.has("trade_start") ? null : notYet("Starting a session here", "a trade start route"),
        )
      : h("div", {}, ...cards),
    card(
      "Approval queue",
      notYet("Approve or reject proposals", "the approvals routes", "kairos approvals list"),
    ),
    card(
      "Drift report",
      notYet("Drift between backtest, paper and live", "a trade drift route", "kairos trade drift ID"),
    ),
    card(
      "Risk limits",
      risk.written
        ? h(
            "p",
            {},
            `In force: revision ${String(risk.limits.revision)}, hash ${risk.hash?.slice(0, 12) ?? ""}…`,
          )
        : h(
            "p",
            { class: "status error" },
            `No limits file, so every order is refused: ${risk.problem ?? ""}`,
          ),
      table(
        "Risk limits",
        ["Limit", "Value"],
        limits.map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v)]),
      ),
      notYet(
        "Editing limits (after re-entering the password)",
        "a risk set route",
        "kairos risk set KEY VALUE --by NAME",
      ),
    ),
  );
};
