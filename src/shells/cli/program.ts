import { Command } from "commander";

/** Builds the whole CLI; each command group lives in commands/ and registers itself here */
export function buildProgram(): Command {
  const program = new Command("kairos")
    .description("Self-hosted AI strategist for crypto markets")
    .version("0.1.0")
    .option("--home <dir>", "kairos home folder (default ~/.kairos, or $KAIROS_HOME)")
    .option("--json", "machine-readable JSON on stdout")
    .option("--debug", "show the cause chain of errors")
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  program.exitOverride();
  return program;
}
