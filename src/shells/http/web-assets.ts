/**
 * The dashboard's built files (web/dist, made by `npm run build`) served by `kairos serve`. The files
 * hold no data: they are public like the login form they draw, and every figure on the page comes from
 * the token-guarded API. A strict Content-Security-Policy lets the page load scripts, styles and fonts
 * from this server only and talk to this server only, so no request ever leaves it.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { MiddlewareHandler } from "hono";

/** web/dist beside src/ (the build maps import.meta.url to the same place under dist/) */
export const WEB_DIST = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".json": "application/json",
  ".map": "application/json",
};

interface Asset {
  body: Uint8Array;
  type: string;
  immutable: boolean;
}

/** Every file under `dir` by its URL path; empty when the dashboard is not built */
function readAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  let names: string[];
  try {
    names = readdirSync(dir, { recursive: true }).map(String);
  } catch {
    return assets;
  }
  for (const name of names) {
    const file = join(dir, name);
    if (!statSync(file).isFile()) continue;
    const url = `/${relative(dir, file).split(sep).join("/")}`;
    assets.set(url, {
      body: readFileSync(file),
      type: TYPES[extname(name)] ?? "application/octet-stream",
      // Vite names built assets by their content hash
      immutable: url.startsWith("/assets/"),
    });
  }
  return assets;
}

/**
 * GET / and the built files, answered before the API's door; any other path goes on to the API (and
 * its 401 for strangers), so the dashboard adds no way to probe the API
 */
export function webAssets(dir: string = WEB_DIST): MiddlewareHandler {
  const assets = readAssets(dir);
  return async (ctx, next) => {
    const method = ctx.req.method;
    if (method !== "GET" && method !== "HEAD") return next();
    const path = ctx.req.path === "/" ? "/index.html" : ctx.req.path;
    const a = assets.get(path);
    const headers: Record<string, string> = {
      "Content-Security-Policy": DASHBOARD_CSP,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
      "X-Frame-Options": "DENY",
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Resource-Policy": "same-origin",
    };
    if (a === undefined) {
      if (path !== "/index.html") return next();
      return new Response("the dashboard is not built: run `npm run build` in the kairos folder\n", {
        status: 404,
        headers: { ...headers, "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" },
      });
    }
    return new Response(method === "HEAD" ? null : (a.body as Uint8Array<ArrayBuffer>), {
      status: 200,
      headers: {
        ...headers,
        "Content-Type": a.type,
        "Cache-Control": a.immutable ? "public, max-age=31536000, immutable" : "no-store",
      },
    });
  };
}
