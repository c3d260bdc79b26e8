import { AppError, invalidInput } from "../../errors.ts";
import type { FeedDocument, FeedSource } from "../../ports/news-store.ts";

// a feed larger than this is not a headline feed
const MAX_BYTES = 10 * 1024 * 1024;

type ParseFeed = typeof import("@rowanmanning/feed-parser").parseFeed;
let parser: ParseFeed | undefined;
// loaded on first use: the parser and its XML library cost 50-100 ms, which every other command would pay at start-up
const loadParser = async (): Promise<ParseFeed> => {
  parser ??= (await import("@rowanmanning/feed-parser")).parseFeed;
  return parser;
};

/**
 * RSS 2.0 and Atom feeds over HTTP(S), parsed by @rowanmanning/feed-parser (RSS 0.9-2.0 and Atom
 * 1.0, tolerant of the common malformations). Only http and https URLs are read.
 */
export class HttpFeedSource implements FeedSource {
  private readonly timeoutMs: number;

  constructor(opts: { timeoutMs?: number } = {}) {
    this.timeoutMs = opts.timeoutMs ?? 20_000;
  }

  async read(url: string): Promise<FeedDocument> {
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { accept: "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5" },
        redirect: "follow",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new AppError(
        "EXCHANGE_UNAVAILABLE",
        `news: ${new URL(url).origin} did not answer (${(e as Error).name}): check the feed URL or try later`,
        { retryable: true },
      );
    }
    if (!res.ok)
      throw new AppError("EXCHANGE_UNAVAILABLE", `news: ${url} answered HTTP ${res.status}`, {
        retryable: res.status >= 500 || res.status === 429,
      });
    const body = await res.arrayBuffer();
    if (body.byteLength > MAX_BYTES)
      throw invalidInput(`news: ${url} sent ${body.byteLength} bytes, more than a feed's ${MAX_BYTES}`);
    return parseFeedText(new TextDecoder().decode(body), url);
  }
}

/** One RSS or Atom document's title and items; INVALID_INPUT naming the URL when it is neither */
export async function parseFeedText(xml: string, where: string): Promise<FeedDocument> {
  const parseFeed = await loadParser();
  let feed: ReturnType<ParseFeed>;
  try {
    feed = parseFeed(xml);
  } catch (e) {
    throw invalidInput(
      `news: ${where} is not an RSS or Atom feed (${(e as Error).message}): give the feed's URL, not its web page`,
    );
  }
  return {
    ...(feed.title === null ? {} : { title: feed.title }),
    items: feed.items.map((it) => {
      const when = it.published ?? it.updated;
      return {
        ...(it.id === null ? {} : { id: it.id }),
        ...(it.title === null ? {} : { title: it.title }),
        ...(it.url === null ? {} : { link: it.url }),
        ...(it.description === null ? {} : { summary: it.description }),
        ...(when === null ? {} : { published: when.getTime() }),
      };
    }),
  };
}
