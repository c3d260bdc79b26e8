import type { Command } from "commander";
import { z } from "zod";
import { parseInput, wholeNumberField } from "../../../app/contract.ts";
import { createContainer } from "../../../composition-root.ts";
import { globalsOf, printInfo, printJson } from "../context.ts";
import { stopSignal } from "../stop-signal.ts";

const ServeInput = z
  .object({
    host: z.string().min(1).max(255),
    port: wholeNumberField({ min: 0, max: 65535 }),
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    behindProxy: z.boolean().optional(),
  })
  .strict();

/** `kairos serve`: the HTTP API on 127.0.0.1 until Ctrl-C */
export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description(
      "the HTTP API (bearer tokens, OpenAPI at /openapi.json); loopback only unless told otherwise",
    )
    .option("--host <address>", "address to bind", "127.0.0.1")
    .option("--port <n>", "port (0 = any free port)", "8787")
    .option("--tls-cert <file>", "TLS certificate (PEM); with --tls-key, needed off loopback")
    .option("--tls-key <file>", "TLS private key (PEM)")
    .option(
      "--behind-proxy",
      "a TLS proxy fronts kairos: allow plain HTTP off loopback (a password is still needed)",
    )
    .addHelpText(
      "after",
      '\nExamples:\n  kairos auth set-password\n  kairos serve\n  curl -s -X POST localhost:8787/auth/login -d \'{"password":"..."}\'',
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      const g = globalsOf(cmd);
      const input = parseInput(ServeInput, opts);
      // the server and the MCP SDK (~0.3 s to import) load here, not when every other command starts
      const { startServer } = await import("../../http/serve.ts");
      const { mcpHttpHandler } = await import("../../mcp/server.ts");
      const c = createContainer({ home: g.home });
      try {
        const s = await startServer(c, {
          host: input.host,
          port: input.port,
          ...(input.tlsCert === undefined ? {} : { tlsCert: input.tlsCert }),
          ...(input.tlsKey === undefined ? {} : { tlsKey: input.tlsKey }),
          ...(input.behindProxy === undefined ? {} : { behindProxy: input.behindProxy }),
          // the cause goes to the server's own terminal only, never to the client
          onError: (e) => printInfo(`request failed: ${e instanceof Error ? e.message : String(e)}`),
          mcp: mcpHttpHandler(c, (e) =>
            printInfo(`tool failed: ${e instanceof Error ? e.message : String(e)}`),
          ),
        });
        // caught before the line saying where it listens
        const stopped = stopSignal();
        if (g.json) printJson({ url: s.url });
        printInfo(`kairos API on ${s.url} (OpenAPI: ${s.url}/openapi.json); Ctrl-C stops it`);
        if (!c.auth.hasPassword())
          printInfo("no password set: only agent tokens work until `kairos auth set-password`");
        await stopped;
        await s.close();
      } finally {
        c.close();
      }
    });
}
