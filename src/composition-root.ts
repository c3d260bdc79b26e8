// The one place that picks adapters and wires them into the use cases
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type AlertDelivery, AlertDispatcher } from "./adapters/alerts/alert-dispatcher.ts";
import { LogAlertSink } from "./adapters/alerts/log-alert-sink.ts";
import { buildSinks, type SinkSetup } from "./adapters/alerts/sinks.ts";
import { parseButtonData, TelegramBot } from "./adapters/alerts/telegram-bot.ts";
import { WorkerAlertEmitter } from "./adapters/alerts/worker-alert-emitter.ts";
import type { QueueWorkerOptions } from "./adapters/bullmq/bullmq-worker.ts";
import type { SandboxSpawn } from "./adapters/bullmq/sandbox.ts";
import { CcxtFeeSchedule } from "./adapters/ccxt/ccxt-fee-schedule.ts";
import type { CcxtSourceOptions } from "./adapters/ccxt/ccxt-market-data-source.ts";
import { HttpFeedSource } from "./adapters/feeds/http-feed-source.ts";
import { auditKeyPath, loadOrCreateAuditKey, nodeAuditCrypto } from "./adapters/fs/audit-key-file.ts";
import { FileBriefStore } from "./adapters/fs/file-brief-store.ts";
import { NodeDataFiles } from "./adapters/fs/node-data-files.ts";
import { openAiChat } from "./adapters/llm/openai-chat.ts";
import { PaperBroker } from "./adapters/paper/paper-broker.ts";
import { openPaperDatabase } from "./adapters/paper/paper-venue-store.ts";
import type { SimExchange, SimExchangeOptions } from "./adapters/sim-exchange/server.ts";
import { type Db, openDatabase } from "./adapters/sqlite/database.ts";
import { SqliteApprovalStore } from "./adapters/sqlite/sqlite-approval-store.ts";
import { auditAnchorDir, SqliteAuditLog } from "./adapters/sqlite/sqlite-audit-log.ts";
import { SqliteAuthStore } from "./adapters/sqlite/sqlite-auth-store.ts";
import { SqliteCandleStore } from "./adapters/sqlite/sqlite-candle-store.ts";
import { SqliteChunkStore } from "./adapters/sqlite/sqlite-chunk-store.ts";
import { dataRevision } from "./adapters/sqlite/sqlite-data-revision.ts";
import { SqliteFundingStore } from "./adapters/sqlite/sqlite-funding-store.ts";
import { SqliteJobStore } from "./adapters/sqlite/sqlite-job-store.ts";
import { SqliteModelStore } from "./adapters/sqlite/sqlite-model-store.ts";
import { SqliteNewsStore } from "./adapters/sqlite/sqlite-news-store.ts";
import { openOrderDatabase, SqliteOrderStore } from "./adapters/sqlite/sqlite-order-store.ts";
import { SqliteScreenRunStore } from "./adapters/sqlite/sqlite-screen-run-store.ts";
import { WasmTensorBackend } from "./adapters/tfjs/wasm-tensor-backend.ts";
import { ALERTS_LOG, type AlertConfig, alertSecrets, loadAlertConfig } from "./app/alert-config.ts";
import { alertingOrderStore } from "./app/alert-watch.ts";
import { type ApprovalExpiryWatch, watchApprovalExpiry } from "./app/approval-expiry.ts";
import type { ChatModel } from "./app/ask.ts";
import { auditMeta } from "./app/audit-build-info.ts";
import { AuditedOrderStore } from "./app/audit-order-store.ts";
import { AuthService } from "./app/auth-service.ts";
import type { JobStore } from "./app/job-service.ts";
import type { TradingDeps } from "./app/trade-runtime.ts";
import { AppError } from "./errors.ts";
import type { CrashHook } from "./execution/crash-points.ts";
import { type Brief, isBrief } from "./explain/brief/brief.ts";
import type { Alert } from "./ports/alert-sink.ts";
import type { AuditCrypto, AuditLog } from "./ports/audit-log.ts";
import type { BriefStore } from "./ports/brief-store.ts";
import type { CandleStore } from "./ports/candle-store.ts";
import type { Clock } from "./ports/clock.ts";
import type { DataFiles } from "./ports/data-files.ts";
import type { FeeSchedule } from "./ports/fee-schedule.ts";
import type { FundingStore } from "./ports/funding-store.ts";
import type { ChunkResultStore, JobQueue } from "./ports/job-queue.ts";
import type { MarketDataSource } from "./ports/market-data-source.ts";
import type { ModelStore } from "./ports/model-store.ts";
import type { FeedSource, NewsStore } from "./ports/news-store.ts";
import type { TensorBackend } from "./ports/tensor-backend.ts";
import type { WorkerPool } from "./ports/worker-pool.ts";
import type { ScreenRunStore } from "./research/screen-run-store.ts";

