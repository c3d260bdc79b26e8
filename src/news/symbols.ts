import { langEvidence } from "../sentiment/score.ts";

/** One asset's names (any case) and tickers (upper case as written, or as a $cashtag) */
export interface AssetNames {
  symbol: string;
  names: readonly string[];
  tickers: readonly string[];
  /** tickers that are also common words or abbreviations ("NEAR", "AR", "IO"): counted as $cashtags only */
  cashtagOnly?: readonly string[];
}

/**
 * The name and ticker table headlines are mapped through: the AI tokens of the bundled universe
 * first, then the majors. Names are matched as whole words in any case; tickers only in upper case
 * ("TAO", "FET") so "tao" in a sentence is not the token, and ambiguous ones only as $cashtags.
 */
export const ASSET_NAMES: readonly AssetNames[] = [
  { symbol: "TAO/USDT", names: ["bittensor"], tickers: ["TAO"] },
  {
    symbol: "FET/USDT",
    names: ["fetch.ai", "fetch ai", "artificial superintelligence alliance", "asi alliance"],
    tickers: ["FET", "ASI"],
  },
  { symbol: "RENDER/USDT", names: ["render network", "render token"], tickers: ["RENDER", "RNDR"] },
  { symbol: "NEAR/USDT", names: ["near protocol"], tickers: [], cashtagOnly: ["NEAR"] },
  { symbol: "ICP/USDT", names: ["internet computer", "dfinity"], tickers: ["ICP"] },
  { symbol: "AR/USDT", names: ["arweave"], tickers: [], cashtagOnly: ["AR"] },
  { symbol: "WLD/USDT", names: ["worldcoin"], tickers: ["WLD"] },
  { symbol: "ARKM/USDT", names: ["arkham intelligence", "arkham"], tickers: ["ARKM"] },
  { symbol: "IO/USDT", names: ["io.net"], tickers: [], cashtagOnly: ["IO"] },
  { symbol: "BTC/USDT", names: ["bitcoin", "bitcoins"], tickers: ["BTC", "XBT"] },
  { symbol: "ETH/USDT", names: ["ethereum", "ether"], tickers: ["ETH"] },
  { symbol: "SOL/USDT", names: ["solana"], tickers: ["SOL"] },
  { symbol: "XRP/USDT", names: ["ripple"], tickers: ["XRP"] },
  { symbol: "BNB/USDT", names: ["binance coin"], tickers: ["BNB"] },
  { symbol: "DOGE/USDT", names: ["dogecoin"], tickers: ["DOGE"] },
  { symbol: "ADA/USDT", names: ["cardano"], tickers: ["ADA"] },
];

const reEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// letters and digits of any script bound a word; "Bitcoin-ETF" and "Bitcoins" (listed) both count
const B0 = "(?<![\\p{L}\\p{N}])";
const B1 = "(?![\\p{L}\\p{N}])";

// Node 20's RegExp has no (?i:...) groups, and tickers must keep their case: names spell both cases
const anyCase = (name: string): string =>
  [...name]
    .map((ch) => (/\p{L}/u.test(ch) ? `[${ch.toLowerCase()}${ch.toUpperCase()}]` : reEscape(ch)))
    .join("");

interface Matcher {
  symbol: string;
  re: RegExp;
}

/** Compiles a table into one matcher per asset */
export function compileAssetNames(table: readonly AssetNames[] = ASSET_NAMES): Matcher[] {
  return table.map((a) => {
    const parts: string[] = [];
    for (const n of a.names) parts.push(`${B0}${anyCase(n)}${B1}`);
    for (const t of a.tickers) parts.push(`${B0}\\$?${reEscape(t)}${B1}`);
    for (const t of a.cashtagOnly ?? []) parts.push(`\\$${reEscape(t)}${B1}`);
    return { symbol: a.symbol, re: new RegExp(parts.join("|"), "u") };
  });
}

const DEFAULT = compileAssetNames();

/** The symbols a headline names, in table order (each once) */
export function symbolsIn(text: string, matchers: readonly Matcher[] = DEFAULT): string[] {
  return matchers.filter((m) => m.re.test(text)).map((m) => m.symbol);
}

// German word endings common in headlines ("Zulassung", "Abflüsse" carries an umlaut already)
const DE_ENDINGS = /\p{L}{3,}(ung|ungen|keit|heit|lich|isch|schaft)\b/iu;

/**
 * en, de, or und. Function words and umlauts decide (langEvidence); a headline with neither
 * ("Bitcoin falls below 55,000 dollars amid ETF outflows") is German when a word has a German
 * ending, English when it is written in Latin letters, and und otherwise (another script, or no words).
 */
export function detectNewsLang(text: string): "en" | "de" | "und" {
  const { en, de } = langEvidence(text);
  if (en > 0 || de > 0) return de > en ? "de" : "en";
  const letters = text.match(/\p{L}/gu) ?? [];
  if (letters.length === 0) return "und";
  const latin = letters.filter((c) => /\p{Script=Latin}/u.test(c)).length;
  if (latin / letters.length < 0.9) return "und";
  return DE_ENDINGS.test(text) ? "de" : "en";
}
