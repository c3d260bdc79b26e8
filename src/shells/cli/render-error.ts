import { CommanderError } from "commander";
import { ZodError } from "zod";
import { issueToError } from "../../app/contract.ts";
import { AppError, EXIT_CODES, fillFields, isAppError } from "../../errors.ts";

/** How an error is shown: the command it came from, --json, --debug */
export interface ErrorContext {
  debug: boolean;
  json: boolean;
  /** "data show": the help line points at `kairos data show --help` */
  command: string;
  /** the flag the user typed for a field path of the use case's input */
  flagFor: (field: string) => string;
}

/**
 * Turns any error into one clear line (plus the cause chain with --debug, plus where the help is
 * for bad input) and an exit code. With --json the line is one JSON object instead:
 * `{"error":{"code":"INVALID_INPUT","message":"...","field":"from"}}`. Every text passes through
 * `safeText`: no raw control character and no credential from a URL ever reaches the terminal.
 */
export function renderError(err: unknown, ctx: ErrorContext): { text: string; exitCode: number } {
  const app = toAppError(err);
  const field = typeof app.details.field === "string" ? app.details.field : undefined;
  const flag =
    field === undefined ? undefined : ((app.details.flag as string | undefined) ?? ctx.flagFor(field));
  const message = safeText(flag === undefined ? app.message : withFlag(app, field!, flag, ctx.flagFor));
  const see = ctx.command === "" ? "kairos --help" : `kairos ${ctx.command} --help`;
  if (ctx.json) {
    const error = { code: app.code, message, ...(field === undefined ? {} : { field }) };
    return { text: JSON.stringify({ error }), exitCode: EXIT_CODES[app.code] };
  }
  // a bad flag or argument points at the help on the same line; a bad file row or a missing series does not
  // (a message written whole, such as a strategy's own parameter check, stands alone)
  const flagError = typeof app.details.problem === "string" || typeof app.details.flag === "string";
  const help = app.code === "INVALID_INPUT" && flagError ? `; see \`${see}\`` : "";
  const lines = [`kairos: ${message} [${app.code}]${help}`];
  if (ctx.debug) {
    let cause: unknown = app;
    while (cause !== undefined && cause !== null) {
      if (cause instanceof Error) {
        lines.push(safeText(cause.stack ?? `${cause.name}: ${cause.message}`, true));
        cause = cause.cause;
      } else {
        lines.push(safeText(String(cause)));
        cause = undefined;
      }
    }
  } else if (app.code === "INTERNAL") {
    lines.push("run again with --debug for the details");
  }
  return { text: lines.join("\n"), exitCode: EXIT_CODES[app.code] };
}

/** The message with field paths replaced by the flags the user typed */
function withFlag(app: AppError, _field: string, flag: string, flagFor: (f: string) => string): string {
  const { problem, template, allowed } = app.details;
  if (typeof template === "string") return fillFields(template, flagFor);
  if (typeof problem !== "string") return app.message;
  const tail = typeof allowed === "string" ? `; allowed: ${fillFields(allowed, flagFor)}` : "";
  return `${flag} ${fillFields(problem, flagFor)}${tail}`;
}

/** Any thrown value as an AppError: commander's parse errors and stray zod errors are bad input */
export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (err instanceof ZodError && err.issues[0] !== undefined) return issueToError(err.issues[0]);
  if (err instanceof CommanderError) return commanderToAppError(err);
  return new AppError("INTERNAL", `internal error: ${err instanceof Error ? err.message : String(err)}`, {
    cause: err,
  });
}

/** "error: unknown option '--stop-los'\n(Did you mean --stop-loss?)" -> one INVALID_INPUT line with the flag */
function commanderToAppError(err: CommanderError): AppError {
  const text = err.message
    .replace(/^error: /, "")
    .replace(/\n\(Did you mean/, " (did you mean")
    .replace(/\s*\n\s*/g, " ")
    .trim();
  const quoted = /'([^']+)'/.exec(text)?.[1];
  const flag = quoted?.split(/[ ,]/).find((x) => x.startsWith("--")) ?? quoted?.split(" ")[0];
  const field = flag?.replace(/^-+/, "").replace(/[<[].*$/, "");
  return new AppError("INVALID_INPUT", text, {
    cause: err,
    details: field === undefined || field === "" ? {} : { field, flag: flag! },
  });
}

// C0 controls, DEL and C1 controls (ESC, CSI, OSC...): never written raw to a terminal
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// scheme://user:pass@host and scheme://token@host: the userinfo is a credential
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi;
// ?apiKey=...&secret=...: query parameters that carry credentials
const SECRET_PARAM = /([?&](?:api[-_]?key|apikey|secret|token|password|passwd|signature|sig|key)=)[^&\s#]+/gi;

/**
 * Text fit for a terminal and a log: credentials in URLs masked, control characters shown as
 * escapes (`\x1b`, `\r`); with `multiline`, newlines (of a stack trace) are kept
 */
export function safeText(s: string, multiline = false): string {
  return s
    .replace(URL_USERINFO, "$1***@")
    .replace(SECRET_PARAM, "$1***")
    .replace(CONTROL, (c) => {
      if (multiline && c === "\n") return c;
      if (c === "\n") return "\\n";
      if (c === "\r") return "\\r";
      if (c === "\t") return "\\t";
      return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
    });
}
