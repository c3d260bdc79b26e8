/**
 * The use cases the API and MCP faces expose, one entry each: its zod contract (the same schema
 * the CLI parses into), who may call it, and how it runs on a container. The HTTP router, the MCP
 * tool list and /openapi.json are all built from this table: it is the authoritative route list.
 *
 * Access: `read` (a person or an agent; also an MCP tool), `compute` (a person or an agent over
 * HTTP: research work that stores results but moves no money; not offered to MCP agents),
 * `person` (a person's session only: approve, kill, resume, limits, live trading, imports, tokens).
 * `job: true`: the call answers 202 with a job at once; progress, cancel and the stored result
 * are under /v1/jobs (and the `jobs` WebSocket channel).
 */
import { CreateAgentTokenInput, RevokeTokenInput } from "../../app/auth-service.ts";
import { parseInput } from "../../app/contract.ts";
import { JobIdInput, JobListInput } from "../../app/job-service.ts";

import type { Operation } from "./operation.ts";
import { briefOperations } from "./operations-brief.ts";
import { DATA_OPERATIONS } from "./operations-data.ts";
import { MODEL_OPERATIONS } from "./operations-models.ts";
import { RESEARCH_OPERATIONS } from "./operations-research.ts";
import { RISK_AUDIT_OPERATIONS } from "./operations-risk-audit.ts";
import { TRADING_OPERATIONS } from "./operations-trading.ts";

export { type Access, callerOf, type OpContext, type Operation } from "./operation.ts";
export { HTTP_MAX_SHOW_ROWS } from "./operations-data.ts";

/** The jobs under /v1/jobs and the API's tokens */
const JOB_AND_AUTH_OPERATIONS: readonly Operation[] = [
  // jobs
  {
    id: "jobs_list",
    method: "get",
    path: "/v1/jobs",
    summary: "the newest 100 jobs with state and progress (results under /v1/jobs/get)",
    access: "read",
    input: JobListInput,
    run: ({ jobs }) => jobs.list(),
  },
  {
    id: "jobs_get",
    method: "post",
    path: "/v1/jobs/get",
    summary: "one job: state, progress and, once done, its stored result",
    access: "read",
    input: JobIdInput,
    run: ({ jobs }, raw) => jobs.get(parseInput(JobIdInput, raw)),
  },
  {
    id: "jobs_cancel",
    method: "post",
    path: "/v1/jobs/cancel",
    summary: "cancels a queued job at once, a running one at its next progress report",
    access: "compute",
    input: JobIdInput,
    run: ({ jobs }, raw) => jobs.cancel(parseInput(JobIdInput, raw)),
  },
  // credentials
  {
    id: "auth_tokens_list",
    method: "get",
    path: "/v1/auth/tokens",
    summary: "API tokens (ids, kinds, names, expiry; never the tokens)",
    access: "person",
    run: ({ c }) => c.auth.listTokens(),
  },
  {
    id: "auth_agent_token_create",
    method: "post",
    path: "/v1/auth/tokens/agent",
    summary: "a new agent token (read and propose only); the token is shown once",
    access: "person",
    input: CreateAgentTokenInput,
    run: ({ c }, raw) => c.auth.createAgentToken(parseInput(CreateAgentTokenInput, raw)),
  },
  {
    id: "auth_token_revoke",
    method: "post",
    path: "/v1/auth/tokens/revoke",
    summary: "revokes a token by id",
    access: "person",
    input: RevokeTokenInput,
    run: ({ c }, raw) => {
      c.auth.revoke(parseInput(RevokeTokenInput, raw));
      return { revoked: (raw as { id: string }).id };
    },
  },
];

/** Every operation, by area (each area's file says what it holds); the order is /openapi.json's and MCP's */
export const OPERATIONS: readonly Operation[] = [
  ...DATA_OPERATIONS,
  ...RESEARCH_OPERATIONS,
  ...MODEL_OPERATIONS,
  ...TRADING_OPERATIONS,
  ...RISK_AUDIT_OPERATIONS,
  ...briefOperations(() => OPERATIONS),
  ...JOB_AND_AUTH_OPERATIONS,
];
