// `node --import ./record-imports.mjs ...`: appends every package imported from outside node_modules
// (bare specifiers) to the file named by KAIROS_IMPORT_LOG, one "<specifier> <importing file URL>" a line.
// The start-up test uses it to prove that heavy packages load on first use, not when the CLI starts.
import { appendFileSync } from "node:fs";
import { register } from "node:module";
import { isMainThread } from "node:worker_threads";

// loaded twice: in the main thread (registers this file as the hooks module) and in the hooks thread
if (isMainThread) register(import.meta.url);

/** @type {import("node:module").ResolveHook} */
export async function resolve(specifier, context, next) {
  const log = process.env.KAIROS_IMPORT_LOG;
  const bare = !/^(\.|\/|node:|file:|data:)/.test(specifier);
  if (log && bare && context.parentURL && !context.parentURL.includes("/node_modules/"))
    appendFileSync(log, `${specifier} ${context.parentURL}\n`);
  return next(specifier, context);
}
