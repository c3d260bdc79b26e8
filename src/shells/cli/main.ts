import { type Command, CommanderError } from "commander";
import { checkHome, commandOfArgv, commandPath, flagFor } from "./options.ts";
import { buildProgram } from "./program.ts";
import { renderError } from "./render-error.ts";

let pipeGuarded = false;

/**
 * A reader that closes the pipe early (`kairos data export ... | head -1`) ends the output, not
 * the program with a stack trace: EPIPE on stdout exits quietly with 0
 */
function guardPipe(): void {
  if (pipeGuarded) return;
  pipeGuarded = true;
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
}

/** Runs the CLI with argv and returns the exit code; never throws */
export async function runCli(argv: readonly string[]): Promise<number> {
  guardPipe();
  const debug = argv.includes("--debug");
  const json = argv.includes("--json");
  const program = buildProgram();
  let active: Command | undefined;
  program.hook("preAction", (_root, action) => {
    active = action;
    // an explicit --home (or $KAIROS_HOME) must be a folder kairos can write, checked before any work
    const home = action.optsWithGlobals().home as string | undefined;
    const explicit = home ?? (process.env.KAIROS_HOME || undefined);
    if (explicit !== undefined) checkHome(explicit);
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return 0;
  } catch (err) {
    // --help and --version end through commander's exit override; help for a bare group is exit 2
    if (err instanceof CommanderError && (err.exitCode === 0 || err.code === "commander.help"))
      return err.exitCode === 0 ? 0 : 2;
    const cmd = active ?? commandOfArgv(program, argv);
    const { text, exitCode } = renderError(err, {
      debug,
      json,
      command: commandPath(cmd),
      flagFor: (field) => flagFor(cmd, field),
    });
    process.stderr.write(`${text}\n`);
    return exitCode;
  }
}