/** Everything a shell needs, built for one home folder. Adapters that need SQLite take `db` */
export interface Container {
  readonly home: string;
  /** <home>/kairos.db, opened lazily; other adapters run their own `migrate(db, theirMigrations)` */
  readonly db: Db;
  readonly store: CandleStore;
  readonly funding: FundingStore;
  /** stored screen runs (every variant tried, with verdicts) in kairos.db */
  readonly screenRuns: ScreenRunStore;
  /** the model registry (trained GBDT/GRU models) in kairos.db */
  readonly models: ModelStore;
  /** the API/MCP password hash and tokens (hashed) in kairos.db */
  readonly auth: AuthService;
  /** the API's jobs (progress, stored results) in kairos.db; `kairos serve` runs them */
  readonly jobStore: JobStore;
  readonly files: DataFiles;
  /** stored briefs (<home>/briefs), so the next brief says what changed */
  readonly briefs: BriefStore<Brief>;
  /** news feeds and headlines in kairos.db */
  readonly news: NewsStore;
  /** RSS/Atom feeds over HTTP(S) */
  readonly feeds: FeedSource;
  readonly clock: Clock;
  /** exchanges' published maker/taker fees (ccxt metadata, offline) for `--fee exchange` */
  readonly fees: FeeSchedule;
  /** TensorFlow.js on WebAssembly, loaded on first `ready()` */
  readonly tensors: TensorBackend;
  /** An exchange's public market data through ccxt (`apiBase` points it at a mirror or the local test exchange) */
  marketData(exchange: string, opts?: CcxtSourceOptions): Promise<MarketDataSource>;
  /** Waits, for retry backoff; a separate seam from Clock so tests can record waits */
  readonly sleep: (ms: number) => Promise<void>;
  /** Starts `threads` worker threads running the pure kernels (sweep, gbdt); the caller closes the pool */
  workers(threads: number): Promise<WorkerPool>;
  /** Trading: the order store (own synchronous=FULL connection) and paper venues with books in the home */
  trading(crash?: CrashHook): TradingDeps;
  /** Starts the simulated exchange (Binance spot API on 127.0.0.1 over replayed series, matched by the simulated venue) */
  simExchange(opts: SimExchangeOptions): Promise<SimExchange>;
  /** The BullMQ job queue at a redis:// URL, refused unless maxmemory-policy is noeviction; the caller closes it */
  queue(url: string): Promise<JobQueue>;
  /** Chunk results of queued runs in kairos.db, unique per (run, chunk) */
  readonly chunkResults: ChunkResultStore;
  /** A number every committed write to stored candles or funding raises (any process): replies derived from them are reusable while it holds */
  dataRevision(): number;
  /** Runs a `kairos worker` until stopped or out of restart budget; resolves to its exit code */
  queueWorker(opts: Omit<QueueWorkerOptions, "sandbox"> & { sandbox: SandboxSpawn }): Promise<number>;
  /** The body of a worker's child process: answers queued tasks (sweep and screen chunks) from its parent */
  serveQueueChild(): Promise<void>;
  /** The audit log in kairos.db (on the order store's connection), key in <home>/keys, anchor copies in <home>-anchors */
  audit(): AuditLog;
  readonly auditCrypto: AuditCrypto;
  /** Alerts from <home>/alerts.json: the dispatcher every trading path raises into, and Telegram's buttons */
  alerts(): AlertSetup;
  close(): void;
}

/** The alert sinks a home's alerts.json names (secrets from the environment), behind one dispatcher */
export interface AlertSetup {
  dispatcher: AlertDelivery;
  config: AlertConfig | undefined;
  /** why a configured sink is off (a missing secret, an invalid file); never a secret */
  problems: string[];
  telegram?: { bot: TelegramBot; chatId: string; parse: typeof parseButtonData };
}

/**
 * The log alone is written from this thread; with a webhook or Telegram configured every sink is
 * served by a worker thread of its own (WorkerAlertEmitter), so a busy trading loop delays no alert
 */
