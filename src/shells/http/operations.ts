/**
 * The use cases the API and MCP faces expose, one entry each: its zod contract (the same schema
 * the CLI parses into), who may call it, and how it runs on a container. The HTTP router and the
 * MCP tool list are both built from this table, and /openapi.json is generated from it.
 */
import { z } from "zod";
import { CreateAgentTokenInput, RevokeTokenInput } from "../../app/auth-service.ts";
import { ComputeIndicatorInput, computeIndicator, listIndicators } from "../../app/compute-indicator.ts";
import { parseInput } from "../../app/contract.ts";
import { listSeries } from "../../app/list-series.ts";
import { listStrategies, ShowStrategyInput, showStrategy } from "../../app/list-strategies.ts";
import { ShowRiskInput, showRisk } from "../../app/risk-limits.ts";
import { backtestToJson, RunBacktestInput, runBacktest } from "../../app/run-backtest.ts";
import { listModels, showModel } from "../../app/show-model.ts";
import { ShowSeriesInput, showSeries } from "../../app/show-series.ts";
import { listTrading, TradeStatusInput, tradeStatus } from "../../app/trade-control.ts";
import type { Container } from "../../composition-root.ts";
import { invalidField } from "../../errors.ts";

/** read: a person or an agent; person: a person's session only (agents get 403) */
export type Access = "read" | "person";

export interface Operation {
  /** operationId in /openapi.json and the MCP tool name */
  id: string;
  method: "get" | "post";
  path: string;
  summary: string;
  access: Access;
  /** the use case's contract; undefined: no input */
  input?: z.ZodType;
  run(c: Container, raw: unknown): unknown | Promise<unknown>;
}

const Empty = z.object({}).strict();

/** showModel takes a bare id in src/app (no exported contract yet): the shape the CLI's <id> gives it */
const ShowModelInput = z.object({ id: z.string().min(1).max(200) }).strict();

/** Fields only a local shell may set: code to load and figures fetched by the CLI itself */
const SHELL_ONLY_BACKTEST_FIELDS = ["userModule", "marketFees"] as const;

export const OPERATIONS: readonly Operation[] = [
  {
    id: "data_list",
    method: "get",
    path: "/v1/data/series",
    summary: "every stored series with rows, range and gaps (kairos data list)",
    access: "read",
    run: (c) => listSeries({ store: c.store, funding: c.funding }),
  },
  {
    id: "data_show",
    method: "post",
    path: "/v1/data/show",
    summary: "one stored series: range, gaps, first and last candles (kairos data show)",
    access: "read",
    input: ShowSeriesInput,
    run: (c, raw) => showSeries({ store: c.store }, parseInput(ShowSeriesInput, raw)),
  },
  {
    id: "indicators_list",
    method: "get",
    path: "/v1/indicators",
    summary: "the indicator catalogue (kairos indicators list)",
    access: "read",
    run: () => listIndicators(),
  },
  {
    id: "indicators_compute",
    method: "post",
    path: "/v1/indicators/compute",
    summary: "an indicator over a stored series (kairos indicators compute)",
    access: "read",
    input: ComputeIndicatorInput,
    run: (c, raw) => computeIndicator({ store: c.store }, parseInput(ComputeIndicatorInput, raw)),
  },
  {
    id: "strategies_list",
    method: "get",
    path: "/v1/strategies",
    summary: "every strategy family with parameters and forms (kairos strategies list)",
    access: "read",
    run: () => listStrategies(),
  },
  {
    id: "strategies_show",
    method: "post",
    path: "/v1/strategies/show",
    summary: "one strategy family (kairos strategies show)",
    access: "read",
    input: ShowStrategyInput,
    run: (_c, raw) => showStrategy(parseInput(ShowStrategyInput, raw)),
  },
  {
    id: "backtest_run",
    method: "post",
    path: "/v1/backtest",
    summary: "a backtest of a built-in strategy over stored series (kairos backtest --json)",
    access: "read",
    input: RunBacktestInput,
    run: (c, raw) => {
      if (raw !== null && typeof raw === "object")
        for (const f of SHELL_ONLY_BACKTEST_FIELDS)
          if (f in raw) throw invalidField(f, "is not a known field");
      if (raw !== null && typeof raw === "object" && (raw as { fee?: unknown }).fee === "exchange")
        throw invalidField("fee", "exchange is only available from the CLI", "a fraction from 0 to 0.1");
      const input = parseInput(RunBacktestInput, raw);
      return backtestToJson(runBacktest({ store: c.store, funding: c.funding }, input));
    },
  },
  {
    id: "trade_status",
    method: "post",
    path: "/v1/trade/status",
    summary: "state, positions, orders and P&L of a trading session (kairos trade status)",
    access: "read",
    input: TradeStatusInput,
    run: (c, raw) => tradeStatus(c.trading(), parseInput(TradeStatusInput, raw)),
  },
  {
    id: "trade_list",
    method: "get",
    path: "/v1/trade/sessions",
    summary: "every trading session in the home (kairos trade list)",
    access: "read",
    run: (c) => listTrading(c.trading()),
  },
  {
    id: "models_list",
    method: "get",
    path: "/v1/models",
    summary: "the models in the registry, newest first (kairos model list)",
    access: "read",
    run: (c) => listModels({ models: c.models }),
  },
  {
    id: "models_show",
    method: "post",
    path: "/v1/models/show",
    summary: "a model's parameters, data, metrics and feature importance (kairos model show)",
    access: "read",
    input: ShowModelInput,
    run: (c, raw) => showModel(parseInput(ShowModelInput, raw).id, { models: c.models }),
  },
  {
    id: "risk_show",
    method: "get",
    path: "/v1/risk",
    summary: "the pre-trade risk limits in force, their revision and hash (kairos risk show)",
    access: "read",
    run: (c) => showRisk({ home: c.home, now: c.clock.now }, parseInput(ShowRiskInput, {})),
  },
  {
    id: "auth_tokens_list",
    method: "get",
    path: "/v1/auth/tokens",
    summary: "API tokens (ids, kinds, names, expiry; never the tokens)",
    access: "person",
    run: (c) => c.auth.listTokens(),
  },
  {
    id: "auth_agent_token_create",
    method: "post",
    path: "/v1/auth/tokens/agent",
    summary: "a new agent token (read and propose only); the token is shown once",
    access: "person",
    input: CreateAgentTokenInput,
    run: (c, raw) => c.auth.createAgentToken(parseInput(CreateAgentTokenInput, raw)),
  },
  {
    id: "auth_token_revoke",
    method: "post",
    path: "/v1/auth/tokens/revoke",
    summary: "revokes a token by id",
    access: "person",
    input: RevokeTokenInput,
    run: (c, raw) => {
      c.auth.revoke(parseInput(RevokeTokenInput, raw));
      return { revoked: (raw as { id: string }).id };
    },
  },
];

export const emptyInput = Empty;
