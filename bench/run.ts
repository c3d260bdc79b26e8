// Dispatches `npm run bench -- <area> [args]` to bench/<area>.ts; every script prints one JSON line per case
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const areas = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.endsWith(".test.ts"))
  .map((f) => f.slice(0, -3));
const [area, ...rest] = process.argv.slice(2);
if (area === undefined || !existsSync(join(here, `${area}.ts`))) {
  process.stderr.write(`usage: npm run bench -- <area>; areas: ${areas.join(", ")}\n`);
  process.exit(2);
}
process.argv = [process.argv[0]!, join(here, `${area}.ts`), ...rest];
await import(pathToFileURL(join(here, `${area}.ts`)).href);
