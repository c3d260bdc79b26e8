#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by scripts/build.mjs, which `prepare` runs on install). When dist/
// is missing or older than a source file (a checkout or an edit since the last build), or with
// KAIROS_FROM_SOURCE=1, it runs the TypeScript sources through tsx instead: slower to start (~2 s),
// but always the current code. Checking costs one stat per source file (a few milliseconds).
// KAIROS_FROM_SOURCE=0 runs dist/ without the check (the start-up bench, while others edit src/).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

// `kairos --version` alone needs none of the CLI: answer it before loading the bundle (which costs
// ~0.25 s of parsing); test/startup/version.test.ts keeps it equal to the program's own --version
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  process.stdout.write(`${JSON.parse(readFileSync(`${root}package.json`, "utf8")).version}\n`);
  process.exit(0);
}
// long-running commands run with glibc malloc limited to 2 arenas (why, and how signals and the exit
// code pass through: src/shells/cli/long-running.mjs); glibc reads it only at start, so node starts
// again with it when it is not set yet. A command that ends quickly is not relaunched, and does not
// load the module: only a command line naming one of these may be long-running (the module decides;
// test/startup/long-running-relaunch.test.ts keeps this list equal to the module's)
const LONG_RUNNING_WORDS = ["alerts", "bot", "mcp", "serve", "sim", "trade", "worker"];
if (
  process.env.KAIROS_LAUNCHER_FD !== undefined ||
  (!process.channel && args.some((a) => LONG_RUNNING_WORDS.includes(a)))
) {
  const lr = await import("../src/shells/cli/long-running.mjs");
  lr.watchLauncher();
  // MALLOC_ARENA_MAX is glibc's: on macOS and Windows a relaunch would buy nothing (on a musl Linux,
  // Alpine, it costs one node start and musl ignores the variable)
  const linux = process.platform === "linux";
  const env =
    linux && lr.isLongRunning(args) && !process.channel ? lr.longRunningEnv(process.env) : undefined;
  if (env !== undefined) await lr.relaunch(fileURLToPath(import.meta.url), args, env);
}
const built = `${root}dist/shells/cli/main.js`;

/** True when dist/ holds a build at least as new as every source file the build reads */
function distIsCurrent() {
  let builtAt;
  try {
    builtAt = statSync(built).mtimeMs;
  } catch {
    return false;
  }
  let names;
  try {
    names = readdirSync(`${root}src`, { recursive: true });
  } catch {
    return true; // an installed package without its sources: the build is all there is
  }
  for (const name of names) {
    // tests are not part of the build; editing one must not send the CLI back to tsx
    if (!/\.(ts|mjs|js)$/.test(name) || /\.test\.ts$/.test(name)) continue;
    if (statSync(`${root}src/${name}`).mtimeMs > builtAt) return false;
  }
  return true;
}

const from = process.env.KAIROS_FROM_SOURCE;
let runCli;
if (from === "0" || (from !== "1" && distIsCurrent())) {
  ({ runCli } = await import("../dist/shells/cli/main.js"));
} else {
  const { register } = await import("tsx/esm/api");
  register();
  ({ runCli } = await import("../src/shells/cli/main.ts"));
}
process.exitCode = await runCli(args);
