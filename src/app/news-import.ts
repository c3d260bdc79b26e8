import { z } from "zod";
import { parseNewsFile } from "../news/import.ts";
import type { Clock } from "../ports/clock.ts";
import type { NewsItem, NewsStore } from "../ports/news-store.ts";
import { parseInput } from "./contract.ts";
import { toNewsItem } from "./news-items.ts";

export const NewsImportInput = z
  .object({
    /** the file's content */
    text: z.string(),
    /** its name: the format (.csv, .jsonl) and the items' source `import:<name>` */
    fileName: z.string().min(1),
  })
  .strict();
export type NewsImportInput = z.input<typeof NewsImportInput>;

export interface NewsImportOutput {
  items: number;
  new: number;
}

/** `kairos news import FILE`: headlines from a CSV or JSONL file, for offline use; stored once each */
export function importNews(deps: { news: NewsStore; clock: Clock }, raw: NewsImportInput): NewsImportOutput {
  const input = parseInput(NewsImportInput, raw);
  const now = deps.clock.now();
  const name = input.fileName.split(/[\\/]/).at(-1)!;
  const items = parseNewsFile(input.text, name)
    .map((r) => toNewsItem(r, `import:${name}`, now))
    .filter((x): x is NewsItem => x !== undefined);
  return { items: items.length, new: deps.news.addItems(items) };
}
