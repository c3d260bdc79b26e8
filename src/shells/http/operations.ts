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
import { join } from "node:path";
import { z } from "zod";
import { paperApprovalDeps } from "../../app/approval-paper.ts";
import {
  ApproveInput,
  approve,
  type CallerIdentity,
  ListApprovalsInput,
  listApprovals,
  ProposeOrderInput,
  proposeOrder,
  RejectInput,
  reject,
} from "../../app/approval-service.ts";
import { AskInput, askKairos, operationTool } from "../../app/ask.ts";
import { briefReadTools } from "../../app/ask-tools.ts";
import { showAudit } from "../../app/audit-show.ts";
import { verifyStoredLog } from "../../app/audit-verify.ts";
import type { Principal } from "../../app/auth-service.ts";
import { CreateAgentTokenInput, RevokeTokenInput } from "../../app/auth-service.ts";
import { BriefInput, briefDepsOf, marketBrief } from "../../app/brief.ts";
import { checkClaims } from "../../app/check-claims.ts";
import { ComputeIndicatorInput, computeIndicator, listIndicators } from "../../app/compute-indicator.ts";
import { parseInput, timeframeField } from "../../app/contract.ts";
import { DownloadInput, DownloadSourceInput, downloadCandles } from "../../app/download-candles.ts";
import { EvaluateModelsInput, evaluateModels } from "../../app/evaluate-models.ts";
import { ImportCandlesInput, importCandlesAsync } from "../../app/import-candles.ts";
import { type JobContext, JobIdInput, JobListInput, type JobService } from "../../app/job-service.ts";
import { KillInput, kill } from "../../app/kill.ts";
import { listSeries } from "../../app/list-series.ts";
import { listStrategies, ShowStrategyInput, showStrategy } from "../../app/list-strategies.ts";
import { listNews, NewsListInput } from "../../app/news-list.ts";
import { PredictModelInput, predictModel } from "../../app/predict-model.ts";
import { MAX_CANDLES, ReadCandlesInput, readCandles } from "../../app/read-candles.ts";
import { SetRiskInput, ShowRiskInput, setRisk, showRisk } from "../../app/risk-limits.ts";
import {
  ResumeTradingStateInput,
  readTradingState,
  resumeTradingState,
} from "../../app/risk-trading-state.ts";
import { backtestToJson, RunBacktestInput, runBacktest } from "../../app/run-backtest.ts";
import {
  RunScreenInput,
  runScreenUseCase,
  showScreenRun,
  summariseScreenRuns,
} from "../../app/run-screen.ts";
import { RunSweepInput, runSweep } from "../../app/run-sweep.ts";
import { listModels, showModel } from "../../app/show-model.ts";
import { ShowSeriesInput, showSeries } from "../../app/show-series.ts";
import {
  listTrading,
  reconcileTrading,
  resumeTrading,
  stopTrading,
  TradeReconcileInput,
  TradeResumeInput,
  TradeStatusInput,
  TradeStopInput,
  tradeStatus,
} from "../../app/trade-control.ts";
import { TradeDriftInput, tradeDrift } from "../../app/trade-drift.ts";
import { TradeFillsInput, tradeFills } from "../../app/trade-fills.ts";
import { TradeListPages } from "../../app/trade-list-pages.ts";
import { startTrading, TradeStartInput } from "../../app/trade-start.ts";
import { parseTrainModelInput, TrainModelInput, trainModel } from "../../app/train-model.ts";
import { RunReportInput, writeRunReport } from "../../app/write-report.ts";
import { type Container, chatModelFromEnv } from "../../composition-root.ts";
import { AppError, invalidField, isAppError } from "../../errors.ts";
import type { ScreenRun } from "../../research/screen.ts";
import { readChartLibrary } from "../report/chart-lib.ts";

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

/** Candles `data show` returns from each end over HTTP (the CLI takes up to 1,000,000) */
export const HTTP_MAX_SHOW_ROWS = 1000;

/** showModel takes a bare id in src/app (no exported contract yet): the shape the CLI's <id> gives it */
const ShowModelInput = z.object({ id: z.string().min(1).max(200) }).strict();
const ScreenShowInput = z.object({ id: z.string().min(1).max(100) }).strict();
/** screen report over HTTP: the file goes to <home>/reports/<id>.html, never a client-chosen path */
const ScreenReportInput = RunReportInput.omit({ path: true }).strict();
/** audit show and verify take no exported contract in src/app: the shapes their CLI flags give */
const AuditShowInput = z
  .object({ order: z.string().min(1).max(200).optional(), decision: z.string().min(1).max(200).optional() })
  .strict();
