import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { addNewsFeed } from "../../../app/news-add.ts";
import { fetchNews } from "../../../app/news-fetch.ts";
import { importNews } from "../../../app/news-import.ts";
import { listNews } from "../../../app/news-list.ts";
import { AppError, invalidInput } from "../../../errors.ts";
import { globalsOf, printInfo, printJson, printLine } from "../context.ts";
import { withContainer } from "../with-container.ts";
import { table } from "./data-format.ts";

const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** `kairos news add|fetch|import|list`: headlines from RSS/Atom feeds or files, mapped to symbols and scored */
export function registerNewsCommand(program: Command): void {
  const news = program
    .command("news")
    .description("news headlines: RSS/Atom feeds or CSV/JSONL files, mapped to symbols, with sentiment");
  news
    .command("add <feedUrl>")
    .description("subscribe to an RSS 2.0 or Atom feed (read by `kairos news fetch`)")
    .addHelpText("after", "\nExamples:\n  kairos news add https://example.org/crypto/rss.xml")
    .action(async (url: string, _o: unknown, cmd: Command) => {
      const out = await withContainer(cmd, (c) => addNewsFeed({ news: c.news, clock: c.clock }, { url }));
      if (globalsOf(cmd).json) return printJson(out);
      printLine(out.added ? `added ${out.url}` : `${out.url} was already subscribed`);
    });
  news
    .command("fetch")
    .description("read every subscribed feed; each item is stored once (by guid, else by its link's hash)")
    .option("--url <feedUrl>", "only this subscribed feed")
    .action(async (opts: { url?: string }, cmd: Command) => {
      const out = await withContainer(cmd, (c) =>
        fetchNews(
          { news: c.news, feeds: c.feeds, clock: c.clock },
          opts.url === undefined ? {} : { url: opts.url },
        ),
      );
      if (globalsOf(cmd).json) return printJson(out);
      for (const f of out.feeds)
        printLine(
          f.error === undefined
            ? `${f.url}: ${f.items} items, ${f.new} new${f.title === undefined ? "" : ` (${f.title})`}`
            : `${f.url}: failed: ${f.error}`,
        );
      if (out.feeds.every((f) => f.error !== undefined))
        throw new AppError(
          "EXCHANGE_UNAVAILABLE",
          `news fetch: all ${out.feeds.length} feeds failed (above)`,
        );
      printInfo(`${out.new} new headlines stored`);
    });
  news
    .command("import <file>")
    .description(
      "headlines from a CSV (title, link, published, guid, summary) or JSONL file, for offline use",
    )
    .addHelpText("after", "\nExamples:\n  kairos news import data/news/sample-headlines.jsonl")
    .action(async (file: string, _o: unknown, cmd: Command) => {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch {
        throw invalidInput(`news import: cannot read ${file}: check the path`);
      }
      const out = await withContainer(cmd, (c) =>
        importNews({ news: c.news, clock: c.clock }, { text, fileName: file }),
      );
      if (globalsOf(cmd).json) return printJson(out);
      printLine(`${out.items} headlines read, ${out.new} new`);
    });
  news
    .command("list")
    .description("stored headlines, newest first, with language, symbols and sentiment")
    .option("--symbol <symbol>", "only headlines naming this symbol (TAO/USDT)")
    .option("--from <time>", "published at or after (ISO UTC)")
    .option("--to <time>", "published before (ISO UTC)")
    .option("--limit <n>", "at most this many", "50")
    .addHelpText(
      "after",
      "\nExamples:\n  kairos news list --symbol TAO/USDT\n  kairos news list --from 2026-02-01 --json",
    )
    .action(async (opts: { symbol?: string; from?: string; to?: string; limit: string }, cmd: Command) => {
      const out = await withContainer(cmd, (c) =>
        listNews(
          { news: c.news },
          {
            ...(opts.symbol === undefined ? {} : { symbol: opts.symbol }),
            ...(opts.from === undefined ? {} : { from: opts.from }),
            ...(opts.to === undefined ? {} : { to: opts.to }),
            limit: opts.limit,
          },
        ),
      );
      if (globalsOf(cmd).json) return printJson(out);
      if (out.length === 0)
        return printInfo(
          "no headlines stored: `kairos news add URL` then `kairos news fetch`, or `kairos news import FILE`",
        );
      printLine(
        table(
          ["published UTC", "lang", "sentiment", "symbols", "title"],
          out.map((x) => [
            iso(x.publishedAt),
            x.lang,
            `${x.label} ${x.score > 0 ? "+" : ""}${x.score}`,
            x.symbols.join(",") || "-",
            x.title.length > 90 ? `${x.title.slice(0, 87)}...` : x.title,
          ]),
        ),
      );
    });
}
