// A real `kairos serve` on 127.0.0.1 over a temp home holding bundled data, and Debian's chromium
// pointed at it, with every request the pages make counted
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS } from "../support/browser.ts";
import { ROOT, runKairos } from "../support/cli.ts";
import { PASSWORD } from "../support/dashboard-login.ts";

export { PASSWORD, signIn, submitLogin, waitForHealth } from "../support/dashboard-login.ts";
/** where the run's screenshots go (outside the tree: CI fails on new files) */
export const SHOTS = join(tmpdir(), "kairos-web-screenshots");

const WEB = join(ROOT, "web");

function newestMtime(dir: string): number {
  let t = 0;
  for (const f of readdirSync(dir, { recursive: true }))
    t = Math.max(t, statSync(join(dir, String(f))).mtimeMs);
  return t;
}

/** web/dist as the sources say: built again when a source is newer (CI has just built it) */
export function ensureWebBuilt(): void {
  const index = join(WEB, "dist/index.html");
  const stale =
    !existsSync(index) ||
    statSync(index).mtimeMs <
      Math.max(newestMtime(join(WEB, "src")), statSync(join(WEB, "index.html")).mtimeMs);
  if (!stale) return;
  const r = spawnSync(process.execPath, [join(ROOT, "scripts/build-web.mjs")], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`scripts/build-web.mjs failed:\n${r.stderr}${r.stdout}`);
}

/** Imports bundled files into `home` and sets the password */
export function prepareHome(home: string, files: readonly string[]): void {
  for (const f of files) {
    const r = runKairos(["data", "import", join(ROOT, "data", f)], { home, timeout: 120_000 });
    if (r.code !== 0) throw new Error(`data import ${f}: ${r.stderr}`);
  }
  const r = spawnSync(
    process.execPath,
    [join(ROOT, "bin/kairos.js"), "--home", home, "auth", "set-password", "--stdin"],
    {
      input: `${PASSWORD}\n`,
      encoding: "utf8",
      env: { ...process.env, KAIROS_HOME: "" },
    },
  );
  if (r.status !== 0) throw new Error(`auth set-password: ${r.stderr}`);
}

export interface Server {
  url: string;
  child: ChildProcess;
  log: string[];
}

/** `kairos --json serve --port 0` as a child; resolves with its URL once it listens */
export function startServe(home: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    [join(ROOT, "bin/kairos.js"), "--home", home, "--json", "serve", "--port", "0"],
    {
      env: { ...process.env, KAIROS_HOME: "" },
    },
  );
  const log: string[] = [];
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`kairos serve did not start:\n${log.join("")}`)), 90_000);
    child.stderr!.on("data", (d: Buffer) => log.push(d.toString()));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /"url":\s*"([^"]+)"/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ url: m[1]!, child, log });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`kairos serve exited ${code}:\n${log.join("")}`));
    });
  });
}

export function stopServe(s: Server | undefined): Promise<void> {
  if (s === undefined || s.child.exitCode !== null) return Promise.resolve();
  return new Promise((r) => {
    s.child.once("exit", () => r());
    s.child.kill("SIGTERM");
  });
}

export interface Watched {
  browser: Browser;
  /** console errors and uncaught page errors, in order */
  errors: string[];
  /** requests to anything but 127.0.0.1 (all refused) */
  outside: string[];
  /** every request the pages made, as METHOD URL */
  requests: string[];
  context(
    viewport: { width: number; height: number },
    colorScheme?: "dark" | "light",
  ): Promise<BrowserContext>;
}

export async function launch(): Promise<Watched> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (listed in .ci/run)`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const w: Watched = {
    browser,
    errors: [],
    outside: [],
    requests: [],
    async context(viewport, colorScheme = "dark") {
      const ctx = await browser.newContext({ viewport, colorScheme });
      await ctx.route("**/*", (route) => {
        const req = route.request();
        const u = new URL(req.url());
        w.requests.push(`${req.method()} ${req.url()}`);
        if (u.hostname === "127.0.0.1" || u.protocol === "data:") return route.continue();
        w.outside.push(req.url());
        return route.abort();
      });
      ctx.on("page", (p) => watchPage(p, w.errors));
      return ctx;
    },
  };
  return w;
}

function watchPage(page: Page, errors: string[]): void {
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
}

/** Opens a page by its hash and waits until it says it has drawn its first data */
export async function openPage(page: Page, url: string, id: string, query = ""): Promise<void> {
  const target = `${url}/#/${id}${query}`;
  // the same address again is no navigation: reload, so the page reads the API afresh
  if (page.url() === target) await page.reload();
  else await page.goto(target);
  await page.waitForSelector(`main[data-page="${id}"][data-ready="true"]`, { timeout: 30_000 });
}

export function shotPath(name: string): string {
  mkdirSync(SHOTS, { recursive: true });
  return join(SHOTS, `${name}.png`);
}

export function removeHome(home: string): void {
  rmSync(home, { recursive: true, force: true });
}
