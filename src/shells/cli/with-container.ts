import type { Command } from "commander";
import { type Container, createContainer } from "../../composition-root.ts";
import { type CliGlobals, globalsOf } from "./context.ts";
import { watchStaleness } from "./stale-warnings.ts";

/** Runs `fn` with a container for the command's --home, closing it afterwards */
export async function withContainer<T>(
  cmd: Command,
  fn: (c: Container, g: CliGlobals) => T | Promise<T>,
  home?: string,
): Promise<T> {
  const g = globalsOf(cmd);
  const c = createContainer({ home: home ?? g.home });
  // every command that reads a series says when its newest bar is old
  const stale = watchStaleness(c);
  try {
    const out = await fn(stale.container, g);
    stale.report();
    return out;
  } finally {
    c.close();
  }
}
