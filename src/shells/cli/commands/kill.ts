import type { Command } from "commander";
import { kill } from "../../../app/kill.ts";
import { globalsOf, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";

/** `kairos kill [--flatten] [--json]`: halt everything, cancel every open order, optionally flatten */
export function registerKillCommand(program: Command): void {
  program
    .command("kill")
    .description("kill switch: latch HALTED, cancel every open order on every venue, optionally flatten")
    .option("--flatten", "also close every position with reduce-only market orders")
    .option("--by <name>", "who pulls the switch (recorded)")
    .option(
      "--key-file <path>",
      "live sessions: a mode-0600 key file (else KAIROS_<EXCHANGE>_API_KEY/_SECRET)",
    )
    .option("--api-base <url>", "live sessions: the exchange's API origin (a simulated exchange)")
    .action(
      async (o: { flatten?: boolean; by?: string; keyFile?: string; apiBase?: string }, cmd: Command) => {
        const g = globalsOf(cmd);
        await withContainer(cmd, async (c) => {
          const r = await kill(
            { ...c.trading(), home: c.home },
            {
              flatten: o.flatten === true,
              ...(o.by === undefined ? {} : { by: o.by }),
              ...(o.keyFile === undefined ? {} : { keyFile: o.keyFile }),
              ...(o.apiBase === undefined ? {} : { apiBase: o.apiBase }),
            },
          );
          if (r.unreached.length > 0 || r.stillOpen > 0) process.exitCode = 1;
          if (g.json) printJson(r);
          else {
            printLine(`HALTED (latched; clear with \`kairos trade resume --by NAME --reason TEXT\`)`);
            printLine(
              `cancelled ${r.cancelled} order(s) in ${r.sessions.length} session(s); still open ${r.stillOpen}; foreign cancelled ${r.foreignCancelled}`,
            );
            printLine(`cancels sent in ${r.sendMs.toFixed(1)} ms, confirmed in ${r.confirmMs.toFixed(1)} ms`);
            if (o.flatten === true) printLine(`flatten: ${r.flattenOrders} reduce-only market order(s)`);
            for (const p of r.problems) printLine(`problem: ${p}`);
            for (const u of r.unreached)
              printLine(`NOT REACHED: session ${u.session}: ${u.problem} (its orders may still be open)`);
          }
        });
      },
    );
}
