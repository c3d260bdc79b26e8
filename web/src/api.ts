// The dashboard's only door to kairos: the HTTP API on the same origin. Operations are found by their
// operationId in /openapi.json, so a route the API gains shows up here without a new build, and a
// route it lacks is named on the page instead of faked.

/** An error body from the API's error table */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface OpenApiOperation {
  operationId?: string;
  "x-kairos-access"?: string;
}

interface Route {
  method: string;
  path: string;
  access: string;
}

/** The sessions list is answered a page at a time (default 50): the dashboard asks for the largest page */
export const SESSIONS_PAGE = { limit: 1000 } as const;

// the token lives in this tab's sessionStorage: it ends with the tab, and the strict CSP (scripts from
// this origin only) is what keeps other code from reading it
const TOKEN_KEY = "kairos.token";

export class Api {
  private routes = new Map<string, Route>();
  /** called when the API says the session is over (401), so the shell can show the login again */
  onSignedOut: () => void = () => {};

  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  /** Reads /openapi.json (public) to learn which operations exist */
  async discover(): Promise<void> {
    const doc = (await this.request("GET", "/openapi.json", undefined, false)) as {
      paths: Record<string, Record<string, OpenApiOperation>>;
    };
    this.routes.clear();
    for (const [path, methods] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(methods))
        if (op.operationId !== undefined)
          this.routes.set(op.operationId, {
            method: method.toUpperCase(),
            path,
            access: op["x-kairos-access"] ?? "read",
          });
  }

  /** Whether the API offers an operation (by operationId) */
  has(id: string): boolean {
    return this.routes.has(id);
  }

  /** The first of `ids` the API offers */
  firstOf(...ids: string[]): string | undefined {
    return ids.find((id) => this.routes.has(id));
  }

  async login(password: string): Promise<void> {
    const r = (await this.request("POST", "/auth/login", { password }, false)) as { token: string };
    sessionStorage.setItem(TOKEN_KEY, r.token);
  }

  async logout(): Promise<void> {
    try {
      if (this.token !== null) await this.request("POST", "/auth/logout", undefined, true);
    } finally {
      sessionStorage.removeItem(TOKEN_KEY);
    }
  }

  /** Calls an operation by its operationId; `input` is the body of a POST, the query of a GET (a list's page) */
  async op<T>(id: string, input?: unknown): Promise<T> {
    const r = this.routes.get(id);
    if (r === undefined) throw new ApiError(404, "NOT_FOUND", `the API has no operation ${id}`);
    if (r.method === "GET") {
      const q =
        input === undefined
          ? ""
          : `?${new URLSearchParams(Object.entries(input as Record<string, string | number>).map(([k, v]) => [k, String(v)]))}`;
      return (await this.request("GET", `${r.path}${q}`, undefined, true)) as T;
    }
    return (await this.request(r.method, r.path, input ?? {}, true)) as T;
  }

  private async request(method: string, path: string, body: unknown, auth: boolean): Promise<unknown> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    const token = this.token;
    if (auth && token !== null) headers.authorization = `Bearer ${token}`;
    const res = await fetch(path, {
      method,
      headers,
      credentials: "omit",
      cache: "no-store",
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      throw new ApiError(
        res.status,
        "INTERNAL",
        `the API answered ${res.status} with something that is not JSON`,
      );
    }
    if (!res.ok) {
      const e = (json as { error?: { code?: string; message?: string } } | null)?.error;
      const err = new ApiError(res.status, e?.code ?? "INTERNAL", e?.message ?? `HTTP ${res.status}`);
      if (res.status === 401 && auth) {
        sessionStorage.removeItem(TOKEN_KEY);
        this.onSignedOut();
      }
      throw err;
    }
    return json;
  }
}
