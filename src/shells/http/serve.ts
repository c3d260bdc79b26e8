import { readFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { JobService } from "../../app/job-service.ts";
import type { Container } from "../../composition-root.ts";
import { AppError } from "../../errors.ts";
import { type AppOptions, buildApp } from "./app.ts";
import { forwardJobs, tailAudit, watchCandles } from "./event-sources.ts";
import { JobHost } from "./job-host.ts";
import { STREAM_DOCS, StreamHub } from "./streams.ts";

export interface ServeOptions {
  host: string;
  port: number;
  tlsCert?: string;
  tlsKey?: string;
  /** a TLS-terminating proxy in front: plain HTTP on a non-loopback address is then allowed */
  behindProxy?: boolean;
  onError?: (e: unknown) => void;
  /** MCP over streamable HTTP at POST /mcp (the caller's principal is the agent's identity) */
  mcp?: AppOptions["mcp"];
}

export interface RunningServer {
  url: string;
  /** the WebSocket fan-out (events can be published into it) */
  hub: StreamHub;
  jobs: JobService;
  /** the threads job bodies run on */
  jobHost: JobHost;
  close(): Promise<void>;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

export const isLoopback = (host: string): boolean => LOOPBACK.test(host);

/**
 * Doors locked by default: loopback needs nothing more; any other address needs a password set
 * and either TLS certificate files or an explicit --behind-proxy, or kairos refuses to start
 */
export function checkBind(o: ServeOptions, hasPassword: boolean): void {
  if (isLoopback(o.host)) return;
  if (!hasPassword)
    throw new AppError(
      "INVALID_INPUT",
      `--host ${o.host} is reachable from other machines and no password is set: run \`kairos auth set-password\` first, or bind 127.0.0.1`,
      { details: { field: "host" } },
    );
  const tls = o.tlsCert !== undefined && o.tlsKey !== undefined;
  if (!tls && o.behindProxy !== true)
    throw new AppError(
      "INVALID_INPUT",
      `--host ${o.host} without TLS would send passwords in clear: pass --tls-cert FILE --tls-key FILE, or --behind-proxy when a TLS proxy fronts kairos`,
      { details: { field: "host" } },
    );
}

/** Starts the API on the container's home; resolves when listening */
export async function startServer(c: Container, o: ServeOptions): Promise<RunningServer> {
  checkBind(o, c.auth.hasPassword());
  const log = o.onError ?? (() => {});
  // running progress is stored by the job threads (a write here could wait on a session's lock)
  const jobs = new JobService(c.jobStore, c.clock, { log, persistProgress: false });
  // job bodies run on worker threads, so a long job never stalls this event loop
  const jobHost = new JobHost(c.home, { log });
  // jobs an earlier server left running are 'interrupted', never silently lost
  jobs.recoverInterrupted();
  const hub = new StreamHub(c.auth, log);
  const app = buildApp(c, {
    ...(o.onError === undefined ? {} : { onError: o.onError }),
    ...(o.mcp === undefined ? {} : { mcp: o.mcp }),
    jobs,
    jobThreadsStoreProgress: true,
    jobHost,
    streams: STREAM_DOCS,
  });
  const tls = o.tlsCert !== undefined && o.tlsKey !== undefined;
  let serverOptions: { key: Buffer; cert: Buffer } | undefined;
  if (tls) {
    try {
      serverOptions = { key: readFileSync(o.tlsKey!), cert: readFileSync(o.tlsCert!) };
    } catch {
      throw new AppError("INVALID_INPUT", "--tls-cert/--tls-key: cannot read the files; check the paths", {
        details: { field: "tls" },
      });
    }
  }
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        hostname: o.host,
        port: o.port,
        ...(serverOptions === undefined ? {} : { createServer: createHttpsServer, serverOptions }),
      },
      (info: AddressInfo) => {
        const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
        const stopAudit = tailAudit(c, hub, log);
        const stopJobs = forwardJobs(jobs, hub);
        const stopCandles = watchCandles(c, hub, log);
        resolve({
          url: `${tls ? "https" : "http"}://${host}:${info.port}`,
          hub,
          jobs,
          jobHost,
          close: async () => {
            stopAudit();
            stopJobs();
            stopCandles();
            await jobs.close();
            await jobHost.close();
            await hub.close();
            await new Promise<void>((r) => {
              server.close(() => r());
              (server as { closeAllConnections?: () => void }).closeAllConnections?.();
            });
          },
        });
      },
    );
    server.on("upgrade", (req, socket, head) => hub.handleUpgrade(req, socket, head));
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        new AppError(
          "CONFLICT",
          e.code === "EADDRINUSE"
            ? `port ${o.port} on ${o.host} is in use: pass another --port`
            : `cannot listen on ${o.host}:${o.port} (${e.code ?? "error"})`,
        ),
      ),
    );
  });
}
