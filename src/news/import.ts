import { invalidInput } from "../errors.ts";
import type { FeedDocument } from "../ports/news-store.ts";
import { parseCsv } from "../sentiment/csv.ts";

type RawItem = FeedDocument["items"][number];

// accepted column (CSV) or field (JSONL) names, first match wins
const FIELDS = {
  title: ["title", "headline", "text"],
  link: ["link", "url"],
  id: ["guid", "id"],
  summary: ["summary", "description"],
  published: ["published", "published_at", "publishedAt", "date", "time", "pubDate"],
} as const;

/** ISO date-time, or epoch seconds / milliseconds; NaN when unreadable */
function readTime(v: unknown): number {
  if (typeof v === "number") return v < 1e11 ? v * 1000 : v;
  if (typeof v !== "string" || v.trim() === "") return Number.NaN;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return readTime(Number(s));
  return Date.parse(s);
}

function item(get: (names: readonly string[]) => unknown, where: string): RawItem {
  const title = get(FIELDS.title);
  if (typeof title !== "string" || title.trim() === "")
    throw invalidInput(`news import: ${where} has no title: give a "title" (or "headline") value`);
  const published = get(FIELDS.published);
  const t = readTime(published);
  if (published !== undefined && published !== "" && !Number.isFinite(t))
    throw invalidInput(
      `news import: ${where} has published "${String(published)}": use an ISO date-time (2026-02-06T09:00:00Z) or epoch seconds`,
    );
  const str = (names: readonly string[]): string | undefined => {
    const v = get(names);
    return typeof v === "string" && v.trim() !== ""
      ? v.trim()
      : typeof v === "number"
        ? String(v)
        : undefined;
  };
  const link = str(FIELDS.link);
  const id = str(FIELDS.id);
  const summary = str(FIELDS.summary);
  return {
    title: title.trim(),
    ...(link === undefined ? {} : { link }),
    ...(id === undefined ? {} : { id }),
    ...(summary === undefined ? {} : { summary }),
    ...(Number.isFinite(t) ? { published: t } : {}),
  };
}

/**
 * Headlines from a CSV (header with title/headline, optional link, guid, summary, published) or a
 * JSONL file (one object a line with the same fields), for offline use. The format is taken from
 * the file name (.jsonl/.ndjson) or, failing that, from the first character.
 */
export function parseNewsFile(text: string, fileName: string): RawItem[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const jsonl =
    /\.(jsonl|ndjson)$/i.test(fileName) || (!/\.csv$/i.test(fileName) && body.trimStart().startsWith("{"));
  if (jsonl) {
    const out: RawItem[] = [];
    body.split(/\r?\n/).forEach((line, k) => {
      if (line.trim() === "") return;
      let o: unknown;
      try {
        o = JSON.parse(line);
      } catch {
        throw invalidInput(`news import: ${fileName} line ${k + 1} is not JSON: one object per line`);
      }
      if (o === null || typeof o !== "object" || Array.isArray(o))
        throw invalidInput(`news import: ${fileName} line ${k + 1} is not a JSON object`);
      const rec = o as Record<string, unknown>;
      out.push(
        item((names) => names.map((n) => rec[n]).find((v) => v !== undefined), `${fileName} line ${k + 1}`),
      );
    });
    return out;
  }
  const { header, rows } = parseCsv(body);
  if (!FIELDS.title.some((f) => header.includes(f)))
    throw invalidInput(
      `news import: ${fileName} has no title column (columns: ${header.join(", ")}): name one "title" or "headline"`,
    );
  return rows.map((r, k) =>
    item(
      (names) => {
        const c = names.map((n) => header.indexOf(n)).find((i) => i >= 0);
        return c === undefined ? undefined : r[c];
      },
      `${fileName} row ${k + 2}`,
    ),
  );
}
