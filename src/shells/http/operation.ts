/**
 * What an operation of the table (operations.ts) is: one use case the API and MCP faces expose,
 * with its zod contract (the same schema the CLI parses into), who may call it, and how it runs on
 * a container; and the helpers the area files (operations-*.ts) share.
 *
 * Access: `read` (a person or an agent; also an MCP tool), `compute` (a person or an agent over
 * HTTP: research work that stores results but moves no money; not offered to MCP agents),
 * `person` (a person's session only: approve, kill, resume, limits, live trading, imports, tokens).
 * `job: true`: the call answers 202 with a job at once; progress, cancel and the stored result
 * are under /v1/jobs (and the `jobs` WebSocket channel).
 */
import type { z } from "zod";
import type { CallerIdentity } from "../../app/approval-service.ts";
import type { Principal } from "../../app/auth-service.ts";
import type { JobContext, JobService } from "../../app/job-service.ts";
import type { Container } from "../../composition-root.ts";
import { AppError } from "../../errors.ts";

/** read: a person or an agent (and an MCP tool); compute: both kinds over HTTP; person: a person only */
export type Access = "read" | "compute" | "person";

/** What a call runs with: the home's container, who is calling, the server's jobs */
export interface OpContext {
  c: Container;
  principal: Principal;
  jobs: JobService;
}

export interface Operation {
  /** operationId in /openapi.json and the MCP tool name */
  id: string;
  method: "get" | "post";
  path: string;
  summary: string;
  access: Access;
  /** the use case's contract; undefined: no input */
  input?: z.ZodType;
  /** runs as a job: the reply is the job (202); `run` gets the job's progress and abort signal */
  job?: boolean;
  /**
   * The reply may be reused while what it derives from is unchanged: `static` (the code's own
   * tables), `candles` (no candle or funding write since: the home's data revision)
   */
  cache?: "static" | "candles";
  /**
   * A list answered a page at a time over HTTP: `?limit=` (default PAGE_DEFAULT, at most PAGE_MAX)
   * and `?offset=` in the query, the whole count in the `X-Total-Count` header and the neighbouring
   * pages in `Link`; the order is the use case's (the CLI's `--json` prints the whole list)
   */
  page?: boolean;
  /**
   * A paged list that reads only the asked page and counts the whole (a store that grows for the
   * life of a home); without it the page is cut from `run`'s whole list
   */
  runPage?: (x: OpContext, page: { limit: number; offset: number }) => { items: unknown[]; total: number };
  /**
   * Answered at once but computed on a job thread (the reply waits for it; the server's event loop
   * does not): CPU work of many milliseconds, such as a backtest over every stored 1h bar
   */
  offload?: boolean;
  /** extra door beyond `access`, given the validated input (e.g. live sessions need a person) */
  guard?: (x: OpContext, raw: unknown) => void;
  run(x: OpContext, raw: unknown, job?: JobContext): unknown | Promise<unknown>;
}

/**
 * The caller as the approval use cases record it: the token's id (never the token) and kind, and
 * the face it came through. An MCP call is always an agent's, whatever token carried it.
 */
export const callerOf = (p: Principal, channel: "http" | "mcp"): CallerIdentity => ({
  kind: channel === "mcp" ? "agent" : p.kind,
  channel,
  credentialId: p.tokenId,
  name: p.name,
});

export const personOnly = (what: string): AppError =>
  new AppError("FORBIDDEN", `${what} needs a person's session; agent tokens may only read and propose`);

/** Progress as the use cases that report prose (model evaluate, claims) give it: a note per line */
export const notes = (j: JobContext | undefined, task: string) => (message: string) =>
  j?.onProgress({ kind: "note", task, message });
