import { z } from "zod";
import type { Clock } from "../ports/clock.ts";
import type { NewsStore } from "../ports/news-store.ts";
import { parseInput } from "./contract.ts";

/** A feed URL: http or https only (no file:, no credentials in the URL) */
export const feedUrlField = () =>
  z.string().transform((v, ctx) => {
    let u: URL | undefined;
    try {
      u = new URL(v);
    } catch {
      u = undefined;
    }
    if (
      u === undefined ||
      !["http:", "https:"].includes(u.protocol) ||
      u.username !== "" ||
      u.password !== ""
    ) {
      ctx.issues.push({
        code: "custom",
        message: `"${v}" is not a feed URL`,
        input: v,
        params: { allowed: "an http(s) URL without credentials, e.g. https://example.org/feed.xml" },
      });
      return z.NEVER as never;
    }
    return u.toString();
  });

export const NewsAddInput = z.object({ url: feedUrlField() }).strict();
export type NewsAddInput = z.input<typeof NewsAddInput>;

export interface NewsAddOutput {
  url: string;
  added: boolean;
}

/** `kairos news add FEED_URL`: subscribes to a feed (read by `kairos news fetch`) */
export function addNewsFeed(deps: { news: NewsStore; clock: Clock }, raw: NewsAddInput): NewsAddOutput {
  const { url } = parseInput(NewsAddInput, raw);
  return { url, added: deps.news.addFeed(url, deps.clock.now()) };
}
