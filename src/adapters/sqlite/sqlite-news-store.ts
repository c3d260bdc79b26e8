import type { NewsFeed, NewsItem, NewsQuery, NewsStore } from "../../ports/news-store.ts";
import { type Db, type MigrationSet, migrate, translateSqliteError } from "./database.ts";

export const NEWS_MIGRATIONS: MigrationSet = {
  owner: "news",
  steps: [
    `CREATE TABLE news_feeds (
       url TEXT PRIMARY KEY, title TEXT, added_at INTEGER NOT NULL,
       last_fetched_at INTEGER, last_error TEXT);
     CREATE TABLE news_items (
       key TEXT PRIMARY KEY, title TEXT NOT NULL, link TEXT, summary TEXT,
       published_at INTEGER NOT NULL, source TEXT NOT NULL, lang TEXT NOT NULL,
       score REAL NOT NULL, label TEXT NOT NULL);
     CREATE INDEX news_items_published ON news_items (published_at);
     CREATE TABLE news_item_symbols (
       key TEXT NOT NULL REFERENCES news_items (key), symbol TEXT NOT NULL,
       published_at INTEGER NOT NULL, PRIMARY KEY (symbol, published_at, key)) WITHOUT ROWID;`,
  ],
};

interface ItemRow {
  key: string;
  title: string;
  link: string | null;
  summary: string | null;
  published_at: number;
  source: string;
  lang: string;
  score: number;
  label: NewsItem["label"];
  symbols: string | null;
}

/** Feeds and headlines in <home>/kairos.db; an item's key is its primary key, so it is stored once */
export class SqliteNewsStore implements NewsStore {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
    migrate(db, NEWS_MIGRATIONS);
  }

  addFeed(url: string, at: number): boolean {
    try {
      return (
        this.db.prepare("INSERT OR IGNORE INTO news_feeds (url, added_at) VALUES (?, ?)").run(url, at)
          .changes === 1
      );
    } catch (err) {
      throw translateSqliteError(err, `adding the feed ${url}`);
    }
  }

  listFeeds(): NewsFeed[] {
    const rows = this.db
      .prepare(
        "SELECT url, title, added_at, last_fetched_at, last_error FROM news_feeds ORDER BY added_at, url",
      )
      .all() as {
      url: string;
      title: string | null;
      added_at: number;
      last_fetched_at: number | null;
      last_error: string | null;
    }[];
    return rows.map((r) => ({
      url: r.url,
      addedAt: r.added_at,
      ...(r.title === null ? {} : { title: r.title }),
      ...(r.last_fetched_at === null ? {} : { lastFetchedAt: r.last_fetched_at }),
      ...(r.last_error === null ? {} : { lastError: r.last_error }),
    }));
  }

  markFetched(url: string, at: number, result: { title?: string; error?: string }): void {
    this.db
      .prepare(
        "UPDATE news_feeds SET last_fetched_at = ?, title = COALESCE(?, title), last_error = ? WHERE url = ?",
      )
      .run(at, result.title ?? null, result.error ?? null, url);
  }

  addItems(items: readonly NewsItem[]): number {
    const put = this.db.prepare(
      `INSERT OR IGNORE INTO news_items (key, title, link, summary, published_at, source, lang, score, label)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const tag = this.db.prepare(
      "INSERT OR IGNORE INTO news_item_symbols (key, symbol, published_at) VALUES (?, ?, ?)",
    );
    let fresh = 0;
    try {
      this.db.transaction(() => {
        for (const x of items) {
          const r = put.run(
            x.key,
            x.title,
            x.link ?? null,
            x.summary ?? null,
            x.publishedAt,
            x.source,
            x.lang,
            x.score,
            x.label,
          );
          if (r.changes !== 1) continue;
          fresh++;
          for (const s of x.symbols) tag.run(x.key, s, x.publishedAt);
        }
      })();
    } catch (err) {
      throw translateSqliteError(err, "storing headlines");
    }
    return fresh;
  }

  listItems(q: NewsQuery = {}): NewsItem[] {
    const where: string[] = ["i.published_at >= ?", "i.published_at < ?"];
    const args: (string | number)[] = [q.from ?? -8.64e15, q.to ?? 8.64e15];
    if (q.symbol !== undefined) {
      where.push("i.key IN (SELECT key FROM news_item_symbols WHERE symbol = ?)");
      args.push(q.symbol);
    }
    const rows = this.db
      .prepare(
        `SELECT i.*, (SELECT group_concat(symbol, ',') FROM news_item_symbols s WHERE s.key = i.key) AS symbols
         FROM news_items i WHERE ${where.join(" AND ")}
         ORDER BY i.published_at DESC, i.key LIMIT ?`,
      )
      .all(...args, q.limit ?? -1) as ItemRow[];
    return rows.map((r) => ({
      key: r.key,
      title: r.title,
      ...(r.link === null ? {} : { link: r.link }),
      ...(r.summary === null ? {} : { summary: r.summary }),
      publishedAt: r.published_at,
      source: r.source,
      lang: r.lang,
      symbols: r.symbols === null ? [] : r.symbols.split(",").sort(),
      score: r.score,
      label: r.label,
    }));
  }
}