export function alertSetupFor(
  home: string,
  env: Record<string, string | undefined> = process.env,
): AlertSetup {
  const loaded = loadAlertConfig(home);
  const config = loaded.ok ? loaded.config : undefined;
  const problems = loaded.ok ? [] : [`${loaded.problem}; alerts go to the log only`];
  const setup: SinkSetup = { retryForMs: (config?.retryForSeconds ?? 30) * 1000 };
  if (config === undefined || config.log) setup.logPath = join(home, ALERTS_LOG);
  let telegram: AlertSetup["telegram"];
  if (config !== undefined) {
    const secrets = alertSecrets(config, env);
    problems.push(...secrets.problems);
    if (config.webhook !== undefined && secrets.webhookSecret !== undefined)
      setup.webhook = { url: config.webhook.url, secret: secrets.webhookSecret };
    if (config.telegram !== undefined && secrets.telegramToken !== undefined) {
      setup.telegram = { ...config.telegram, token: secrets.telegramToken };
      telegram = {
        bot: new TelegramBot(setup.telegram),
        chatId: config.telegram.chatId,
        parse: parseButtonData,
      };
    }
  }
  const log = new LogAlertSink(join(home, ALERTS_LOG));
  // a delivery given up is itself written to the log (its words never hold a secret)
  const onGiveUp = (sink: string, alert: Alert, why: string): void =>
    void log
      .send({ ...alert, title: `undelivered to ${sink}: ${alert.title}`, text: why })
      .catch(() => undefined);
  const sinks = buildSinks(setup);
  const dispatcher: AlertDelivery =
    setup.webhook === undefined && setup.telegram === undefined
      ? new AlertDispatcher({ sinks, clock: systemClock, retryForMs: setup.retryForMs, onGiveUp })
      : new WorkerAlertEmitter(setup, { clock: systemClock, sinkNames: sinks.map((x) => x.name), onGiveUp });
  return { dispatcher, config, problems, ...(telegram === undefined ? {} : { telegram }) };
}

/** The data/ folder shipped with the package (bundled real data, see data/SOURCES.md) */
export const bundledDataDir = (): string => join(dirname(fileURLToPath(import.meta.url)), "..", "data");

export const systemClock: Clock = { now: () => Date.now() };

/** The OpenAI-compatible chat model named by KAIROS_LLM_URL (+ KAIROS_LLM_MODEL, KAIROS_LLM_KEY), if any */
export function chatModelFromEnv(env: NodeJS.ProcessEnv = process.env): ChatModel | undefined {
  const url = env.KAIROS_LLM_URL;
  if (url === undefined || url === "") return undefined;
  return openAiChat({
    url,
    ...(env.KAIROS_LLM_MODEL === undefined ? {} : { model: env.KAIROS_LLM_MODEL }),
    ...(env.KAIROS_LLM_KEY === undefined ? {} : { apiKey: env.KAIROS_LLM_KEY }),
  });
}

