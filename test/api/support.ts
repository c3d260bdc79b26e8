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
