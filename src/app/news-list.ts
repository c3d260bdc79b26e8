import { z } from "zod";
import type { NewsItem, NewsStore } from "../ports/news-store.ts";
import { isoTimeField, parseInput, rangeRefinement, symbolField, wholeNumberField } from "./contract.ts";

export const NewsListInput = z
  .object({
    symbol: symbolField().optional(),
    from: isoTimeField().optional(),
    to: isoTimeField().optional(),
    limit: wholeNumberField({ min: 1, max: 100_000 }).default(50),
  })
  .strict()
  .superRefine(rangeRefinement);
export type NewsListInput = z.input<typeof NewsListInput>;

/** `kairos news list [--symbol]`: stored headlines, newest first, with language, symbols and sentiment */
export function listNews(deps: { news: NewsStore }, raw: NewsListInput = {}): NewsItem[] {
  const input = parseInput(NewsListInput, raw);
  return deps.news.listItems({
    ...(input.symbol === undefined ? {} : { symbol: input.symbol }),
    ...(input.from === undefined ? {} : { from: input.from }),
    ...(input.to === undefined ? {} : { to: input.to }),
    limit: input.limit,
  });
}
