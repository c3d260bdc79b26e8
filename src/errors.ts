/** Every error kairos raises on purpose. Foreign errors are translated once, in the adapter. */
export const ERROR_CODES = [
  "INVALID_INPUT",
  "DATA_GAP",
  "NOT_FOUND",
  "CONFLICT",
  "RATE_LIMITED",
  "EXCHANGE_UNAVAILABLE",
  "EXCHANGE_ERROR",
  "ORDER_REJECTED",
  "RISK_REJECTED",
  "HALTED",
  "AUTH_FAILED",
  "FORBIDDEN",
  "STRATEGY_FAILED",
  "CANCELLED",
  "INTERNAL",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AppErrorOptions {
  retryable?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** An error with a stable code; the message is one line that says what, where and how to fix it */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.retryable = options.retryable ?? (code === "RATE_LIMITED" || code === "EXCHANGE_UNAVAILABLE");
    this.details = options.details ?? {};
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

/** Shorthand for the most common user error */
export const invalidInput = (message: string, details?: Record<string, unknown>): AppError =>
  new AppError("INVALID_INPUT", message, details === undefined ? {} : { details });

/**
 * The one table of transports: every code's CLI exit code, HTTP status and MCP (JSON-RPC) error
 * code. Shells read it; nothing else maps codes. MCP codes: -32602 invalid params, -32002 resource
 * not found (MCP spec), -32603 internal, -32000..-32099 kairos-defined server errors.
 */
export const ERROR_TABLE: Readonly<Record<ErrorCode, { exit: number; http: number; mcp: number }>> = {
  INVALID_INPUT: { exit: 2, http: 400, mcp: -32602 },
  DATA_GAP: { exit: 3, http: 422, mcp: -32001 },
  NOT_FOUND: { exit: 4, http: 404, mcp: -32002 },
  CONFLICT: { exit: 5, http: 409, mcp: -32003 },
  RATE_LIMITED: { exit: 6, http: 429, mcp: -32004 },
  EXCHANGE_UNAVAILABLE: { exit: 6, http: 503, mcp: -32005 },
  EXCHANGE_ERROR: { exit: 7, http: 502, mcp: -32006 },
  ORDER_REJECTED: { exit: 8, http: 422, mcp: -32007 },
  RISK_REJECTED: { exit: 8, http: 422, mcp: -32008 },
  HALTED: { exit: 9, http: 423, mcp: -32009 },
  AUTH_FAILED: { exit: 10, http: 401, mcp: -32010 },
  /** authenticated, but this credential kind may not do it (an agent token on a person-only route) */
  FORBIDDEN: { exit: 10, http: 403, mcp: -32013 },
  STRATEGY_FAILED: { exit: 11, http: 422, mcp: -32011 },
  CANCELLED: { exit: 130, http: 499, mcp: -32012 },
  INTERNAL: { exit: 1, http: 500, mcp: -32603 },
};

/** Exit codes per error code, used by the CLI (a view of ERROR_TABLE) */
export const EXIT_CODES: Record<ErrorCode, number> = Object.fromEntries(
  ERROR_CODES.map((c) => [c, ERROR_TABLE[c].exit]),
) as Record<ErrorCode, number>;

/**
 * A bad field of a use case's input: `field` is its path in the input ("from", "params.fast"),
 * `problem` what is wrong (it follows the field's name: `"2024-02-30" is not a real date`), `allowed`
 * the accepted range or form. Another field may be named in braces (`must be after {from}`). The
 * message names fields by their paths; a shell that knows them under other names (CLI flags)
 * rebuilds it from the details.
 */
export function invalidField(field: string, problem: string, allowed?: string): AppError {
  const tail = allowed === undefined ? "" : `; allowed: ${fillFields(allowed)}`;
  return new AppError("INVALID_INPUT", `${field} ${fillFields(problem)}${tail}`, {
    details: { field, problem, ...(allowed === undefined ? {} : { allowed }) },
  });
}

/** Replaces `{field.path}` placeholders by `name(path)` (by default the path itself) */
export const fillFields = (text: string, name: (path: string) => string = (p) => p): string =>
  text.replace(/\{([A-Za-z][\w.]*)\}/g, (_, p: string) => name(p));
