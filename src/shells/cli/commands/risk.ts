import type { Command } from "commander";
import { type RiskShow, setRisk, showRisk } from "../../../app/risk-limits.ts";
import { readTradingState, resumeTradingState } from "../../../app/risk-trading-state.ts";
import { type CliGlobals, globalsOf, printInfo, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";

function render(r: RiskShow, g: CliGlobals): void {
  if (g.json) {
    printJson(r);
    return;
  }
  if (!r.written)
    printInfo(
      `warning: ${r.problem}; every order is refused until then (below: the defaults it would start from)`,
    );
  printLine(`risk limits ${r.path}${r.hash === undefined ? "" : `  sha256 ${r.hash.slice(0, 16)}`}`);
  printLine(`revision ${r.limits.revision}, by ${r.limits.updatedBy} at ${r.limits.updatedAt}`);
  for (const [k, v] of Object.entries(r.limits)) {
    if (["version", "revision", "updatedAt", "updatedBy", "perSymbol"].includes(k)) continue;
    printLine(`  ${k.padEnd(30)} ${Array.isArray(v) ? v.join(",") : String(v)}`);
  }
  for (const [sym, per] of Object.entries(r.limits.perSymbol))
    for (const [k, v] of Object.entries(per)) printLine(`  perSymbol.${sym}.${k}`.padEnd(33) + String(v));
}

/** `kairos risk show|set`: the pre-trade limits every order is judged by */
export function registerRiskCommand(program: Command): void {
  const risk = program
    .command("risk")
    .description("pre-trade risk limits: every order passes them before it is stored");
  risk
    .command("show")
    .description("print the limits in force, their revision and hash")
    .action((_o: unknown, cmd: Command) => {
      const g = globalsOf(cmd);
      render(showRisk({ home: g.home, now: Date.now }, {}), g);
    });
  risk
    .command("set")
    .description("change one limit (recorded with your name); e.g. `risk set maxOrderValue 500 --by alice`")
    .argument(
      "<key>",
      "a limit (see `risk show`), allowlist (comma-separated symbols) or perSymbol.SYMBOL.KEY",
    )
    .argument("<value>", "the new value")
    .requiredOption("--by <name>", "who changes it (recorded)")
    .action((key: string, value: string, o: { by: string }, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        // the change goes into the chained audit log too (limits.change with the new file's text)
        const r = setRisk({ home: g.home, now: Date.now, audit: c.audit() }, { key, value, by: o.by });
        if (!g.json) printInfo(`${key} = ${value} (revision ${r.limits.revision}, by ${o.by})`);
        render(r, g);
      }),
    );
  risk
    .command("state")
    .description("the account's trading state (active, reducing, halted) and who changed it")
    .action((_o: unknown, cmd: Command) => {
      const g = globalsOf(cmd);
      const r = readTradingState(g.home);
      if (g.json)
        printJson({
          state: r.state,
          ...(r.problem === undefined ? {} : { problem: r.problem }),
          history: r.file?.history ?? [],
        });
      else {
        printLine(`trading state: ${r.state}${r.problem === undefined ? "" : ` (${r.problem})`}`);
        for (const h of r.file?.history.slice(-10) ?? [])
          printLine(`  ${h.at}  ${h.state.padEnd(9)} by ${h.by}: ${h.reason}`);
      }
    });
  addResumeLatch(
    risk
      .command("resume")
      .description(
        "a person clears HALTED (a throttle or kill latch) or sets REDUCING; recorded with name and reason (same as `trade resume --by --reason`)",
      ),
  );
}

/** The options of a person's resume (`risk resume`, `trade resume --by --reason`) */
export function addResumeLatch(cmd: Command): Command {
  return cmd
    .requiredOption("--by <name>", "who resumes (recorded)")
    .requiredOption("--reason <text>", "why it is safe to trade again (recorded)")
    .option("--reducing", "resume in REDUCING: only orders that reduce exposure pass")
    .action((o: ResumeOpts, c: Command) => resumeLatch(c, o));
}

export interface ResumeOpts {
  by: string;
  reason: string;
  reducing?: boolean;
}

/**
 * Clears the account's latch (kill switch, throttle) as the named person: recorded in the trading
 * state's history and the audit log; sessions the latch halted become active again and running
 * gates start their throttle window afresh
 */
export function resumeLatch(cmd: Command, o: ResumeOpts): Promise<void> {
  return withContainer(cmd, (c, g) => {
    const t = c.trading();
    const f = resumeTradingState(
      { home: g.home, now: Date.now, audit: c.audit(), orders: t.orders },
      { by: o.by, reason: o.reason, state: o.reducing === true ? "reducing" : "active" },
    );
    if (g.json) printJson(f);
    else {
      printLine(`trading state: ${f.state} (by ${o.by}: ${o.reason})`);
      if (f.sessionsResumed.length > 0) printLine(`sessions active again: ${f.sessionsResumed.join(", ")}`);
    }
  });
}
