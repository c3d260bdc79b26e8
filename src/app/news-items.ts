import { createHash } from "node:crypto";
import { detectNewsLang, symbolsIn } from "../news/symbols.ts";
import type { FeedDocument, NewsItem } from "../ports/news-store.ts";
import { scoreHeadline } from "./sentiment-score.ts";

/** A feed or file item as stored: keyed once, language detected, symbols mapped, headline scored */
export function toNewsItem(
  raw: FeedDocument["items"][number],
  source: string,
  now: number,
): NewsItem | undefined {
  const title = (raw.title ?? "").replace(/\s+/g, " ").trim();
  if (title === "") return undefined;
  // the guid/id when the feed gives one; the link's hash otherwise; the title's as a last resort.
  // A guid that is a URL or URN names the item anywhere; a bare one ("12345") only within its feed
  const id = raw.id?.trim() ?? "";
  const key =
    id === ""
      ? `link:${sha256(raw.link ?? `${source}\n${title}`)}`
      : id.includes(":")
        ? `id:${id}`
        : `id:${source}#${id}`;
  const text = raw.summary === undefined ? title : `${title} ${raw.summary}`;
  const lang = detectNewsLang(text);
  // headlines only: a summary's boilerplate ("The post ... appeared first on ...") would drown them
  const scored = scoreHeadline(title, lang === "de" ? "de" : "en");
  return {
    key,
    title,
    ...(raw.link === undefined ? {} : { link: raw.link }),
    ...(raw.summary === undefined ? {} : { summary: raw.summary.slice(0, 2000) }),
    publishedAt: raw.published ?? now,
    source,
    lang,
    symbols: symbolsIn(text),
    score: Math.round(scored.score * 1000) / 1000,
    label: scored.label,
  };
}

const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");
