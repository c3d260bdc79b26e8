/**
 * The research operations of the table (operations.ts): indicators, strategies, backtests, sweeps and screens.
 */
import { join } from "node:path";
import { z } from "zod";
import { ComputeIndicatorInput, computeIndicator, listIndicators } from "../../app/compute-indicator.ts";
import { parseInput } from "../../app/contract.ts";
import { listStrategies, ShowStrategyInput, showStrategy } from "../../app/list-strategies.ts";
import { backtestToJson, RunBacktestInput, runBacktest } from "../../app/run-backtest.ts";
import {
  RunScreenInput,
  runScreenUseCase,
  screenRunJson,
  showScreenRun,
  summariseScreenRuns,
} from "../../app/run-screen.ts";
import { RunSweepInput, runSweep } from "../../app/run-sweep.ts";
import { RunReportInput, writeRunReport } from "../../app/write-report.ts";
import { invalidField } from "../../errors.ts";
import { readChartLibrary } from "../report/chart-lib.ts";

import type { Operation } from "./operation.ts";

const ScreenShowInput = z.object({ id: z.string().min(1).max(100) }).strict();
/** screen report over HTTP: the file goes to <home>/reports/<id>.html, never a client-chosen path */
const ScreenReportInput = RunReportInput.omit({ path: true }).strict();
/** Fields only a local shell may set: code to load and figures fetched by the CLI itself */
const SHELL_ONLY_BACKTEST_FIELDS = ["userModule", "marketFees"] as const;

const checkBacktestBody = (raw: unknown): void => {
  if (raw !== null && typeof raw === "object")
    for (const f of SHELL_ONLY_BACKTEST_FIELDS) if (f in raw) throw invalidField(f, "is not a known field");
  if (raw !== null && typeof raw === "object" && (raw as { fee?: unknown }).fee === "exchange")
    throw invalidField("fee", "exchange is only available from the CLI", "a fraction from 0 to 0.1");
};

export const RESEARCH_OPERATIONS: readonly Operation[] = [
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
];
