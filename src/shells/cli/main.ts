import { CommanderError } from "commander";
import { buildProgram } from "./program.ts";
import { renderError } from "./render-error.ts";

/** Runs the CLI with argv and returns the exit code; never throws */
export async function runCli(argv: readonly string[]): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    await buildProgram().parseAsync([...argv], { from: "user" });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    const { text, exitCode } = renderError(err, debug);
    process.stderr.write(`${text}\n`);
    return exitCode;
  }
}
