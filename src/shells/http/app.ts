/**
 * The HTTP face: hono (small, typed, Web-standard Request/Response, runs on Node through
 * @hono/node-server). Every route needs a bearer token except PUBLIC_ROUTES; the routes come from
 * OPERATIONS (the use cases' zod contracts), and /openapi.json is generated from the same table.
 */
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { z } from "zod";
import type { Principal } from "../../app/auth-service.ts";
import { LoginInput } from "../../app/auth-service.ts";
import { parseInput } from "../../app/contract.ts";
import { JobService } from "../../app/job-service.ts";
import type { Container } from "../../composition-root.ts";
import { AppError, ERROR_TABLE, isAppError } from "../../errors.ts";
import { JobHost } from "./job-host.ts";
import { OPERATIONS, type OpContext, type Operation } from "./operations.ts";
import { webAssets } from "./web-assets.ts";

/** The only routes answered without a token (method and path as the router registers them) */
export const PUBLIC_ROUTES: readonly string[] = ["GET /health", "POST /auth/login", "GET /openapi.json"];

type Env = { Variables: { principal: Principal } };

const JSON_TYPE = { "content-type": "application/json" };

/** The one error body of the API; the status comes from ERROR_TABLE */
export function errorBody(e: AppError): {
  error: { code: string; message: string; details: Record<string, unknown> };
} {
  return { error: { code: e.code, message: e.message, details: e.details } };
}

const toAppError = (e: unknown): AppError =>
  isAppError(e)
    ? e
    : // a foreign error's text may hold paths or secrets: the client gets the code only
      new AppError(
        "INTERNAL",
        "internal error; run the same request from the CLI with --debug for the cause",
      );

const bearer = (h: string | undefined): string | undefined => {
  const m = h === undefined ? null : /^Bearer ([^\s]+)$/.exec(h);
  return m?.[1];
};

async function readBody(req: Request): Promise<unknown> {
  const text = await req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new AppError("INVALID_INPUT", "the request body is not JSON: send a JSON object", {
      details: { field: "body" },
    });
  }
}

/** Builds the router for one container; `onError` sees foreign errors (for the server's log) */
export interface AppOptions {
  onError?: (e: unknown) => void;
  /** MCP over streamable HTTP at POST /mcp (given by the caller, so shells/http never imports shells/mcp) */
  mcp?: (
    req: Request,
    x: {
      principal: Principal;
      jobs: JobService;
      /** computes an `offload` operation on the server's job threads (JobHost.call) */
      offload: (o: { op: string; raw: unknown; principal: Principal }) => Promise<unknown>;
    },
  ) => Promise<Response>;
  /** the server's jobs (one per server); a fresh one over the container's store when omitted */
  jobs?: JobService;
  /** `jobs` was made with persistProgress: false: the job threads store running progress */
  jobThreadsStoreProgress?: boolean;
  /** where job bodies run (threads off this event loop); a fresh one when omitted */
  jobHost?: JobHost;
  /** channels of the WebSocket streams, documented in /openapi.json (x-kairos-streams) */
  streams?: readonly { name: string; summary: string }[];
}

