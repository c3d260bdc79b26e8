import type { Command } from "commander";
import { createContainer } from "../../../composition-root.ts";
import { globalsOf, printInfo } from "../context.ts";

/** `kairos mcp`: the MCP server over stdio (read tools only) for desktop and other MCP clients */
export function registerMcpCommand(program: Command): void {
  program
    .command("mcp")
    .description("MCP server over stdio: read-only tools for AI agents (stdout carries the protocol)")
    .addHelpText(
      "after",
      '\nClient configuration (any stdio MCP client):\n  {"mcpServers": {"kairos": {"command": "kairos", "args": ["mcp"]}}}',
    )
    .action(async (_o: unknown, cmd: Command) => {
      // the MCP SDK (~0.3 s to import) loads for this command only
      const { serveMcpStdio } = await import("../../mcp/server.ts");
      const c = createContainer({ home: globalsOf(cmd).home });
      try {
        await serveMcpStdio(c, (e) =>
          printInfo(`tool failed: ${e instanceof Error ? e.message : String(e)}`),
        );
      } finally {
        c.close();
      }
    });
}
