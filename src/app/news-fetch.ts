import { z } from "zod";
import { AppError } from "../errors.ts";
import type { Clock } from "../ports/clock.ts";
import type { FeedSource, NewsItem, NewsStore } from "../ports/news-store.ts";
import { parseInput } from "./contract.ts";
import { feedUrlField } from "./news-add.ts";
import { toNewsItem } from "./news-items.ts";

export const NewsFetchInput = z
  .object({
    /** one subscribed feed; every feed when omitted */
    url: feedUrlField().optional(),
  })
  .strict();
export type NewsFetchInput = z.input<typeof NewsFetchInput>;

export interface NewsFetchOutput {
  feeds: { url: string; title?: string; items: number; new: number; error?: string }[];
  new: number;
}

/**
 * `kairos news fetch`: reads every subscribed feed and stores each item once (by guid, else by the
 * link's hash). A feed that fails is reported and recorded; the others are still read.
 */
export async function fetchNews(
  deps: { news: NewsStore; feeds: FeedSource; clock: Clock },
  raw: NewsFetchInput = {},
): Promise<NewsFetchOutput> {
  const input = parseInput(NewsFetchInput, raw);
  const feeds = deps.news.listFeeds().filter((f) => input.url === undefined || f.url === input.url);
  if (feeds.length === 0)
    throw new AppError(
      "NOT_FOUND",
      input.url === undefined
        ? "news fetch: no feeds yet: add one with `kairos news add FEED_URL`"
        : `news fetch: ${input.url} is not subscribed: add it with \`kairos news add ${input.url}\``,
    );
  const out: NewsFetchOutput = { feeds: [], new: 0 };
  for (const f of feeds) {
    const now = deps.clock.now();
    try {
      const doc = await deps.feeds.read(f.url);
      const items = doc.items
        .map((r) => toNewsItem(r, f.url, now))
        .filter((x): x is NewsItem => x !== undefined);
      const fresh = deps.news.addItems(items);
      deps.news.markFetched(f.url, now, doc.title === undefined ? {} : { title: doc.title });
      out.feeds.push({
        url: f.url,
        ...(doc.title === undefined ? {} : { title: doc.title }),
        items: items.length,
        new: fresh,
      });
      out.new += fresh;
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      deps.news.markFetched(f.url, now, { error: e.message });
      out.feeds.push({ url: f.url, items: 0, new: 0, error: e.message });
    }
  }
  return out;
}
