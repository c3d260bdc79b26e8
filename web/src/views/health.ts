// Health at a glance: trading state, sessions, P&L, open orders, approvals, data freshness, alerts

import { SESSIONS_PAGE } from "../api.ts";
import { age, card, h, messageOf, notYet, num, replace, table, timeframeMs, utc } from "../dom.ts";
import { type StreamEvent, subscribe } from "../stream.ts";
import type { SeriesSummary, SessionEntry, SessionStatus } from "../types.ts";
import type { View } from "../view.ts";

/** A series is stale once its last closed candle is older than this many bars */
const STALE_BARS = 2;

const stat = (label: string, value: string, id: string, tone = ""): HTMLElement =>
  h(
    "div",
    { class: `stat ${tone}`, id },
    h("span", { class: "stat-label" }, label),
    h("span", { class: "stat-value" }, value),
  );

interface TradingState {
  state: string;
  problem?: string;
  history?: { at: string; state: string; by: string; reason: string }[];
  /** older servers: the state file as stored */
  file?: { history: { at: string; state: string; by: string; reason: string }[] };
}

/** One line for an alert event: its kind and the fields a person reads first */
function alertLine(e: StreamEvent): HTMLElement {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const bits = ["state", "reason", "by", "sessionId", "symbol", "check", "message"]
    .filter((k) => d[k] !== undefined)
    .map((k) => `${k} ${typeof d[k] === "object" ? JSON.stringify(d[k]) : String(d[k])}`);
  return h("li", {}, h("time", {}, utc(e.ts)), ` ${e.type}: ${bits.join(", ")}`);
}

