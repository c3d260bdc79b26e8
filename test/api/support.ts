// A real kairos API on 127.0.0.1 (port 0) over a temp home, and a fetch helper
import { afterAll, beforeAll } from "vitest";
import { type Container, createContainer } from "../../src/composition-root.ts";
import { type RunningServer, startServer } from "../../src/shells/http/serve.ts";
import { mcpHttpHandler } from "../../src/shells/mcp/server.ts";

export interface Api {
  url: string;
  c: Container;
  /** foreign errors the server saw (its log) */
  log: string[];
  /** the running server (its stream hub and jobs) */
  server?: RunningServer;
}

/** Starts the API over `home` before the file's tests, stops it after */
export function apiOn(home: string, setup?: (c: Container) => Promise<void>): Api {
  const api = { url: "", log: [] as string[] } as unknown as Api;
  let server: RunningServer | undefined;
  beforeAll(async () => {
    api.c = createContainer({ home });
    if (setup !== undefined) await setup(api.c);
    server = await startServer(api.c, {
      host: "127.0.0.1",
      port: 0,
      onError: (e) => api.log.push(e instanceof Error ? `${e.message}\n${e.stack ?? ""}` : String(e)),
      mcp: mcpHttpHandler(api.c, (e) => api.log.push(String(e))),
    });
    api.url = server.url;
    api.server = server;
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    api.c?.close();
  });
  return api;
}

export interface Reply {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}

export async function call(
  api: Api,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const r = await fetch(`${api.url}${path}`, {
    method,
    headers,
    ...(opts.body === undefined
      ? {}
      : { body: typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body) }),
  });
  const text = await r.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: r.status, body, text, headers: r.headers };
}

export interface Responsiveness<T> {
  /** what the long call resolved to */
  value: T;
  /** the long call's time from start to reply */
  callMs: number;
  /** /health replies received while the long call was still outstanding */
  healthDuring: number;
  /** /health replies in all (the last one may come after the long call's) */
  healthSent: number;
  /** the longest stall of this process's event loop (the server's, in-process) during the call */
  lagMaxMs: number;
}

/**
 * Runs `long()` (a request to the in-process server) while asking /health one request at a time,
 * and measures this process's event-loop delay: a call computed on the server's event loop holds
 * both, so health replies wait for it and the loop's longest stall is most of the call's time;
 * one computed on a job thread leaves health answered throughout and the loop's stalls short
 */
export async function whileRunning<T>(api: Api, long: () => Promise<T>): Promise<Responsiveness<T>> {
  const { monitorEventLoopDelay } = await import("node:perf_hooks");
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  let outstanding = true;
  let healthDuring = 0;
  let healthSent = 0;
  const t0 = performance.now();
  const call = long().finally(() => {
    outstanding = false;
  });
  const probe = (async () => {
    while (outstanding) {
      healthSent++;
      const r = await fetch(`${api.url}/health`);
      await r.text();
      if (r.status !== 200) throw new Error(`/health answered ${r.status}`);
      if (outstanding) healthDuring++;
    }
  })();
  const value = await call;
  const callMs = performance.now() - t0;
  await probe;
  lag.disable();
  return { value, callMs, healthDuring, healthSent, lagMaxMs: lag.max / 1e6 };
}

/** A job as `/v1/jobs/get` answers */
export interface JobReply {
  id: string;
  state: string;
  result: unknown;
  error: { code: string } | null;
}

/** Polls `/v1/jobs/get` until the job reaches a final state (done, failed, cancelled, interrupted) */
export async function finishedJob(api: Api, token: string, id: string, ms = 150_000): Promise<JobReply> {
  const t0 = Date.now();
  for (;;) {
    const j = (await call(api, "POST", "/v1/jobs/get", { token, body: { id } })).body as JobReply;
    if (!["queued", "running"].includes(j.state)) return j;
    if (Date.now() - t0 > ms) throw new Error(`job ${id} still ${j.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
