import type { Command } from "commander";
import { AppError } from "../../../errors.ts";
import { printInfo, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";
import { table } from "./data-format.ts";

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const ch of stream) chunks.push(Buffer.isBuffer(ch) ? ch : Buffer.from(String(ch)));
  return Buffer.concat(chunks).toString("utf8");
}

/** A password typed at the terminal without echo */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY)
    throw new AppError("INVALID_INPUT", "stdin is not a terminal: pass the password with --stdin", {
      details: { field: "stdin" },
    });
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let text = "";
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (s: string) => {
      for (const ch of s) {
        if (ch === "\r" || ch === "\n") return done();
        if (ch === "\u0003") return done(new AppError("CANCELLED", "cancelled"));
        if (ch === "\u007f") text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on("data", onData);
  });
}

/** `kairos auth`: the API's password and tokens */
export function registerAuthCommand(program: Command): void {
  const auth = program
    .command("auth")
    .description("the API and MCP credentials: the person's password and agent tokens");
  auth
    .command("set-password")
    .description("set the person's password (scrypt hash in the home); ends every open session")
    .option("--stdin", "read the password from stdin (for scripts), up to the first newline")
    .action((opts: { stdin?: boolean }, cmd: Command) =>
      withContainer(cmd, async (c, g) => {
        let password: string;
        if (opts.stdin === true) password = (await readAll(process.stdin)).split(/\r?\n/)[0] ?? "";
        else {
          password = await promptHidden("new password: ");
          const again = await promptHidden("again: ");
          if (again !== password)
            throw new AppError("INVALID_INPUT", "the two passwords differ; run it again");
        }
        await c.auth.setPassword({ password });
        if (g.json) printJson({ passwordSet: true });
        else printLine("password set; open sessions were ended");
      }),
    );
  const token = auth.command("token").description("agent tokens: read (and propose) only");
  token
    .command("create")
    .description("a new agent token; it is shown once, only its hash is kept")
    .requiredOption("--agent <name>", "a name for the agent (letters, digits, . _ -)")
    .action((opts: { agent: string }, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const t = c.auth.createAgentToken({ name: opts.agent });
        if (g.json) return printJson(t);
        printLine(t.token);
        printInfo(
          `agent token ${t.id} for ${t.name}: shown once; revoke with \`kairos auth token revoke ${t.id}\``,
        );
      }),
    );
  token
    .command("list")
    .description("tokens: id, kind, name, created, expiry, revoked (never the tokens)")
    .action((_o: unknown, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        const all = c.auth.listTokens();
        if (g.json) return printJson(all);
        const iso = (t: number | null) => (t === null ? "-" : new Date(t).toISOString());
        printLine(
          table(
            ["id", "kind", "name", "created", "expires", "revoked"],
            all.map((t) => [t.id, t.kind, t.name, iso(t.createdAt), iso(t.expiresAt), iso(t.revokedAt)]),
          ),
        );
      }),
    );
  token
    .command("revoke <id>")
    .description("revoke a token by id")
    .action((id: string, _o: unknown, cmd: Command) =>
      withContainer(cmd, (c, g) => {
        c.auth.revoke({ id });
        if (g.json) printJson({ revoked: id });
        else printLine(`revoked ${id}`);
      }),
    );
}