export const healthView: View = async ({ api, main, onLeave }) => {
  const [series, sessions] = await Promise.all([
    api.op<{ series: SeriesSummary[] }>("data_list"),
    api.op<SessionEntry[]>("trade_list", SESSIONS_PAGE),
  ]);
  const statuses: SessionStatus[] = [];
  const failed: string[] = [];
  await Promise.all(
    sessions.map((s) =>
      api.op<SessionStatus>("trade_status", { id: s.id }).then(
        (st) => void statuses.push(st),
        (e: unknown) => void failed.push(`${s.id}: ${messageOf(e)}`),
      ),
    ),
  );
  // P&L today per session (since 00:00 UTC, by the server's clock), where the API offers it
  const todays: { day: string; pnl: number }[] = [];
  if (api.has("trade_fills"))
    await Promise.all(
      sessions.map((s) =>
        api.op<{ today: { day: string; pnl: string } }>("trade_fills", { id: s.id, limit: 1 }).then(
          (f) => void todays.push({ day: f.today.day, pnl: Number(f.today.pnl) }),
          (e: unknown) => void failed.push(`${s.id}: ${messageOf(e)}`),
        ),
      ),
    );
  const pnlToday = todays.reduce((a, t) => a + t.pnl, 0);
  const day = todays[0]?.day ?? new Date().toISOString().slice(0, 10);
  const now = Date.now();

  const stateOp = api.firstOf("risk_state", "trading_state");
  let stateText = "not in the API yet";
  let stateTone = "muted";
  let state: TradingState | undefined;
  if (stateOp !== undefined) {
    state = await api.op<TradingState>(stateOp);
    stateText = state.state.toUpperCase();
    stateTone = state.state === "active" ? "good" : state.state === "halted" ? "bad" : "warn";
  }
  const changes = [...(state?.history ?? state?.file?.history ?? [])].reverse().slice(0, 5);
  const byState = new Map<string, number>();
  for (const s of sessions) byState.set(s.state, (byState.get(s.state) ?? 0) + 1);
  const openOrders = statuses.reduce((a, s) => a + s.openOrders.length, 0);
  const pnl = statuses.reduce((a, s) => a + Number(s.pnl), 0);

  const alertList = h("ul", { class: "alerts", id: "alerts", "aria-live": "polite" });
  const approvalsOp = api.firstOf("approvals_list", "approvals_pending");
  let approvals = "not in the API yet";
  if (approvalsOp !== undefined)
    approvals = String(
      (await api.op<{ proposals: unknown[] }>(approvalsOp, { state: "pending" })).proposals.length,
    );

  const stats = h(
    "div",
    { class: "stats" },
    stat("Trading state", stateText, "stat-state", stateTone),
    stat(
      "Sessions",
      sessions.length === 0 ? "none" : [...byState].map(([state, n]) => `${n} ${state}`).join(", "),
      "stat-sessions",
    ),
    api.has("trade_fills")
      ? stat(
          `P&L today (${day} UTC)`,
          sessions.length === 0 ? "–" : num(pnlToday),
          "stat-pnl-today",
          pnlToday < 0 ? "bad" : "",
        )
      : null,
    stat("P&L since start", statuses.length === 0 ? "–" : num(pnl), "stat-pnl", pnl < 0 ? "bad" : ""),
    stat("Open orders", String(openOrders), "stat-orders"),
    stat("Approvals waiting", approvals, "stat-approvals", approvalsOp === undefined ? "muted" : ""),
  );

  const fresh = series.series.map((s) => {
    const tf = timeframeMs(s.timeframe);
    // the last stored candle closes one timeframe after it opens
    const since = now - (s.last + tf);
    const stale = since > STALE_BARS * tf;
    return [
      `${s.exchange} ${s.symbol}`,
      s.timeframe,
      num(s.rows),
      utc(s.last),
      h("span", { class: stale ? "tag bad" : "tag good" }, stale ? `stale, ${age(since)} old` : "fresh"),
      s.gaps === 0 ? "none" : `${s.gaps} (${num(s.missing)} candles)`,
    ];
  });

  replace(
    main,
    h("h1", {}, "Health"),
    stats,
    stateOp === undefined
      ? notYet("Trading state (ACTIVE / REDUCING / HALTED)", "a trading-state route", "kairos risk state")
      : null,
    approvalsOp === undefined
      ? notYet("Approvals waiting", "the approvals routes", "kairos approvals list")
      : null,
    h(
      "p",
      { class: "note", id: "pnl-note" },
      api.has("trade_fills")
        ? "P&L today: the sum over sessions of equity now minus equity at 00:00 UTC today (the day the daily-loss limit counts), each marked at the last close the session saw; a replay's fills count on their bars' days. P&L since start: equity minus starting capital."
        : "P&L is each session's equity minus its starting capital; a P&L-today figure is not in the API yet.",
    ),
    failed.length === 0
      ? null
      : h("p", { class: "status error", role: "alert" }, `Sessions not read: ${failed.join("; ")}`),
    card(
      "Data freshness",
      series.series.length === 0
        ? h("p", {}, "No stored series. Import some: ", h("code", {}, "kairos data import FILE"))
        : table(
            "Stored series, newest candle and age",
            ["Series", "Timeframe", "Candles", "Last candle", "Freshness", "Gaps"],
            fresh,
          ),
    ),
    card(
      "Trading state changes",
      state?.problem === undefined ? null : h("p", { class: "status error" }, state.problem),
      changes.length === 0
        ? h("p", {}, stateOp === undefined ? "–" : `No change recorded; the state is ${stateText}.`)
        : table(
            "The last changes of the trading state, newest first",
            ["When", "State", "By", "Why"],
            changes.map((c) => [c.at, c.state.toUpperCase(), c.by, c.reason]),
          ),
    ),
    card(
      "Recent alerts",
      h("p", { class: "note", id: "alerts-state" }, "Connecting to the alerts stream…"),
      alertList,
    ),
  );
  // the stream has no history: alerts from now on; past halts and kills are in the changes above
  const close = subscribe(
    api,
    ["alerts"],
    (events) => {
      for (const e of events) alertList.prepend(alertLine(e));
      while (alertList.children.length > 50) alertList.lastElementChild?.remove();
    },
    (st) => {
      const el = main.querySelector("#alerts-state");
      if (el !== null)
        el.textContent =
          st === "open"
            ? "Live: kill switch, halts, state and limit changes and risk rejections appear here as they happen (the stream keeps no history)."
            : `The alerts stream is ${st}.`;
    },
  );
  onLeave(close);
};
