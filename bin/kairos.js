#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so `npm install && npx kairos demo` needs no build step
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../src/shells/cli/main.ts");
process.exitCode = await runCli(process.argv.slice(2));
