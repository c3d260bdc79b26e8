import type { Command } from "commander";
import { parseInput } from "../../../app/contract.ts";
import {
  listStrategies,
  ShowStrategyInput,
  type StrategyInfo,
  showStrategy,
} from "../../../app/list-strategies.ts";
import { globalsOf, printJson, printLine } from "../context.ts";
import { table } from "./data-format.ts";

const formsText = (s: StrategyInfo): string =>
  [s.forms.event ? "event" : "", s.forms.sweep ? "sweep" : "", s.forms.basket ? "basket" : ""]
    .filter((f) => f !== "")
    .join(", ") || "-";

const runsIn = (s: StrategyInfo): string =>
  s.kind === "baseline"
    ? "every report, as the yardstick beside each figure"
    : [
        s.forms.event ? "kairos backtest" : "",
        s.forms.sweep ? "kairos sweep" : "",
        s.forms.screen ? `kairos screen${s.optIn ? " (only when named with --families)" : ""}` : "",
      ]
        .filter((x) => x !== "")
        .join(", ");

const defaultsText = (s: StrategyInfo): string =>
  s.params.map((p) => `${p.name}=${p.default === null ? "?" : String(p.default)}`).join(" ") || "-";

const bound = (v: number | null): string => (v === null ? "-" : String(v));

/** `kairos strategies show NAME` as text */
export function renderStrategy(s: StrategyInfo): string {
  const lines = [
    `${s.name}: ${s.description}`,
    "",
    `kind       ${s.kind === "basket" ? "basket (ranks several symbols at once)" : s.kind === "baseline" ? "baseline" : "single symbol"}${s.optIn ? ", opt-in" : ""}`,
    `forms      ${formsText(s)}`,
    `runs in    ${runsIn(s)}`,
    `warm-up    ${s.warmup} bars with the defaults (bars before its first decision)`,
    `presets    ${s.presets.length === 0 ? "none" : s.presets.join(", ")}`,
  ];
  if (s.params.length > 0) {
    lines.push("", "parameters:");
    lines.push(
      table(
        ["name", "type", "default", "min", "max", "meaning"],
        s.params.map((p) => [
          `--${p.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
          p.type,
          p.default === null ? "-" : String(p.default),
          bound(p.min),
          bound(p.max),
          p.meaning,
        ]),
      )
        .split("\n")
        .map((l) => `  ${l}`)
        .join("\n"),
    );
  }
  const flags = s.params
    .filter((p) => p.type !== "boolean" && p.default !== null)
    .map((p) => `--${p.name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${String(p.default)}`)
    .join(" ");
  // a name with parentheses needs quotes in a shell
  const arg = /[()]/.test(s.name) ? `'${s.name}'` : s.name;
  const swept = s.params.find((p) => p.type === "integer" && typeof p.default === "number" && p.default >= 4);
  const range =
    swept === undefined || typeof swept.default !== "number"
      ? ""
      : ` --param ${swept.name}=${Math.max(swept.min ?? 1, Math.round(swept.default / 2))}..${Math.min(swept.max ?? Number.POSITIVE_INFINITY, swept.default * 2)}:${Math.max(1, Math.round(swept.default / 4))}`;
  lines.push("", "examples:");
  if (s.forms.event)
    lines.push(`  kairos backtest ${arg} --symbol BTC/USDT --timeframe 1h ${flags}`.trimEnd());
  if (s.forms.sweep) lines.push(`  kairos sweep ${arg} --symbol BTC/USDT --timeframe 1h${range}`);
  if (s.forms.screen) lines.push(`  kairos screen --universe ai-tokens --families ${arg}`);
  if (s.kind === "baseline")
    lines.push("  every backtest, sweep and screen report prints it beside its own figures");
  return lines.join("\n");
}

/** `kairos strategies list` and `kairos strategies show NAME`, read from the strategy registry */
export function registerStrategiesCommand(program: Command): void {
  const cmd = program
    .command("strategies")
    .description(
      "the built-in strategy families: parameters with defaults, bounds and meaning, warm-up, forms",
    );
  cmd
    .command("list")
    .description(
      "every strategy family with its forms (event, sweep, basket), warm-up and default parameters",
    )
    .action((_opts: unknown, sub: Command) => {
      const all = listStrategies();
      if (globalsOf(sub).json) return printJson(all);
      printLine(
        table(
          ["family", "kind", "forms", "warm-up", "defaults", "what it does"],
          all.map((s) => [
            s.name,
            `${s.kind === "single" ? "single" : s.kind}${s.optIn ? " (opt-in)" : ""}`,
            formsText(s),
            String(s.warmup),
            defaultsText(s),
            s.description,
          ]),
        ),
      );
      printLine("");
      printLine(
        `${all.length} families; \`kairos strategies show NAME\` for parameters, bounds and meanings`,
      );
    });
  cmd
    .command("show <name>")
    .description("one family: parameters (default, bounds, meaning), warm-up, forms, presets and examples")
    .addHelpText(
      "after",
      "\nExamples:\n  kairos strategies show sma-cross\n  kairos strategies show 'regime-filter(zscore-reversion)' --json",
    )
    .action((name: string, _opts: unknown, sub: Command) => {
      const s = showStrategy(parseInput(ShowStrategyInput, { name }));
      if (globalsOf(sub).json) printJson(s);
      else printLine(renderStrategy(s));
    });
}
