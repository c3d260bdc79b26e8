#!/usr/bin/env node
// Builds dist/: the CLI and the worker-thread kernels as ES modules bundled by esbuild, so a command
// starts by loading a few files instead of transpiling ~300 TypeScript files through tsx (2.4 s -> 0.2 s).
// `prepare` runs it on install; bin/kairos.js falls back to the sources when dist/ is missing or stale.
//
// Layout: entries keep their source path (dist/shells/cli/main.js, dist/backtest/sweep/worker-kernel.js,
// ...), shared code goes to dist/chunks/, and dynamic imports (tfjs, ccxt, the GRU) stay separate chunks
// loaded on first use. Source files that locate things from `import.meta.url` (the data folder, the
// worker entry, the kernels) get the URL their file would have at the same place under dist/, so
// `new URL("../x", import.meta.url)` means the same thing from src/ and from dist/.
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const src = join(root, "src");
const out = join(root, "dist");
const tmp = join(root, `dist.tmp-${process.pid}`);

const posix = (p) => p.split(sep).join("/");

// every kernel a worker thread may load: the modules named in src/adapters/workers/kernels.ts
const kernelsTs = readFileSync(join(src, "adapters/workers/kernels.ts"), "utf8");
const kernelModules = [...new Set([...kernelsTs.matchAll(/at\(\s*"([^"]+\.ts)"/g)].map((m) => m[1]))].map(
  (p) => posix(relative(src, resolve(src, "adapters/workers", p))),
);
if (kernelModules.length === 0)
  throw new Error("build: found no kernel modules in src/adapters/workers/kernels.ts");

const entries = ["shells/cli/main.ts", ...kernelModules].map((p) => ({
  in: join(src, p),
  out: p.replace(/\.ts$/, ""),
}));

// a string no source contains; replaced after bundling, once each file's place in dist/ is known
const MARK = "__kairos_module_url__:";
const sourceUrls = {
  name: "source-urls",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      if (!args.path.startsWith(src + sep)) return undefined;
      const text = readFileSync(args.path, "utf8");
      const rel = posix(relative(src, args.path)).replace(/\.ts$/, ".js");
      if (/import\.meta\.(dirname|filename)/.test(text))
        throw new Error(`${rel}: use import.meta.url (the build maps it to dist/), not dirname/filename`);
      return { contents: text.replaceAll("import.meta.url", JSON.stringify(MARK + rel)), loader: "ts" };
    });
  },
};

// `--if-possible` (the `prepare` hook): a failed build warns instead of failing the install, since
// bin/kairos.js runs the sources when dist/ is missing or stale (a tree in mid-edit must not stop
// `npm install <pkg>`); `npm run build` and CI build strictly
const ifPossible = process.argv.includes("--if-possible");
process.on("uncaughtException", (err) => {
  rmSync(tmp, { recursive: true, force: true });
  if (!ifPossible) throw err;
  process.stderr.write(
    `kairos: dist/ not built (${err.message.split("\n")[0]}); bin/kairos.js runs the sources through tsx until \`npm run build\` succeeds\n`,
  );
  process.exit(0);
});

rmSync(tmp, { recursive: true, force: true });
// bin/kairos.js compares the sources with the entry's time: give it the time the build started reading
// them, so a file saved during the build still counts as newer than the build
const startedAt = new Date();
await build({
  entryPoints: entries,
  outdir: tmp,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  chunkNames: "chunks/[name]-[hash]",
  sourcemap: "linked",
  sourcesContent: false,
  logLevel: "warning",
  plugins: [sourceUrls],
});

// the marked URLs become "the file at dist/<rel>", relative to the output file that holds the code
const markRe = new RegExp(`"${MARK}([^"]+)"`, "g");
for (const f of readdirSync(tmp, { recursive: true })) {
  if (!String(f).endsWith(".js")) continue;
  const file = join(tmp, String(f));
  const text = readFileSync(file, "utf8");
  if (!text.includes(MARK)) continue;
  const fixed = text.replace(markRe, (_m, rel) => {
    let r = posix(relative(dirname(file), join(tmp, rel)));
    if (!r.startsWith(".")) r = `./${r}`;
    return `new URL(${JSON.stringify(r)}, import.meta.url).href`;
  });
  writeFileSync(file, fixed);
}
// the worker entry is plain JavaScript: copied, not bundled (it imports kernels by URL at run time)
mkdirSync(join(tmp, "adapters/workers"), { recursive: true });
copyFileSync(join(src, "adapters/workers/worker-entry.mjs"), join(tmp, "adapters/workers/worker-entry.mjs"));

// move in file by file, chunks before the entries that import them (each rename is atomic): a CLI
// that started on the previous build still finds its chunks (their names hold a content hash), and two
// builds at once both succeed. Chunks no build has written for an hour are removed.
const files = readdirSync(tmp, { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile())
  .map((d) => posix(relative(tmp, join(d.parentPath ?? d.path, d.name))))
  .sort((a, b) => Number(b.startsWith("chunks/")) - Number(a.startsWith("chunks/")));
for (const f of files) {
  mkdirSync(dirname(join(out, f)), { recursive: true });
  renameSync(join(tmp, f), join(out, f));
}
rmSync(tmp, { recursive: true, force: true });
utimesSync(join(out, "shells/cli/main.js"), startedAt, startedAt);
const hourAgo = Date.now() - 3_600_000;
for (const f of readdirSync(join(out, "chunks")))
  if (statSync(join(out, "chunks", f)).mtimeMs < hourAgo) rmSync(join(out, "chunks", f), { force: true });
