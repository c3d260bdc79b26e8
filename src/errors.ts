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

/** Exit codes per error code, used by the CLI; HTTP and MCP mappings live beside it in shells */
export const EXIT_CODES: Record<ErrorCode, number> = {
  INVALID_INPUT: 2,
  DATA_GAP: 3,
  NOT_FOUND: 4,
  CONFLICT: 5,
  RATE_LIMITED: 6,
  EXCHANGE_UNAVAILABLE: 6,
  EXCHANGE_ERROR: 7,
  ORDER_REJECTED: 8,
  RISK_REJECTED: 8,
  HALTED: 9,
  AUTH_FAILED: 10,
  STRATEGY_FAILED: 11,
  CANCELLED: 130,
  INTERNAL: 1,
};