const AuditVerifyInput = z.object({}).strict();
const DownloadJobInput = DownloadInput.extend(DownloadSourceInput.shape).strict();
/**
 * Over HTTP, changing a risk limit and leaving HALTED need the person's password in the request as
 * well as their session token: a token is a bearer secret that can leak (a copied header, a script
 * in the page) for its whole hour, a typed password proves the person is at the screen now. The
 * CLI's forms need none (the local user owns the home). Chosen over "a login in the last N minutes":
 * that still lets a freshly stolen token act, and the dashboard asks for the password anyway.
 */
const Reauth = { password: z.string().max(1024).optional() };
const SetRiskHttpInput = SetRiskInput.extend(Reauth).strict();
const ResumeHttpInput = ResumeTradingStateInput.extend(Reauth).strict();

/** Checks the password sent with a grave act; a wrong or missing one is FORBIDDEN (403), never 401,
 * so a mistyped password does not end the session; failures count toward the login lockout */
async function reauthenticate(c: Container, what: string, password: string | undefined): Promise<void> {
  if (password === undefined || password === "")
    throw new AppError(
      "FORBIDDEN",
      `${what} needs the person's password in the request ("password"), not only a session token`,
      { details: { field: "password" } },
    );
  try {
    await c.auth.confirmPassword({ password });
  } catch (e) {
    if (isAppError(e) && e.code === "AUTH_FAILED")
      throw new AppError("FORBIDDEN", `${what} refused: the password does not match; type it again`, {
        details: { field: "password" },
      });
    throw e;
  }
}

/** `kairos ask QUESTION [--timeframe TF]`: the use case's contract and the CLI's one flag (same default) */
const AskHttpInput = AskInput.extend({ timeframe: timeframeField().default("1d") }).strict();

/**
 * `kairos ask` over HTTP, as the CLI runs it (app/ask.ts askKairos): with KAIROS_LLM_URL a model
 * offered the read operations of this table (the MCP face's reads) and the brief's own tools,
 * never a compute, person-only or proposing operation
 */
function askOverHttp(x: OpContext, raw: unknown): Promise<unknown> {
  const q = parseInput(AskHttpInput, raw);
  // the model's tools run as an agent whatever the caller is: a person's session lends it nothing
  const asAgent: OpContext = { ...x, principal: { tokenId: "ask", kind: "agent", name: "kairos-ask" } };
  return askKairos(
    {
      brief: briefDepsOf(x.c),
      model: chatModelFromEnv(),
      readTools: (brief) => [
        ...briefReadTools(brief),
        ...OPERATIONS.filter((op) => op.access === "read" && op.id !== "brief").map((op) =>
          operationTool(op, (args) => op.run(asAgent, args)),
        ),
      ],
    },
    q,
  );
}

/** The trade sessions list's reused entries, one memo per container (home) */
const tradeListPages = new WeakMap<Container, TradeListPages>();

/** Fields only a local shell may set: code to load and figures fetched by the CLI itself */
const SHELL_ONLY_BACKTEST_FIELDS = ["userModule", "marketFees"] as const;

const personOnly = (what: string): AppError =>
  new AppError("FORBIDDEN", `${what} needs a person's session; agent tokens may only read and propose`);

/** The CLI's `screen --json` shape (shells/cli/commands/screen.ts screenJson), so both faces answer alike */
export function screenRunJson(id: string, createdAt: number, run: ScreenRun): unknown {
  return {
    id,
    createdAt: new Date(createdAt).toISOString(),
    ...run,
    variants: run.variants.map((v, i) => ({
      rank: i + 1,
      ...v,
      passed: v.verdict.passed,
      reasons: v.verdict.reasons,
    })),
  };
}

/** Progress as the use cases that report prose (model evaluate, claims) give it: a note per line */
const notes = (j: JobContext | undefined, task: string) => (message: string) =>
  j?.onProgress({ kind: "note", task, message });

