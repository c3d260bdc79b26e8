/** A feed the person subscribed to with `kairos news add` */
export interface NewsFeed {
  url: string;
  /** the feed's own title, once fetched */
  title?: string;
  addedAt: number;
  lastFetchedAt?: number;
  /** the last fetch's error, one line; cleared by a good fetch */
  lastError?: string;
}

/** One headline, stored once */
export interface NewsItem {
  /** the item's identity: its guid/id when the feed gives one, else the SHA-256 of its link (hex) */
  key: string;
  title: string;
  link?: string;
  summary?: string;
  /** epoch ms the item was published (the fetch time when the feed says nothing) */
  publishedAt: number;
  /** the feed URL, or `import:<file name>` for imported items */
  source: string;
  /** detected language: en, de, or und when neither */
  lang: string;
  /** symbols the headline names, ccxt notation (TAO/USDT) */
  symbols: string[];
  /** headline sentiment score and label (kairos's lexicon scorer) */
  score: number;
  label: "positive" | "negative" | "neutral";
}

export interface NewsQuery {
  symbol?: string;
  /** published at or after (epoch ms) */
  from?: number;
  /** published before (epoch ms) */
  to?: number;
  /** newest first, at most this many */
  limit?: number;
}

/** Stored feeds and headlines; each item at most once by its key */
export interface NewsStore {
  /** adds a feed; false when it was already there */
  addFeed(url: string, at: number): boolean;
  listFeeds(): NewsFeed[];
  /** records a fetch of a feed (its title, or its error) */
  markFetched(url: string, at: number, result: { title?: string; error?: string }): void;
  /** stores items whose key is new; returns how many were new */
  addItems(items: readonly NewsItem[]): number;
  /** items newest first */
  listItems(query?: NewsQuery): NewsItem[];
}

/** A feed document as read from its URL: RSS 2.0 or Atom, already parsed */
export interface FeedDocument {
  title?: string;
  items: {
    /** guid (RSS) or id (Atom), when given */
    id?: string;
    title?: string;
    link?: string;
    summary?: string;
    published?: number;
  }[];
}

/** Reads feeds over HTTP(S) */
export interface FeedSource {
  /** fetches and parses one feed; AppError INVALID_INPUT (not a feed) or EXCHANGE_UNAVAILABLE (unreachable) */
  read(url: string): Promise<FeedDocument>;
}
