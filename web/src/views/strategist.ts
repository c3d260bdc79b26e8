// The strategist's answer: the ensemble's signals with explanations and out-of-sample hit rates next
// to baselines. The API has no signals route yet; the model registry it does have is shown.
import { card, h, notYet, replace, table } from "../dom.ts";
import type { ModelEntry } from "../types.ts";
import type { View } from "../view.ts";

const cell = (v: unknown): string =>
  v === undefined || v === null ? "–" : typeof v === "object" ? JSON.stringify(v) : String(v);

export const strategistView: View = async ({ api, main }) => {
  const models = await api.op<ModelEntry[]>("models_list");
  const keys = [...new Set(models.flatMap((m) => Object.keys(m)))]
    .filter((k) => typeof models[0]?.[k] !== "object")
    .slice(0, 7);
  replace(
    main,
    h("h1", {}, "The strategist's answer"),
    card(
      "Signals",
      notYet(
        "Current signals with explanations, what would change them, regime and risk",
        "a signals route (the ensemble's answer)",
        "kairos strategist",
      ),
    ),
    card(
      "How often each kind of signal was right out of sample",
      notYet("Out-of-sample hit rates next to their baselines", "a claims route", "kairos model claims"),
    ),
    card(
      "Models in the registry",
      models.length === 0
        ? h("p", {}, "No trained models yet: ", h("code", {}, "kairos model train …"))
        : table(
            "Models",
            keys,
            models.map((m) => keys.map((k) => cell(m[k]))),
          ),
    ),
  );
};