const checkBacktestBody = (raw: unknown): void => {
  if (raw !== null && typeof raw === "object")
    for (const f of SHELL_ONLY_BACKTEST_FIELDS) if (f in raw) throw invalidField(f, "is not a known field");
  if (raw !== null && typeof raw === "object" && (raw as { fee?: unknown }).fee === "exchange")
    throw invalidField("fee", "exchange is only available from the CLI", "a fraction from 0 to 0.1");
};

export const OPERATIONS: readonly Operation[] = [
  // data
  {
    id: "data_list",
    method: "get",
    path: "/v1/data/series",
    summary: "every stored series with rows, range and gaps (kairos data list)",
    access: "read",
    cache: "candles",
    run: ({ c }) => listSeries({ store: c.store, funding: c.funding }),
  },
  {
    id: "data_show",
    method: "post",
    path: "/v1/data/show",
    summary: `one stored series: range, gaps, first and last candles (kairos data show); over HTTP \`rows\` (candles from each end, default 5) is at most ${HTTP_MAX_SHOW_ROWS}`,
    access: "read",
    cache: "candles",
    input: ShowSeriesInput,
    // a reply of a million candles from each end would hold the server for seconds and hundreds of MB
    guard: (_x, raw) => {
      const rows = Number((raw as { rows?: unknown } | null)?.rows ?? 0);
      if (rows > HTTP_MAX_SHOW_ROWS)
        throw invalidField(
          "rows",
          `is at most ${HTTP_MAX_SHOW_ROWS} over HTTP`,
          `1 to ${HTTP_MAX_SHOW_ROWS}`,
        );
    },
    run: ({ c }, raw) => showSeries({ store: c.store }, parseInput(ShowSeriesInput, raw)),
  },
  {
    id: "data_candles",
    method: "post",
    path: "/v1/data/candles",
    summary: `a stored series' candles as columns (ts, open, high, low, close, volume), the newest \`last\` of the range, at most ${MAX_CANDLES} (the dashboard's charts)`,
    access: "read",
    cache: "candles",
    input: ReadCandlesInput,
    run: ({ c }, raw) => readCandles({ store: c.store }, parseInput(ReadCandlesInput, raw)),
  },
  {
    id: "data_import",
    method: "post",
    path: "/v1/data/import",
    summary: "imports candle files from a path on the server's machine (kairos data import)",
    // a path on the server's disk: a person's call, never an agent's
    access: "person",
    input: ImportCandlesInput,
    // parsing and storing a file of years of 5m bars takes seconds of CPU: on a job thread
    offload: true,
    run: ({ c }, raw) =>
      importCandlesAsync(
        { store: c.store, files: c.files, funding: c.funding },
        parseInput(ImportCandlesInput, raw),
      ),
  },
  {
    id: "data_download",
    method: "post",
    path: "/v1/data/download",
    summary: "downloads closed candles through ccxt as a job (kairos data download)",
    // the server reaches out to the network (and any apiBase): a person's call
    access: "person",
    input: DownloadJobInput,
    job: true,
    run: async ({ c }, raw, j) => {
      const where = parseInput(DownloadSourceInput, raw);
      const input = parseInput(DownloadInput, raw);
      const source = await c.marketData(where.exchange, {
        timeoutMs: where.timeout ?? 10_000,
        ...(where.apiBase === undefined ? {} : { apiBase: where.apiBase }),
      });
      return downloadCandles(
        {
          source,
          store: c.store,
          funding: c.funding,
          clock: c.clock,
          sleep: c.sleep,
          ...(j === undefined ? {} : { signal: j.signal }),
        },
        input,
        (e) => {
          if (e.kind === "page")
            j?.onProgress({
              kind: "progress",
              task: e.what,
              done: Math.max(0, e.lastTs - e.from),
              total: Math.max(1, e.to - e.from),
              unit: "ms of history",
            });
        },
      );
    },
  },
  // indicators and strategies
  {
    id: "indicators_list",
    method: "get",
    path: "/v1/indicators",
    summary: "the indicator catalogue (kairos indicators list)",
    access: "read",
    cache: "static",
    run: () => listIndicators(),
  },
  {
    id: "indicators_compute",
    method: "post",
    path: "/v1/indicators/compute",
    summary: "an indicator over a stored series (kairos indicators compute)",
    access: "read",
    cache: "candles",
    input: ComputeIndicatorInput,
    run: ({ c }, raw) => computeIndicator({ store: c.store }, parseInput(ComputeIndicatorInput, raw)),
  },
  {
    id: "strategies_list",
    method: "get",
    path: "/v1/strategies",
    summary: "every strategy family with parameters and forms (kairos strategies list)",
    access: "read",
    cache: "static",
    run: () => listStrategies(),
  },
  {
    id: "strategies_show",
    method: "post",
    path: "/v1/strategies/show",
    summary: "one strategy family (kairos strategies show)",
    access: "read",
    cache: "static",
    input: ShowStrategyInput,
    run: (_x, raw) => showStrategy(parseInput(ShowStrategyInput, raw)),
  },
  // research
  {
    id: "backtest_run",
    method: "post",
    path: "/v1/backtest",
    summary:
      "a backtest of a built-in strategy over stored series, answered at once (kairos backtest --json)",
    access: "read",
    input: RunBacktestInput,
    offload: true,
    // shell-only fields are refused here, before a thread is asked
    guard: (_x, raw) => checkBacktestBody(raw),
    run: ({ c }, raw) => {
      checkBacktestBody(raw);
      const input = parseInput(RunBacktestInput, raw);
      return backtestToJson(runBacktest({ store: c.store, funding: c.funding }, input));
    },
  },
  {
    id: "backtest_start",
    method: "post",
    path: "/v1/jobs/backtest",
    summary: "the same backtest as a job, for large ones (result: kairos backtest --json)",
    access: "compute",
    input: RunBacktestInput,
    job: true,
    guard: (_x, raw) => checkBacktestBody(raw),
    run: ({ c }, raw) =>
      backtestToJson(runBacktest({ store: c.store, funding: c.funding }, parseInput(RunBacktestInput, raw))),
  },
  {
    id: "sweep_start",
    method: "post",
    path: "/v1/jobs/sweep",
    summary: "a parameter sweep as a job (result: kairos sweep --json)",
    access: "compute",
    input: RunSweepInput,
    job: true,
    run: ({ c }, raw, j) =>
      runSweep(raw as z.input<typeof RunSweepInput>, {
        store: c.store,
        workers: (n) => c.workers(n),
        clock: { now: () => performance.now() },
        ...(j === undefined ? {} : { onProgress: j.onProgress }),
      }),
  },
  {
    id: "screen_start",
    method: "post",
    path: "/v1/jobs/screen",
    summary:
      "a screen (variants generated, backtested, validated, judged, stored) as a job (kairos screen --json)",
    access: "compute",
    input: RunScreenInput,
    job: true,
    run: async ({ c }, raw, j) => {
      const out = await runScreenUseCase(
        {
          store: c.store,
          runs: c.screenRuns,
          clock: c.clock,
          ...(j === undefined ? {} : { onProgress: j.onProgress }),
        },
        raw as z.input<typeof RunScreenInput>,
      );
      return screenRunJson(out.id, out.createdAt, out.run);
    },
  },
  {
    id: "screen_list",
    method: "get",
    path: "/v1/screen/runs",
    summary: "stored screen runs, newest first (kairos screen list)",
    access: "read",
    page: true,
    run: ({ c }) => summariseScreenRuns(c.screenRuns),
  },
  {
    id: "screen_show",
    method: "post",
    path: "/v1/screen/show",
    summary: "one stored screen run with its leaderboard (kairos screen show --json)",
    access: "read",
    input: ScreenShowInput,
    run: ({ c }, raw) => {
      const { info, run } = showScreenRun(c.screenRuns, parseInput(ScreenShowInput, raw).id);
      return screenRunJson(info.id, info.createdAt, run);
    },
  },
  {
    id: "screen_report",
    method: "post",
    path: "/v1/screen/report",
    summary: "writes the strategist report of a stored run to <home>/reports/<id>.html (kairos report)",
    access: "compute",
    input: ScreenReportInput,
    run: ({ c }, raw) => {
      const x = parseInput(ScreenReportInput, raw);
      return writeRunReport(
        {
          store: c.store,
          runs: c.screenRuns,
          files: c.files,
          chartLibrary: readChartLibrary,
          clock: c.clock,
        },
        { ...(raw as object), id: x.id, path: join(c.home, "reports", `${x.id}.html`) } as z.input<
          typeof RunReportInput
        >,
      );
    },
  },
  // models
  {
    id: "models_list",
    method: "get",
    path: "/v1/models",
    summary: "the models in the registry, newest first (kairos model list)",
    access: "read",
    page: true,
    run: ({ c }) => listModels({ models: c.models }),
  },
  {
    id: "models_show",
    method: "post",
    path: "/v1/models/show",
    summary: "a model's parameters, data, metrics and feature importance (kairos model show)",
    access: "read",
    input: ShowModelInput,
    run: ({ c }, raw) => showModel(parseInput(ShowModelInput, raw).id, { models: c.models }),
  },
  {
    id: "models_predict",
    method: "post",
    path: "/v1/models/predict",
    summary: "a stored model's forecast at one bar with its feature contributions (kairos model predict)",
    access: "read",
    input: PredictModelInput,
    run: ({ c }, raw) =>
      predictModel(parseInput(PredictModelInput, raw), { store: c.store, models: c.models, news: c.news }),
  },
  {
    id: "models_train",
    method: "post",
    path: "/v1/jobs/model-train",
    summary: "trains a gradient-boosted model and stores it, as a job (kairos model train --json)",
    access: "compute",
    input: TrainModelInput,
    job: true,
    guard: (_x, raw) => void parseTrainModelInput(raw as z.input<typeof TrainModelInput>),
    run: ({ c }, raw) =>
      trainModel(raw as z.input<typeof TrainModelInput>, {
        store: c.store,
        models: c.models,
        clock: c.clock,
        workers: (n) => c.workers(n),
        news: c.news,
      }),
  },
  {
    id: "models_evaluate",
    method: "post",
    path: "/v1/jobs/model-evaluate",
    summary: "every forecaster beside naive baselines, walk-forward, as a job (kairos model evaluate --json)",
    access: "compute",
    input: EvaluateModelsInput,
    job: true,
    run: ({ c }, raw, j) =>
      evaluateModels(
        { store: c.store, tensors: c.tensors, clock: c.clock, news: c.news },
        parseInput(EvaluateModelsInput, raw),
        notes(j, "evaluate"),
      ),
  },
  {
    id: "models_claims",
    method: "post",
    path: "/v1/jobs/model-claims",
    summary:
      "published forecasting claims measured on the bundled data, as a job (kairos model claims --json)",
    access: "compute",
    job: true,
    run: ({ c }, _raw, j) =>
      checkClaims({ store: c.store, tensors: c.tensors, clock: c.clock }, notes(j, "claims")),
  },
  // trading
  {
    id: "trade_list",
    method: "get",
    path: "/v1/trade/sessions",
    summary: "every trading session in the home (kairos trade list)",
    access: "read",
    page: true,
    run: ({ c }) => listTrading(c.trading()),
    // entries reused while their session's state, last bar and update time hold (one per home)
    runPage: ({ c }, page) => {
      let pages = tradeListPages.get(c);
      if (pages === undefined) {
        pages = new TradeListPages();
        tradeListPages.set(c, pages);
      }
      return pages.page(c.trading(), page);
    },
  },
  {
    id: "trade_status",
    method: "post",
    path: "/v1/trade/status",
    summary: "state, positions, orders and P&L of a trading session (kairos trade status)",
    access: "read",
    input: TradeStatusInput,
    run: ({ c }, raw) => tradeStatus(c.trading(), parseInput(TradeStatusInput, raw)),
  },
  {
    id: "trade_drift",
    method: "post",
    path: "/v1/trade/drift",
    summary: "a session's fills and P&L against a backtest of the same bars (kairos trade drift)",
    access: "read",
    input: TradeDriftInput,
    run: ({ c }, raw) => tradeDrift(c.trading(), parseInput(TradeDriftInput, raw)),
  },
  {
    id: "trade_fills",
    method: "post",
    path: "/v1/trade/fills",
    summary:
      "a session's fills with their times (newest `limit`) and its P&L today (since 00:00 UTC, the daily-loss check's day)",
    access: "read",
    input: TradeFillsInput,
    run: ({ c }, raw) => tradeFills(c.trading(), parseInput(TradeFillsInput, raw)),
  },
  {
    id: "trade_start",
    method: "post",
    path: "/v1/jobs/trade",
    summary:
      "starts a trading session as a job (paper replay by default; live needs a person, the exchange typed again and a key file)",
    access: "compute",
    input: TradeStartInput,
    job: true,
    guard: ({ principal }, raw) => {
      const input = parseInput(TradeStartInput, raw);
      if (input.live && principal.kind !== "person") throw personOnly("a live session");
      // an agent may replay paper sessions; key files and other API origins are a person's business
      if (principal.kind !== "person" && (input.keyFile !== undefined || input.apiBase !== undefined))
        throw personOnly("keyFile and apiBase");
    },
    run: ({ c }, raw, j) =>
      startTrading(c.trading(), raw as z.input<typeof TradeStartInput>, (p) => {
        if (j?.signal.aborted === true) throw new AppError("CANCELLED", "the session's job was cancelled");
        j?.onProgress({ kind: "note", task: "trade", message: `bar ${new Date(p.barTs).toISOString()}` });
      }),
  },
  {
    id: "trade_stop",
    method: "post",
    path: "/v1/trade/stop",
    summary: "stops a session: cancels its open orders, optionally flattens (kairos trade stop)",
    access: "person",
    input: TradeStopInput,
    run: ({ c }, raw) => stopTrading(c.trading(), parseInput(TradeStopInput, raw)),
  },
  {
    id: "trade_resume",
    method: "post",
    path: "/v1/trade/resume",
    summary: "re-activates a halted session after reconciliation (kairos trade resume)",
    access: "person",
    input: TradeResumeInput,
    run: ({ c }, raw) => resumeTrading(c.trading(), parseInput(TradeResumeInput, raw)),
  },
  {
    id: "trade_reconcile",
    method: "post",
    path: "/v1/trade/reconcile",
    summary: "compares kairos's orders and balances with the venue's (kairos trade reconcile)",
    access: "person",
    input: TradeReconcileInput,
    run: ({ c }, raw) => reconcileTrading(c.trading(), parseInput(TradeReconcileInput, raw)),
  },
  {
    id: "kill",
    method: "post",
    path: "/v1/kill",
    summary:
      "the kill switch: HALTED latched, every open order cancelled, optionally flattened (kairos kill)",
    access: "person",
    input: KillInput,
    run: ({ c }, raw) => kill({ ...c.trading(), home: c.home }, parseInput(KillInput, raw)),
  },
  // approvals: agents propose, only a person approves or rejects
  {
    id: "approvals_list",
    method: "post",
    path: "/v1/approvals/list",
    summary: "proposals waiting for a person (or every state), newest first (kairos approvals list --json)",
    access: "read",
    input: ListApprovalsInput,
    run: ({ c }, raw) =>
      listApprovals(paperApprovalDeps(c.trading()), raw as z.input<typeof ListApprovalsInput>),
  },
  {
    id: "approvals_propose",
    method: "post",
    path: "/v1/approvals/propose",
    summary:
      "proposes an exact order for a person's approval: nothing is placed; returns the proposal id and what a person must do",
    access: "compute",
    input: ProposeOrderInput,
    run: ({ c, principal }, raw) =>
      proposeOrder(
        paperApprovalDeps(c.trading()),
        callerOf(principal, "http"),
        raw as z.input<typeof ProposeOrderInput>,
      ),
  },
  {
    id: "approvals_approve",
    method: "post",
    path: "/v1/approvals/approve",
    summary: "a person approves one proposal: its exact order goes through the risk gate to the venue",
    access: "person",
    input: ApproveInput,
    run: ({ c, principal }, raw) =>
      approve(
        paperApprovalDeps(c.trading()),
        callerOf(principal, "http"),
        raw as z.input<typeof ApproveInput>,
      ),
  },
  {
    id: "approvals_reject",
    method: "post",
    path: "/v1/approvals/reject",
    summary: "a person rejects one proposal: nothing is placed",
    access: "person",
    input: RejectInput,
    run: ({ c, principal }, raw) =>
      reject(paperApprovalDeps(c.trading()), callerOf(principal, "http"), raw as z.input<typeof RejectInput>),
  },
  // risk
  {
    id: "risk_show",
    method: "get",
    path: "/v1/risk",
    summary: "the pre-trade risk limits in force, their revision and hash (kairos risk show)",
    access: "read",
    run: ({ c }) => showRisk({ home: c.home, now: c.clock.now }, parseInput(ShowRiskInput, {})),
  },
  {
    id: "risk_state",
    method: "get",
    path: "/v1/risk/state",
    summary: "the account's trading state (active, reducing, halted) and who changed it (kairos risk state)",
    access: "read",
    // the CLI's `risk state --json` shape: the state, any problem reading it, and its history
    run: ({ c }) => {
      const r = readTradingState(c.home);
      return {
        state: r.state,
        ...(r.problem === undefined ? {} : { problem: r.problem }),
        history: r.file?.history ?? [],
      };
    },
  },
  {
    id: "risk_set",
    method: "post",
    path: "/v1/risk/set",
    summary:
      "changes one risk limit, recorded with who and the old and new hash (kairos risk set); needs the person's password again in `password`",
    access: "person",
    input: SetRiskHttpInput,
    run: async ({ c }, raw) => {
      // the password is checked and dropped here: it never reaches the limits file, its log or the audit
      const { password, ...input } = parseInput(SetRiskHttpInput, raw);
      await reauthenticate(c, "changing a risk limit", password);
      return setRisk({ home: c.home, now: c.clock.now, audit: c.audit() }, input);
    },
  },
  {
    id: "risk_resume",
    method: "post",
    path: "/v1/risk/resume",
    summary:
      "a person clears HALTED (or sets REDUCING), with name and reason (kairos risk resume); needs the password again in `password`",
    access: "person",
    input: ResumeHttpInput,
    run: async ({ c }, raw) => {
      const { password, ...input } = parseInput(ResumeHttpInput, raw);
      await reauthenticate(c, "leaving HALTED", password);
      return resumeTradingState(
        { home: c.home, now: c.clock.now, audit: c.audit(), orders: c.trading().orders },
        input,
      );
    },
  },
  // audit
  {
    id: "audit_verify",
    method: "post",
    path: "/v1/audit/verify",
    summary: "re-computes the audit log's chain and signed anchors (kairos audit verify --json)",
    access: "read",
    input: AuditVerifyInput,
    run: ({ c }, raw) => {
      parseInput(AuditVerifyInput, raw);
      const r = verifyStoredLog(c.audit(), c.auditCrypto);
      return {
        ok: r.ok,
        records: r.records,
        firstBadSeq: r.firstBadSeq,
        anchors: r.anchors,
        anchoredTo: r.anchoredTo,
        problem: r.problem,
        keyFingerprint: r.keyFingerprint,
      };
    },
  },
  {
    id: "audit_show",
    method: "post",
    path: "/v1/audit/show",
    summary: "walks one order or decision back through the audit log (kairos audit show --json)",
    access: "read",
    input: AuditShowInput,
    run: ({ c }, raw) => {
      const q = parseInput(AuditShowInput, raw);
      return showAudit(c.audit(), {
        ...(q.order === undefined ? {} : { order: q.order }),
        ...(q.decision === undefined ? {} : { decision: q.decision }),
      });
    },
  },
  // brief
  {
    id: "brief",
    method: "post",
    path: "/v1/brief",
    summary: "the market brief: sector shock, movers, trend, volatility, correlation (kairos brief --json)",
    access: "read",
    input: BriefInput,
    // the CLI's `brief --json` shape: the brief's fields beside its language, text and comparison
    run: ({ c }, raw) => {
      const out = marketBrief(briefDepsOf(c), parseInput(BriefInput, raw));
      return {
        ...out.brief,
        lang: out.lang,
        text: out.text,
        previousAsOf: out.previousAsOf ?? null,
        ...(out.explanations === undefined ? {} : { explanations: out.explanations }),
      };
    },
  },
  {
    id: "ask",
    method: "post",
    path: "/v1/ask",
    summary:
      "answers a market question from kairos's own numbers; with KAIROS_LLM_URL a model with read tools only, every number checked (kairos ask --json)",
    // compute, not read: it may run a model (cost, seconds) and is not an MCP tool (an agent asking
    // a model that calls tools would nest agents); it stores nothing and moves no money
    access: "compute",
    input: AskHttpInput,
    run: (x, raw) => askOverHttp(x, raw),
  },
  {
    id: "news_list",
    method: "post",
    path: "/v1/news/list",
    summary: "stored headlines, newest first, with language, symbols and sentiment (kairos news list --json)",
    access: "read",
    input: NewsListInput,
    run: ({ c }, raw) => listNews({ news: c.news }, raw as z.input<typeof NewsListInput>),
  },
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