export function buildApp(c: Container, opts: AppOptions = {}): Hono<Env> {
  const app = new Hono<Env>();
  const jobs =
    opts.jobs ?? new JobService(c.jobStore, c.clock, opts.onError === undefined ? {} : { log: opts.onError });
  // a server's JobService leaves running progress to the job threads (serve.ts); a fresh one stores it itself
  const storeJobProgress = opts.jobs !== undefined && opts.jobThreadsStoreProgress === true;
  const host = opts.jobHost ?? new JobHost(c.home, opts.onError === undefined ? {} : { log: opts.onError });

  app.onError((e, ctx) => {
    if (!isAppError(e)) opts.onError?.(e);
    const err = toAppError(e);
    return ctx.json(errorBody(err), ERROR_TABLE[err.code].http as 400);
  });
  app.notFound((ctx) =>
    ctx.json(
      errorBody(new AppError("NOT_FOUND", `no route ${ctx.req.method} ${ctx.req.path}: see /openapi.json`)),
      404,
    ),
  );

  app.use(
    "*",
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: (ctx) =>
        ctx.json(errorBody(new AppError("INVALID_INPUT", "the request body is larger than 1 MiB")), 413),
    }),
  );

  // the dashboard's built files (they hold no data); every other path meets the door below
  app.use("*", webAssets());

  // doors: a token on everything but the allowlist; CORS denied (no Access-Control-* header is ever
  // sent, and a browser's preflight is refused), so a web page elsewhere cannot drive the API
  app.use("*", async (ctx, next) => {
    ctx.header("Cache-Control", "no-store");
    ctx.header("X-Content-Type-Options", "nosniff");
    if (ctx.req.method === "OPTIONS")
      return ctx.json(errorBody(new AppError("FORBIDDEN", "cross-origin requests are not allowed")), 403);
    if (PUBLIC_ROUTES.includes(`${ctx.req.method} ${ctx.req.path}`)) return next();
    ctx.set("principal", c.auth.verify(bearer(ctx.req.header("authorization"))));
    return next();
  });

  app.get("/health", (ctx) => ctx.json({ ok: true }));
  app.post("/auth/login", async (ctx) => {
    const t = await c.auth.login(parseInput(LoginInput, await readBody(ctx.req.raw)));
    return ctx.json({
      token: t.token,
      tokenId: t.id,
      kind: t.kind,
      expiresAt: t.expiresAt,
      scheme: "Bearer",
    });
  });
  app.post("/auth/logout", (ctx) => {
    c.auth.revoke({ id: ctx.get("principal").tokenId });
    return ctx.json({ revoked: ctx.get("principal").tokenId });
  });
  const mcp = opts.mcp;
  // the document is built once: it depends on nothing but the table
  const doc = JSON.stringify(openApiDocument({ mcp: mcp !== undefined, streams: opts.streams ?? [] }));
  app.get("/openapi.json", (ctx) => ctx.body(doc, 200, { "content-type": "application/json" }));
  // any token may use it: MCP offers the read tools and propose_order only
  if (mcp !== undefined)
    app.post("/mcp", (ctx) =>
      mcp(ctx.req.raw, { principal: ctx.get("principal"), jobs, offload: (o) => host.call(o) }),
    );

  // read replies derived only from the code or the stored market data, reused until that changes:
  // data list/show re-read every timestamp of a series to find its gaps, which is most of a
  // request's time (and its garbage) at 200 requests/s. The candle key is the home's data revision
  // (raised by triggers on every committed candle or funding write, from any process), not SQLite's
  // data_version, which a trading session moves on every bar.
  const replies = new Map<string, { version: string; body: string }>();
  const versionOf = (kind: "static" | "candles"): string =>
    kind === "static" ? "static" : `candles:${c.dataRevision()}`;
  const MAX_CACHED = 256;

  for (const op of OPERATIONS) {
    const handler = async (ctx: {
      req: { raw: Request };
      get: (k: "principal") => Principal;
      header: (k: string, v: string) => void;
      json: (v: unknown, status?: 202) => Response;
      body: (b: string, status: 200, headers: Record<string, string>) => Response;
    }) => {
      const principal = ctx.get("principal");
      if (op.access === "person" && principal.kind !== "person")
        throw new AppError(
          "FORBIDDEN",
          `${op.path} needs a person's session; agent tokens may only read and propose`,
        );
      const raw = op.input === undefined ? undefined : await readBody(ctx.req.raw);
      const x: OpContext = { c, principal, jobs };
      if (op.job === true) {
        // invalid input is a 400 now, never a failed job later
        if (op.input !== undefined) parseInput(op.input, raw);
        op.guard?.(x, raw);
        // the work runs on a thread of its own, never on this event loop (./job-host.ts)
        const job = jobs.start(op.id, `${principal.kind}:${principal.name}`, raw ?? null, (j) =>
          host.run({ op: op.id, id: j.id, raw: raw ?? null, principal, storeProgress: storeJobProgress }, j),
        );
        return ctx.json(job, 202);
      }
      op.guard?.(x, raw);
      if (op.page === true) {
        const page = pageOf(ctx.req.raw);
        let items: unknown[];
        let total: number;
        if (op.runPage !== undefined) ({ items, total } = op.runPage(x, page));
        else {
          const all = await op.run(x, raw);
          if (!Array.isArray(all)) return ctx.json(all ?? null);
          items = all.slice(page.offset, page.offset + page.limit);
          total = all.length;
        }
        ctx.header("X-Total-Count", String(total));
        const links = pageLinks(op.path, page, total);
        if (links !== "") ctx.header("Link", links);
        return ctx.json(items);
      }
      if (op.offload === true) {
        // invalid input is answered here, without a thread
        if (op.input !== undefined) parseInput(op.input, raw);
        return ctx.json((await host.call({ op: op.id, raw: raw ?? null, principal })) ?? null);
      }
      if (op.cache === undefined) return ctx.json((await op.run(x, raw)) ?? null);
      const key = `${op.id} ${JSON.stringify(raw ?? null)}`;
      const version = versionOf(op.cache);
      const hit = replies.get(key);
      if (hit !== undefined && hit.version === version) return ctx.body(hit.body, 200, JSON_TYPE);
      const body = JSON.stringify((await op.run(x, raw)) ?? null);
      if (replies.size >= MAX_CACHED) replies.clear();
      replies.set(key, { version, body });
      return ctx.body(body, 200, JSON_TYPE);
    };
    if (op.method === "get") app.get(op.path, (ctx) => handler(ctx));
    else app.post(op.path, (ctx) => handler(ctx));
  }
  return app;
}

