// Brief: the market brief (sector shock first, movers, trend, volatility, correlation, signals), each
// line citing the series, bar and value it rests on
import type { Api } from "../api.ts";
import { card, field, h, messageOf, notYet, replace } from "../dom.ts";
import type { SeriesSummary } from "../types.ts";
import type { View } from "../view.ts";

export interface BriefLine {
  kind: string;
  params: Record<string, string | number>;
  cites: { series: string; barTime: number; value: number; what: string }[];
}

/** `kairos ask --json`'s answer */
export interface AskOutput {
  answer: string;
  lang: "en" | "de";
  by: "router" | "model";
  answered: boolean;
  reason?: string;
}

export interface BriefOutput {
  brief: { asOf: number; timeframe: string; lines: BriefLine[] };
  text: string[];
  explanations?: unknown[];
  previousAsOf?: number;
}

/** The brief over the stored symbols of one timeframe, without storing it as the next reference */
export async function readBrief(
  api: Api,
  timeframe: string,
  symbols: string[],
  lang = "en",
): Promise<BriefOutput> {
  const r = await api.op<
    | BriefOutput
    | { asOf: number; timeframe: string; lines: BriefLine[]; text: string[]; explanations?: unknown[] }
  >("brief", { timeframe, symbols, lang, save: false, signals: true });
  // the API answers as `kairos brief --json` does: the brief's fields at the top (older servers nested them)
  if ("brief" in r) return r;
  return {
    brief: { asOf: r.asOf, timeframe: r.timeframe, lines: r.lines },
    text: r.text,
    ...(r.explanations === undefined ? {} : { explanations: r.explanations }),
  };
}

/** Timeframes with the most stored symbols first */
export function briefTimeframes(series: SeriesSummary[]): { timeframe: string; symbols: string[] }[] {
  const by = new Map<string, Set<string>>();
  for (const s of series) by.set(s.timeframe, (by.get(s.timeframe) ?? new Set()).add(s.symbol));
  return [...by]
    .map(([timeframe, set]) => ({ timeframe, symbols: [...set].sort() }))
    .sort((a, b) => b.symbols.length - a.symbols.length);
}

export const briefView: View = async ({ api, main }) => {
  if (!api.has("brief")) {
    replace(
      main,
      h("h1", {}, "Brief"),
      card("Market brief", notYet("The market brief", "a brief route", "kairos brief")),
    );
    return;
  }
  const list = await api.op<{ series: SeriesSummary[] }>("data_list");
  const tfs = briefTimeframes(list.series);
  if (tfs.length === 0) {
    replace(main, h("h1", {}, "Brief"), h("p", {}, "No stored series to brief on."));
    return;
  }
  const tf = h(
    "select",
    { id: "brief-tf" },
    ...tfs.map((t) => h("option", { value: t.timeframe }, `${t.timeframe} (${t.symbols.length} symbols)`)),
  );
  const lang = h(
    "select",
    { id: "brief-lang" },
    h("option", { value: "en" }, "English"),
    h("option", { value: "de" }, "Deutsch"),
  );
  const out = h("div", { id: "brief-out", "aria-live": "polite" });
  const show = async (): Promise<void> => {
    const t = tfs.find((x) => x.timeframe === tf.value)!;
    replace(out, "Reading the stored bars…");
    try {
      const b = await readBrief(api, t.timeframe, t.symbols, lang.value);
      replace(
        out,
        h(
          "p",
          { class: "note" },
          `As of ${new Date(b.brief.asOf).toISOString().slice(0, 16).replace("T", " ")} UTC (the newest stored ${t.timeframe} bar), over ${t.symbols.join(", ")}.`,
        ),
        h(
          "ol",
          { class: "brief-lines", lang: lang.value },
          ...b.text.map((line, i) =>
            h(
              "li",
              {
                title: (b.brief.lines[i]?.cites ?? [])
                  .map((c) => `${c.series} ${c.what} ${c.value}`)
                  .join("; "),
              },
              line,
            ),
          ),
        ),
      );
    } catch (e) {
      replace(out, h("p", { class: "status error" }, messageOf(e)));
    }
  };
  tf.addEventListener("change", () => void show());
  lang.addEventListener("change", () => void show());
  replace(
    main,
    h("h1", {}, "Brief"),
    h("div", { class: "toolbar" }, field("brief-tf", "Timeframe", tf), field("brief-lang", "Language", lang)),
    card("Market brief", out),
    askPanel(api, () => tf.value),
  );
  await show();
};

/**
 * Ask: `kairos ask` through POST /v1/ask on the brief's timeframe. The answer is kairos's own
 * numbers (the built-in router, or a model with read tools only whose numbers the API checked);
 * nothing here can propose or place an order.
 */
function askPanel(api: Api, timeframe: () => string): HTMLElement {
  if (!api.has("ask"))
    return card("Ask", notYet("Questions", "the ask route", 'kairos ask "what matters today?"'));
  const q = h("input", {
    id: "ask-q",
    name: "question",
    type: "text",
    maxlength: 2000,
    required: true,
    autocomplete: "off",
    placeholder: "what matters today?",
  });
  const out = h("div", { id: "ask-out", "aria-live": "polite" });
  const button = h("button", { type: "submit" }, "Ask");
  const form = h(
    "form",
    { class: "toolbar", "aria-label": "Ask a market question" },
    field("ask-q", "Question", q),
    button,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const question = q.value.trim();
    if (question === "") {
      replace(out, h("p", { class: "status error" }, "Type a question first."));
      q.focus();
      return;
    }
    button.disabled = true;
    replace(out, h("p", { class: "note" }, "Asking…"));
    void api
      .op<AskOutput>("ask", { question, timeframe: timeframe() })
      .then((r) =>
        replace(
          out,
          h(
            "div",
            { id: "ask-answer", lang: r.lang, class: r.answered ? undefined : "status error" },
            ...r.answer.split("\n").map((line) => h("p", {}, line)),
          ),
          h(
            "p",
            { class: "note" },
            r.by === "model"
              ? "Answered by the configured model from kairos's read tools; every number was checked against them."
              : "Answered by kairos's built-in router from the brief (no model configured).",
          ),
        ),
      )
      .catch((err: unknown) => replace(out, h("p", { class: "status error" }, messageOf(err))))
      .finally(() => {
        button.disabled = false;
      });
  });
  return card(
    "Ask",
    h(
      "p",
      { class: "note" },
      'Questions like "what matters today?", "how did ETH do against BTC this week?" or "why is the ensemble long BTC?", in English or German. Answers only; nothing here can place an order.',
    ),
    form,
    out,
  );
}
