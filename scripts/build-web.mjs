#!/usr/bin/env node
// Builds the dashboard (web/) with Vite into web/dist/, which `kairos serve` serves. Type-checks the
// dashboard first (Vite strips types without checking them). Everything is bundled: no request for a
// script, style or font ever leaves the server the page came from.
// `--if-possible` (the `prepare` hook): a failure warns instead of failing the install.
import { execFileSync } from "node:child_process";
import { existsSync, renameSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const web = join(root, "web");
const out = join(web, "dist");
const tmp = join(web, `dist.tmp-${process.pid}`);
const ifPossible = process.argv.includes("--if-possible");

try {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", join(web, "tsconfig.json")], { stdio: "inherit" });
  const { build } = await import("vite");
  await build({
    root: web,
    base: "/",
    configFile: false,
    logLevel: "warn",
    publicDir: false,
    build: {
      outDir: tmp,
      emptyOutDir: true,
      target: "es2022",
      // the preload polyfill would be inline-able code; module preload is native in every browser we target
      modulePreload: { polyfill: false },
      // no inlined assets: data: URLs would need a looser CSP
      assetsInlineLimit: 0,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 1000,
    },
  });
  // swap in whole: a server reading web/dist never sees half a build
  rmSync(`${out}.old`, { recursive: true, force: true });
  if (existsSync(out)) renameSync(out, `${out}.old`);
  renameSync(tmp, out);
  rmSync(`${out}.old`, { recursive: true, force: true });
} catch (err) {
  rmSync(tmp, { recursive: true, force: true });
  if (!ifPossible) throw err;
  process.stderr.write(`kairos: web/dist not built (${String(err).split("\n")[0]}); run \`npm run build\`\n`);
}
