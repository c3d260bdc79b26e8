import { AppError, EXIT_CODES, isAppError } from "../../errors.ts";

/** Turns any error into one clear line (plus the cause chain with --debug) and an exit code */
export function renderError(err: unknown, debug: boolean): { text: string; exitCode: number } {
  const app = isAppError(err)
    ? err
    : new AppError("INTERNAL", `internal error: ${messageOf(err)}`, { cause: err });
  const lines = [`kairos: ${app.message} [${app.code}]`];
  if (debug) {
    let cause: unknown = app;
    while (cause !== undefined && cause !== null) {
      if (cause instanceof Error) {
        lines.push(cause.stack ?? `${cause.name}: ${cause.message}`);
        cause = cause.cause;
      } else {
        lines.push(String(cause));
        cause = undefined;
      }
    }
  } else if (app.code === "INTERNAL") {
    lines.push("run again with --debug for the details");
  }
  return { text: lines.join("\n"), exitCode: EXIT_CODES[app.code] };
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
