// Trading: start a paper session, sessions with positions, open orders, P&L and the drift report; the
// approval queue; the risk limits, readable, changed only after the password is typed again; resume
import type { Api } from "../api.ts";
import { SESSIONS_PAGE } from "../api.ts";
import { card, field, h, messageOf, notYet, num, replace, table } from "../dom.ts";
import { progressText, runJob } from "../jobs.ts";
import { type StreamEvent, subscribe } from "../stream.ts";
import type { RiskShow, SeriesSummary, SessionEntry, SessionStatus, StrategyInfo } from "../types.ts";
import type { View, ViewContext } from "../view.ts";
import { approvalQueue } from "./approvals.ts";
import { sessionFills, tradeChartCard } from "./trade-chart.ts";

interface DriftReport {
  orders: number;
  fills: { session: number; backtest: number; matched: number };
  /** changed targets on each side (drift compares decisions too) */
  decisions?: { session: number; backtest: number; matched: number };
  maxDiff: { qty: number; price: number; fee: number };
  pnl: { session: number; backtest: number; diff: number };
  firstDivergence?: { kind?: "fill" | "decision"; index: number; cause: string };
  zero: boolean;
}

function driftView(d: DriftReport): HTMLElement {
  return h(
    "div",
    { class: "drift" },
    h(
      "p",
      { class: d.zero ? "tag good" : "tag bad" },
      d.zero
        ? "No drift: every decision, fill and the P&L equal the backtest's."
        : "The session drifted from the backtest.",
    ),
    table(
      "Session against a backtest of the same bars",
      ["", "Session", "Backtest", "Difference"],
      [
        ...(d.decisions === undefined
          ? []
          : [
              [
                "Decisions",
                num(d.decisions.session),
                num(d.decisions.backtest),
                `${num(d.decisions.matched)} matched`,
              ],
            ]),
        ["Fills", num(d.fills.session), num(d.fills.backtest), `${num(d.fills.matched)} matched`],
        ["P&L", num(d.pnl.session), num(d.pnl.backtest), num(d.pnl.diff)],
        ["Largest price difference", "", "", num(d.maxDiff.price)],
      ],
    ),
    d.firstDivergence === undefined
      ? null
      : h(
          "p",
          {},
          // a decision that sent no order on one side is named by its index among the decisions
          `First divergence at ${d.firstDivergence.kind === "decision" ? "decision" : "fill"} ${d.firstDivergence.index}: ${d.firstDivergence.cause}`,
        ),
  );
}

function sessionCard(api: Api, s: SessionStatus, reload: () => void): HTMLElement {
  const positions = Object.entries(s.positions);
  const status = h("p", { class: "status", role: "status" });
  const drift = h("div", {});
  const active = s.state === "active" || s.state === "running";
  // fills with their times and the P&L since 00:00 UTC, read after the card is drawn
  const fills = h("div", { class: "fills", id: `fills-${s.id}` });
  if (api.has("trade_fills"))
    sessionFills(api, s.id).then(
      (el) => replace(fills, el),
      (e: unknown) => replace(fills, h("p", { class: "status error" }, `Fills not read: ${messageOf(e)}`)),
    );
  return h(
    "section",
    { class: "card session", "aria-label": `Session ${s.id}`, "data-session": s.id },
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
    h(
      "div",
      { class: "row start" },
      api.has("trade_drift")
        ? h(
            "button",
            {
              type: "button",
              onclick: () => {
                status.textContent = "Replaying the session's bars through the backtest…";
                api.op<DriftReport>("trade_drift", { id: s.id }).then(
                  (d) => {
                    status.textContent = "";
                    replace(drift, driftView(d));
                  },
                  (e: unknown) => (status.textContent = messageOf(e)),
                );
              },
            },
            "Drift report",
          )
        : null,
      api.has("trade_stop") && active
        ? h(
            "button",
            {
              type: "button",
              class: "danger",
              onclick: () => {
                status.textContent = "Stopping: cancelling its open orders…";
                api
                  .op("trade_stop", { id: s.id })
                  .then(reload, (e: unknown) => (status.textContent = messageOf(e)));
              },
            },
            `Stop session ${s.id}`,
          )
        : null,
    ),
    status,
    drift,
    fills,
  );
}