/** Builds the container for a home folder; nothing is opened until first used */
export function createContainer(opts: { home: string }): Container {
  let db: Db | undefined;
  let store: CandleStore | undefined;
  let funding: FundingStore | undefined;
  let screenRuns: ScreenRunStore | undefined;
  let models: ModelStore | undefined;
  let news: NewsStore | undefined;
  let chunkResults: ChunkResultStore | undefined;
  let auth: AuthService | undefined;
  let jobStore: JobStore | undefined;
  let orderStore: SqliteOrderStore | undefined;
  let orderDb: Db | undefined;
  let auditLog: SqliteAuditLog | undefined;
  let approvalStore: SqliteApprovalStore | undefined;
  let approvalExpiry: ApprovalExpiryWatch | undefined;
  let alertSetup: AlertSetup | undefined;
  const getAlerts = (): AlertSetup => (alertSetup ??= alertSetupFor(opts.home));
  const getAudit = (): SqliteAuditLog => {
    orderDb ??= openOrderDatabase(opts.home);
    auditLog ??= new SqliteAuditLog({
      db: orderDb,
      signer: loadOrCreateAuditKey(auditKeyPath(opts.home)),
      crypto: nodeAuditCrypto,
      anchorDir: auditAnchorDir(opts.home),
      now: systemClock.now,
    });
    return auditLog;
  };
  let paperDb: Db | undefined;
  let readRevision: (() => number) | undefined;
  const getDb = (): Db => {
    db ??= openDatabase(opts.home);
    return db;
  };
  return {
    home: opts.home,
    get db() {
      return getDb();
    },
    get store() {
      store ??= new SqliteCandleStore(getDb());
      return store;
    },
    get funding() {
      funding ??= new SqliteFundingStore(getDb());
      return funding;
    },
    get screenRuns() {
      screenRuns ??= new SqliteScreenRunStore(getDb());
      return screenRuns;
    },
    get models() {
      models ??= new SqliteModelStore(getDb());
      return models;
    },
    get auth() {
      auth ??= new AuthService(new SqliteAuthStore(getDb()), systemClock);
      return auth;
    },
    get jobStore() {
      jobStore ??= new SqliteJobStore(getDb());
      return jobStore;
    },
    files: new NodeDataFiles(),
    briefs: new FileBriefStore(opts.home, isBrief),
    get news() {
      news ??= new SqliteNewsStore(getDb());
      return news;
    },
    feeds: new HttpFeedSource(),
    clock: systemClock,
    fees: new CcxtFeeSchedule(),
    tensors: new WasmTensorBackend(),
    // ccxt takes ~2 s to load, so only the commands that talk to an exchange pay for it
    marketData: async (exchange, o) => {
      const { CcxtMarketDataSource } = await import("./adapters/ccxt/ccxt-market-data-source.ts");
      return new CcxtMarketDataSource(exchange, o);
    },
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    simExchange: async (o) => {
      const { startSimExchange } = await import("./adapters/sim-exchange/server.ts");
      return startSimExchange(o);
    },
    trading(crash) {
      orderDb ??= openOrderDatabase(opts.home);
      orderStore ??= new SqliteOrderStore(orderDb, systemClock.now);
      const audit = getAudit();
      audit.startTimer();
      const pdb = (paperDb ??= openPaperDatabase(opts.home));
      approvalStore ??= new SqliteApprovalStore(orderDb);
      // pending proposals expire on time (recorded, alerted) in any process holding the trading state (unref'd timer)
      approvalExpiry ??= watchApprovalExpiry({
        home: opts.home,
        store: approvalStore,
        audit,
        alerts: getAlerts().dispatcher,
        clock: systemClock,
      });
      return {
        home: opts.home,
        store: this.store,
        // every state change is also an audit record, committed in the same transaction
        // halts, kills, fills and reconciliation differences raise alerts where they are committed
        orders: alertingOrderStore(
          new AuditedOrderStore(orderStore, audit, auditMeta(opts.home)),
          getAlerts().dispatcher,
        ),
        audit,
        // proposals waiting for a person, on the same connection as the audit log they are recorded in
        approvals: {
          store: approvalStore,
          audit,
          alerts: getAlerts().dispatcher,
        },
        paperVenue: (o) => new PaperBroker(pdb, { ...o, clock: systemClock }),
        clock: systemClock,
        sleep: this.sleep,
        ...(crash === undefined ? {} : { crash }),
        // SIGTERM to a trading process pulls the kill switch (app/trade-terminate.ts)
        signals: {
          onTerminate: (fn) => {
            process.once("SIGTERM", fn);
            return () => {
              process.off("SIGTERM", fn);
            };
          },
        },
        live: {
          keys: {
            env: process.env,
            readKeyFile: (path) => {
              try {
                return { mode: statSync(path).mode, text: readFileSync(path, "utf8") };
              } catch {
                throw new AppError("NOT_FOUND", `--key-file ${path}: no such readable file`);
              }
            },
          },
          broker: async (exchange, keys, apiBase) => {
            const { CcxtBroker } = await import("./adapters/ccxt/ccxt-broker.ts");
            return new CcxtBroker(exchange, {
              apiKey: keys.apiKey,
              secret: keys.secret,
              ...(apiBase === undefined ? {} : { apiBase }),
            });
          },
          market: async (exchange, apiBase) => {
            const { CcxtMarketDataSource } = await import("./adapters/ccxt/ccxt-market-data-source.ts");
            return new CcxtMarketDataSource(exchange, apiBase === undefined ? {} : { apiBase });
          },
          // asked only of this machine's origins (app/trade-live.ts liveGateClock)
          simClock: async (apiBase) => {
            const { probeSimClock } = await import("./adapters/sim-exchange/sim-clock-probe.ts");
            return probeSimClock(apiBase);
          },
        },
      };
    },
    queue: async (url) => {
      const { BullmqJobQueue } = await import("./adapters/bullmq/bullmq-job-queue.ts");
      return BullmqJobQueue.connect(url);
    },
    get chunkResults() {
      chunkResults ??= new SqliteChunkStore(getDb());
      return chunkResults;
    },
    dataRevision() {
      readRevision ??= dataRevision(getDb());
      return readRevision();
    },
    queueWorker: async (o) => {
      const { runQueueWorker } = await import("./adapters/bullmq/bullmq-worker.ts");
      return runQueueWorker(o);
    },
    serveQueueChild: async () => {
      const { serveSandboxChild } = await import("./adapters/bullmq/sandbox.ts");
      const { runQueuedTask } = await import("./app/queue-kernel.ts");
      serveSandboxChild(runQueuedTask);
    },
    workers: async (threads) => {
      const { ThreadWorkerPool } = await import("./adapters/workers/thread-worker-pool.ts");
      const { KERNELS } = await import("./adapters/workers/kernels.ts");
      return ThreadWorkerPool.create({ threads, kernels: KERNELS });
    },
    audit: getAudit,
    auditCrypto: nodeAuditCrypto,
    alerts: getAlerts,
    close() {
      // queued alerts are still delivered (or given up) after this; nothing new is taken
      alertSetup?.dispatcher.close();
      approvalExpiry?.stop();
      auditLog?.close();
      orderStore?.close();
      if (orderDb?.open === true) orderDb.close();
      if (paperDb?.open === true) paperDb.close();
      if (db?.open === true) db.close();
    },
  };
}
