// Opens a local HTML file in Debian's chromium (playwright-core) with every network request refused
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
/** The flags STACK-NOTES.md lists for Debian's chromium on these machines */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

export interface OpenedPage {
  page: Page;
  /** console errors and uncaught page errors, in order */
  errors: string[];
  /** non-file URLs the page tried to load (all refused) */
  outside: string[];
  /** coloured (drawn, non-white) canvas pixels inside each element of `canvases`, once ready */
  painted: number[];
}

// runs in the page: per container, canvas pixels that are drawn and not the white background
const paintedScript = (ids: readonly string[]): string => `${JSON.stringify(ids)}.map((id) => {
  let coloured = 0;
  for (const c of document.getElementById(id)?.querySelectorAll("canvas") ?? []) {
    const g = c.getContext("2d");
    if (g === null || c.width === 0 || c.height === 0) continue;
    const px = g.getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && (px[i] < 240 || px[i + 1] < 240 || px[i + 2] < 240)) coloured++;
  }
  return coloured;
})`;

// runs in the page on each animation frame: true once every container has painted pixels and the counts
// equal those of the previous frame
const settledScript = (ids: readonly string[]): string => `(() => {
  const now = JSON.stringify(${paintedScript(ids)});
  const settled = now === globalThis.__kairosPainted && JSON.parse(now).every((k) => k > 0);
  globalThis.__kairosPainted = now;
  return settled;
})()`;

export interface OpenOptions {
  /** a page expression that turns true once the page has drawn */
  ready: string;
  /** ids of the elements whose canvases are counted */
  canvases: readonly string[];
  /** where the browser profile lives (a temp folder the test removes) */
  profileDir: string;
  /** a full-page screenshot kept for people to look at */
  screenshot?: string;
}

/**
 * Opens `file` offline, waits for `ready` and for the painted pixels to settle, counts them, takes
 * the screenshot, runs `check` and closes the browser whatever happens
 */
export async function withOfflinePage<T>(
  file: string,
  opts: OpenOptions,
  check: (p: OpenedPage) => Promise<T>,
): Promise<T> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (listed in .ci/run)`);
  const ctx: BrowserContext = await chromium.launchPersistentContext(join(opts.profileDir, "profile"), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    offline: true,
  });
  try {
    const outside: string[] = [];
    await ctx.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file://")) return route.continue();
      outside.push(url);
      return route.abort();
    });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const errors: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`file://${file}`);
    await page.waitForFunction(opts.ready, undefined, { timeout: 20_000 });
    // the charts paint on animation frames after `ready`: wait (no fixed sleep) until every container
    // has painted and the counts stay the same across two consecutive frames
    await page.waitForFunction(settledScript(opts.canvases), undefined, { polling: "raf", timeout: 20_000 });
    const painted = (await page.evaluate(paintedScript(opts.canvases))) as number[];
    if (opts.screenshot !== undefined) {
      mkdirSync(dirname(opts.screenshot), { recursive: true });
      await page.screenshot({ path: opts.screenshot, fullPage: true });
    }
    return await check({ page, errors, outside, painted });
  } finally {
    await ctx.close();
  }
}