/**
 * A list route's page when the query names none, and the most one page holds. 50, not 200: a
 * page's cost (rows read, objects built, bytes written) grows with its length, and at 200 the
 * trade sessions list (~36 kB) missed the read routes' 20 ms p99 under load; a client that wants
 * more asks for it (?limit=, up to PAGE_MAX) or follows the Link header
 */
export const PAGE_DEFAULT = 50;
export const PAGE_MAX = 1000;

/**
 * RFC 8288 `Link` values to the neighbouring pages of a list (first, prev, next, last, as GitHub
 * sends them), relative to the route's path; "last" is the final `limit` items, so on a list kept
 * oldest first (trade sessions) it is the newest page. Empty when the list fits in this page.
 */
export function pageLinks(path: string, page: { limit: number; offset: number }, total: number): string {
  const { limit, offset } = page;
  const at = (o: number, rel: string): string => `<${path}?limit=${limit}&offset=${o}>; rel="${rel}"`;
  const out: string[] = [];
  if (offset > 0) out.push(at(0, "first"), at(Math.max(0, offset - limit), "prev"));
  if (offset + limit < total) out.push(at(offset + limit, "next"), at(Math.max(0, total - limit), "last"));
  return out.join(", ");
}

/** `?limit=&offset=` of a list route: whole numbers, limit 1 to PAGE_MAX */
function pageOf(req: Request): { limit: number; offset: number } {
  const q = new URL(req.url).searchParams;
  const whole = (name: string, v: string | null, min: number, max: number, dflt: number): number => {
    if (v === null) return dflt;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n < min || n > max)
      throw new AppError(
        "INVALID_INPUT",
        `?${name}=${v.slice(0, 20)}: use a whole number from ${min} to ${max}`,
        {
          details: { field: name },
        },
      );
    return n;
  };
  return {
    limit: whole("limit", q.get("limit"), 1, PAGE_MAX, PAGE_DEFAULT),
    offset: whole("offset", q.get("offset"), 0, Number.MAX_SAFE_INTEGER, 0),
  };
}

/** Extra documented routes outside OPERATIONS (auth and the document itself) */
const OWN_ROUTES = [
  { method: "get", path: "/health", id: "health", summary: "liveness, no token needed", access: "public" },
  {
    method: "post",
    path: "/auth/login",
    id: "auth_login",
    summary: "a person's session token for the password (1 h)",
    access: "public",
    input: LoginInput,
  },
  {
    method: "post",
    path: "/auth/logout",
    id: "auth_logout",
    summary: "revokes the calling token",
    access: "read",
  },
  { method: "get", path: "/openapi.json", id: "openapi", summary: "this document", access: "public" },
  {
    method: "post",
    path: "/mcp",
    id: "mcp",
    summary: "MCP (streamable HTTP, JSON-RPC in the body): the read tools and propose_order of `kairos mcp`",
    access: "read",
  },
] as const;