/** "fast=10, slow=30, flag=true" as the API's params object */
function paramsOf(text: string): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const part of text
    .split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "")) {
    const m = /^([A-Za-z][\w-]*)\s*=\s*(\S+)$/.exec(part);
    if (m === null) throw new Error(`parameter "${part}": write name=value`);
    const v = m[2]!;
    out[m[1]!] = v === "true" ? true : v === "false" ? false : Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

function startForm(
  ctx: ViewContext,
  strategies: StrategyInfo[],
  series: SeriesSummary[],
  reload: () => void,
) {
  const { api } = ctx;
  const strat = h(
    "select",
    { id: "ts-strategy" },
    ...strategies
      .filter((s) => s.kind === "single" && !s.optIn)
      .map((s) => h("option", { value: s.name }, s.name)),
  );
  const ser = h(
    "select",
    { id: "ts-series" },
    ...series.map((s) =>
      h(
        "option",
        { value: JSON.stringify([s.exchange, s.symbol, s.timeframe]) },
        `${s.exchange} ${s.symbol} ${s.timeframe}`,
      ),
    ),
  );
  const capital = h("input", { id: "ts-capital", type: "number", min: 1, step: "any", value: "900" });
  const params = h("input", {
    id: "ts-params",
    type: "text",
    placeholder: "e.g. fast=10, slow=30",
    "aria-describedby": "ts-params-help",
  });
  const venue = h(
    "select",
    { id: "ts-venue" },
    h("option", { value: "paper" }, "Paper: the in-process simulated venue, replaying stored bars"),
    h("option", { value: "live" }, "An exchange's API in live mode (e.g. kairos sim on 127.0.0.1)"),
  );
  const confirm = h("input", { id: "ts-confirm", type: "text", autocomplete: "off" });
  const apiBase = h("input", { id: "ts-api-base", type: "url", placeholder: "http://127.0.0.1:8765" });
  const liveBox = h(
    "div",
    { class: "fields", id: "ts-live" },
    field("ts-confirm", "The exchange's name typed again (live orders)", confirm),
    field("ts-api-base", "API origin (blank: the exchange's own)", apiBase),
  );
  liveBox.hidden = true;
  venue.addEventListener("change", () => {
    liveBox.hidden = venue.value !== "live";
    go.textContent = venue.value === "live" ? "Start live session" : "Start paper session";
  });
  const from = h("input", { id: "ts-from", type: "date" });
  const status = h("p", { class: "status", role: "status", id: "ts-status" });
  const go = h("button", { type: "submit", class: "primary", id: "ts-start" }, "Start paper session");
  return h(
    "form",
    {
      class: "card",
      "aria-label": "Start a trading session",
      onsubmit: (e: Event) => {
        e.preventDefault();
        const [exchange, symbol, timeframe] = JSON.parse(ser.value) as [string, string, string];
        let parsed: Record<string, number | boolean | string>;
        try {
          parsed = paramsOf(params.value);
        } catch (err) {
          status.textContent = `Not started: ${messageOf(err)}`;
          return;
        }
        const live = venue.value === "live";
        // a live session runs until stopped: its id is chosen here so the page can name it at once
        const id = live
          ? `w${Array.from(crypto.getRandomValues(new Uint8Array(7)), (b) => (b % 36).toString(36)).join("")}`
          : undefined;
        go.disabled = true;
        const ac = new AbortController();
        ctx.onLeave(() => ac.abort());
        let shown = false;
        runJob<{ sessionId: string; state: string; barsActed: number; limitsCreated?: string }>(
          api,
          "trade_start",
          {
            strategy: strat.value,
            params: parsed,
            exchange,
            symbols: [symbol],
            timeframe,
            capital: Number(capital.value),
            ...(from.value === "" || live ? {} : { from: from.value }),
            ...(live
              ? {
                  id,
                  live: true,
                  confirmLive: confirm.value,
                  ...(apiBase.value === "" ? {} : { apiBase: apiBase.value }),
                }
              : {}),
          },
          (j) => {
            status.textContent = live
              ? `Session ${id} (live on ${apiBase.value || exchange}): ${progressText(j)}`
              : progressText(j);
            // the first bar a live session acted on: show its card (the job goes on until it is stopped)
            if (live && !shown && j.state === "running" && j.progress !== null) {
              shown = true;
              reload();
            }
          },
          ac.signal,
        )
          .then((r) => {
            status.textContent = `Session ${r.sessionId}: ${r.state}, acted on ${num(r.barsActed)} bars${r.limitsCreated === undefined ? "" : "; the default risk limits were written"}.`;
            reload();
          })
          .catch((err: unknown) => (status.textContent = `Not started: ${messageOf(err)}`))
          .finally(() => {
            go.disabled = false;
          });
      },
    },
    h("h2", {}, "Start a trading session"),
    h(
      "p",
      { class: "note" },
      "Paper replays the stored bars from the start date through the paper broker, with the risk gate. Live mode trades on an exchange's API with the keys in the server's environment (KAIROS_<EXCHANGE>_API_KEY and _SECRET), behind the same gate, until stopped or killed: point it at kairos sim to practise.",
    ),
    h(
      "div",
      { class: "fields" },
      field("ts-strategy", "Strategy", strat),
      field("ts-series", "Series", ser),
      field("ts-capital", "Capital", capital),
      field("ts-from", "Replay from (UTC, paper)", from),
      field("ts-venue", "Venue", venue),
    ),
    h(
      "div",
      { class: "field" },
      h("label", { for: "ts-params" }, "Parameters (blank: the defaults)"),
      params,
      h("small", { id: "ts-params-help" }, "name=value pairs separated by commas, as on the command line"),
    ),
    liveBox,
    go,
    status,
  );
}

function riskEditor(api: Api, risk: RiskShow, reload: () => void): HTMLElement {
  const keys = Object.keys(risk.limits).filter(
    (k) => !["version", "revision", "updatedAt", "updatedBy", "perSymbol"].includes(k),
  );
  const key = h("select", { id: "risk-key" }, ...keys.map((k) => h("option", { value: k }, k)));
  const value = h("input", { id: "risk-value", type: "text", required: true });
  const by = h("input", { id: "risk-by", type: "text", required: true, maxlength: 64 });
  const pw = h("input", {
    id: "risk-password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const status = h("p", { class: "status", role: "status", id: "risk-status" });
  const fill = (): void => {
    const v = risk.limits[key.value];
    value.value = Array.isArray(v) ? v.join(",") : String(v);
  };
  key.addEventListener("change", fill);
  fill();
  return h(
    "form",
    {
      "aria-label": "Change a risk limit",
      onsubmit: (e: Event) => {
        e.preventDefault();
        status.textContent = "Checking the password…";
        // the password typed again proves the person at this screen: the API checks it with the
        // change itself (a session token alone cannot change a limit), and it is not kept here
        const password = pw.value;
        pw.value = "";
        api
          .op("risk_set", { key: key.value, value: value.value, by: by.value, password })
          .then(() => {
            status.textContent = `${key.value} changed.`;
            reload();
          })
          .catch((err: unknown) => {
            status.textContent = `Not changed: ${messageOf(err)}`;
          });
      },
    },
    h("h3", {}, "Change a limit"),
    h(
      "div",
      { class: "fields" },
      field("risk-key", "Limit", key),
      field("risk-value", "New value", value),
      field("risk-by", "Your name (recorded)", by),
      field("risk-password", "Password again", pw),
    ),
    h("button", { type: "submit", id: "risk-save" }, "Change limit"),
    status,
  );
}

function resumeForm(api: Api, state: string, reload: () => void): HTMLElement {
  const by = h("input", { id: "resume-by", type: "text", required: true, maxlength: 64 });
  const reason = h("input", {
    id: "resume-reason",
    type: "text",
    required: true,
    minlength: 3,
    maxlength: 500,
  });
  const pw = h("input", {
    id: "resume-password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const to = h(
    "select",
    { id: "resume-state" },
    h("option", { value: "active" }, "ACTIVE"),
    h("option", { value: "reducing" }, "REDUCING (only orders that shrink positions)"),
  );
  const status = h("p", { class: "status", role: "status" });
  return h(
    "form",
    {
      class: "card",
      "aria-label": "Resume trading",
      onsubmit: (e: Event) => {
        e.preventDefault();
        // the password again, checked by the API with the resume itself
        const password = pw.value;
        pw.value = "";
        api
          .op("risk_resume", { by: by.value, reason: reason.value, state: to.value, password })
          .then(reload, (err: unknown) => (status.textContent = messageOf(err)));
      },
    },
    h("h2", {}, `Trading is ${state.toUpperCase()}`),
    h(
      "p",
      {},
      "Only a person clears the latch, with a name and a reason that go into the record, and the password typed again.",
    ),
    h(
      "div",
      { class: "fields" },
      field("resume-by", "Your name", by),
      field("resume-reason", "Reason", reason),
      field("resume-state", "Resume to", to),
      field("resume-password", "Password again", pw),
    ),
    h("button", { type: "submit", id: "resume-go" }, "Resume"),
    status,
  );
}

const feeds = new WeakMap<ViewContext, { feed: HTMLElement; feedState: HTMLElement }>();

export const tradingView: View = async (ctx) => {
  const { api, main } = ctx;
  const reload = (): void => {
    window.dispatchEvent(new Event("kairos-killed"));
    void tradingView(ctx).catch((e: unknown) => main.append(h("p", { class: "status error" }, messageOf(e))));
  };
  const [sessions, risk, strategies, list, state] = await Promise.all([
    api.op<SessionEntry[]>("trade_list", SESSIONS_PAGE),
    api.op<RiskShow>("risk_show"),
    api.op<StrategyInfo[]>("strategies_list"),
    api.op<{ series: SeriesSummary[] }>("data_list"),
    api.has("risk_state") ? api.op<{ state: string }>("risk_state") : Promise.resolve(undefined),
  ]);
  const cards: HTMLElement[] = [];
  for (const s of [...sessions].reverse()) {
    try {
      cards.push(sessionCard(api, await api.op<SessionStatus>("trade_status", { id: s.id }), reload));
    } catch (e) {
      cards.push(h("p", { class: "status error" }, `Session ${s.id}: ${messageOf(e)}`));
    }
  }
  const limits = Object.entries(risk.limits).filter(([k]) => !["version", "perSymbol"].includes(k));
  // one live feed per visit: a re-render (after start, stop, resume) keeps it and what it has heard
  let live = feeds.get(ctx);
  if (live === undefined) {
    const feed = h("ol", { class: "alerts", id: "order-feed", reversed: true, "aria-live": "polite" });
    const feedState = h("p", { class: "note" }, "Connecting to the orders and signals streams…");
    const line = (e: StreamEvent): HTMLElement => {
      const d = (e.data ?? {}) as Record<string, unknown>;
      const bits = ["sessionId", "symbol", "side", "qty", "price", "state", "explanation"]
        .filter((k) => d[k] !== undefined && d[k] !== null)
        .map((k) => `${k} ${typeof d[k] === "object" ? JSON.stringify(d[k]) : String(d[k])}`);
      return h(
        "li",
        {},
        h("time", {}, new Date(e.ts).toISOString()),
        ` ${e.channel} ${e.type}: ${bits.join(", ")}`,
      );
    };
    ctx.onLeave(
      subscribe(
        api,
        ["orders", "signals"],
        (events) => {
          for (const e of events) feed.prepend(line(e));
          while (feed.children.length > 100) feed.lastElementChild?.remove();
        },
        (st) => {
          feedState.textContent =
            st === "open"
              ? "Live: decisions, order intents, venue events and fills of every session as they happen (no history)."
              : `The streams are ${st}.`;
        },
      ),
    );
    live = { feed, feedState };
    feeds.set(ctx, live);
  }
  replace(
    main,
    h("h1", {}, "Trading"),
    state !== undefined && state.state !== "active" && api.has("risk_resume")
      ? resumeForm(api, state.state, reload)
      : null,
    api.has("trade_start")
      ? startForm(ctx, strategies, list.series, reload)
      : notYet("Starting a session here", "a trade start route"),
    sessions.length === 0
      ? card("Sessions", h("p", {}, "No trading sessions in this home yet."))
      : h("div", { id: "sessions" }, ...cards),
    sessions.length > 0 && api.has("trade_fills") && api.has("backtest_run")
      ? tradeChartCard(ctx, sessions)
      : null,
    card("Orders, fills and signals as they happen", live.feedState, live.feed),
    card(
      "Approval queue",
      api.has("approvals_list") && api.has("approvals_approve")
        ? await approvalQueue(api)
        : notYet("Approve or reject proposals", "the approvals routes", "kairos approvals list"),
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
      api.has("risk_set")
        ? riskEditor(api, risk, reload)
        : notYet("Editing limits", "a risk set route", "kairos risk set KEY VALUE --by NAME"),
    ),
  );
};
