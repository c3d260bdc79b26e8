// Reads the README's shell examples the way a reader meets them: every ```sh block in file order, each
// line a command. A block or line that needs a server, the network, the reader's own files or many
// minutes is marked in the README source by an HTML comment directly above the block (invisible on
// GitHub), so the rule is written where the example is:
//   <!-- readme-examples: skip REASON -->                   the block is not run
//   <!-- readme-examples: skip-lines "A" "B" REASON -->     lines containing "A" or "B" are not run

export interface ReadmeCommand {
  /** 1-based line in README.md */
  line: number;
  command: string;
}

export interface ReadmeBlock {
  /** 1-based line of the opening fence */
  line: number;
  commands: ReadmeCommand[];
  skipped: ReadmeCommand[];
  /** why the block or its skipped lines are not run ("" when all run) */
  reason: string;
  skip: boolean;
}

const MARKER = /^<!--\s*readme-examples:\s*(skip-lines|skip)\b(.*?)-->\s*$/;

export function readmeShellBlocks(text: string): ReadmeBlock[] {
  const lines = text.split("\n");
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\S*)\s*$/.exec(lines[i] ?? "");
    if (!fence) continue;
    const lang = fence[1] ?? "";
    let end = i + 1;
    while (end < lines.length && !/^```\s*$/.test(lines[end] ?? "")) end++;
    if (lang === "sh") {
      let skip = false;
      let reason = "";
      const skipSubstrings: string[] = [];
      for (let m = i - 1; m >= 0; m--) {
        const marker = MARKER.exec((lines[m] ?? "").trim());
        if (!marker) break;
        const rest = marker[2] ?? "";
        if (marker[1] === "skip") skip = true;
        else for (const q of rest.matchAll(/"([^"]+)"/g)) skipSubstrings.push(q[1] ?? "");
        reason = `${reason} ${rest.replace(/"[^"]+"/g, "").trim()}`.trim();
      }
      const commands: ReadmeCommand[] = [];
      const skipped: ReadmeCommand[] = [];
      for (let j = i + 1; j < end; j++) {
        let command = lines[j] ?? "";
        const line = j + 1;
        while (command.endsWith("\\") && j + 1 < end) command = `${command.slice(0, -1)} ${lines[++j] ?? ""}`;
        if (command.trim() === "" || command.trim().startsWith("#")) continue;
        const entry = { line, command: command.trim() };
        if (skip || skipSubstrings.some((s) => entry.command.includes(s))) skipped.push(entry);
        else commands.push(entry);
      }
      blocks.push({ line: i + 1, commands, skipped, reason, skip });
    }
    i = end;
  }
  return blocks;
}