/** The headers of a list route's page, as /openapi.json documents them */
const PAGE_HEADERS = {
  "X-Total-Count": { description: "items in the whole list", schema: { type: "integer", minimum: 0 } },
  Link: {
    description:
      'RFC 8288 links to the first, prev, next and last pages (`<path?limit=&offset=>; rel="next"`), those that exist',
    schema: { type: "string" },
  },
};

const jsonSchemaOf = (s: z.ZodType): unknown =>
  // the input side: what a client sends ("14" or 14, "0.1%"), before the contract's transforms
  z.toJSONSchema(s, { io: "input", unrepresentable: "any", target: "draft-2020-12" });

/** OpenAPI 3.1 from the contracts; x-kairos-access says who may call each operation */
export function openApiDocument(o: {
  mcp: boolean;
  streams?: readonly { name: string; summary: string }[];
}): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorRef = { $ref: "#/components/schemas/Error" };
  const all: {
    method: string;
    path: string;
    id: string;
    summary: string;
    access: string;
    input?: z.ZodType;
    job?: boolean;
    page?: boolean;
  }[] = [...OWN_ROUTES.filter((r) => o.mcp || r.path !== "/mcp"), ...OPERATIONS];
  for (const r of all) {
    const isJob = "job" in r && r.job === true;
    const op: Record<string, unknown> = {
      operationId: r.id,
      summary: r.summary,
      "x-kairos-access": r.access,
      ...(isJob ? { "x-kairos-job": true } : {}),
      responses: {
        ...(isJob
          ? {
              "202": {
                description: "the job, queued: follow it at /v1/jobs/get or on the `jobs` WebSocket channel",
                content: { "application/json": { schema: { $ref: "#/components/schemas/Job" } } },
              },
            }
          : {
              "200": {
                description: "the use case's result, as `kairos ... --json` prints it",
                content: { "application/json": { schema: {} } },
                ...("page" in r && r.page === true ? { headers: PAGE_HEADERS } : {}),
              },
            }),
        default: {
          description: "an error from the error table",
          content: { "application/json": { schema: errorRef } },
        },
      },
    };
    if (r.access !== "public") op.security = [{ bearer: [] }];
    else op.security = [];
    if ("page" in r && r.page === true)
      op.parameters = [
        {
          name: "limit",
          in: "query",
          required: false,
          description:
            "items in this page; the header X-Total-Count gives the whole count and Link (RFC 8288) the first, prev, next and last pages",
          schema: { type: "integer", minimum: 1, maximum: PAGE_MAX, default: PAGE_DEFAULT },
        },
        {
          name: "offset",
          in: "query",
          required: false,
          description: "items skipped before this page, in the list's own order",
          schema: { type: "integer", minimum: 0, default: 0 },
        },
      ];
    if (r.input !== undefined)
      op.requestBody = { required: true, content: { "application/json": { schema: jsonSchemaOf(r.input) } } };
    paths[r.path] = { ...(paths[r.path] ?? {}), [r.method]: op };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "kairos",
      version: "0.1.0",
      description:
        "kairos's use cases over HTTP; every route needs a bearer token except health, login and this document",
    },
    paths,
    "x-kairos-streams": {
      url: "/v1/stream",
      auth: "Authorization: Bearer <token>, or (browsers) Sec-WebSocket-Protocol: kairos.v1, kairos.bearer.<token>",
      subscribe: '{"subscribe": ["candles", "signals", "orders", "alerts", "jobs"]}',
      channels: o.streams ?? [],
    },
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description:
            "opaque random token (not a JWT): POST /auth/login, or `kairos auth token create --agent NAME`",
        },
      },
      schemas: {
        Job: {
          type: "object",
          required: ["id", "kind", "state", "by", "createdAt"],
          properties: {
            id: { type: "string" },
            kind: { type: "string" },
            state: {
              type: "string",
              enum: ["queued", "running", "done", "failed", "cancelled", "interrupted"],
            },
            by: { type: "string" },
            input: {},
            createdAt: { type: "integer" },
            startedAt: { type: ["integer", "null"] },
            endedAt: { type: ["integer", "null"] },
            progress: {},
            result: {},
            error: {},
          },
        },
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: {
                code: { type: "string", enum: Object.keys(ERROR_TABLE) },
                message: { type: "string" },
                details: { type: "object" },
              },
            },
          },
        },
      },
    },
  };
}

export type { Operation };
