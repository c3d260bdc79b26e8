/** A lexicon: lower-case words or phrases with a valence (AFINN scale -5..5) */
export type Lexicon = Readonly<Record<string, number>>;

export type SentimentLabel = "positive" | "negative" | "neutral";
export type Lang = "en" | "de";

export interface ScoreOptions {
  /** word valences of the language */
  words: Lexicon;
  /** phrases (may hold spaces or hyphens) matched before single words */
  phrases?: Lexicon;
  lang: Lang;
  /** apply negation and intensifiers (false for the plain-AFINN baseline) */
  rules?: boolean;
  /** |score| at or above this is positive/negative (default 1) */
  threshold?: number;
}

export interface Scored {
  score: number;
  label: SentimentLabel;
  /** the words and phrases that counted, with their contribution */
  hits: { term: string; value: number }[];
}

const NEGATORS: Record<Lang, ReadonlySet<string>> = {
  en: new Set([
    "not",
    "no",
    "never",
    "without",
    "nor",
    "isn't",
    "aren't",
    "wasn't",
    "won't",
    "don't",
    "doesn't",
    "didn't",
    "can't",
    "cannot",
    "fails",
    "failed",
  ]),
  de: new Set(["nicht", "kein", "keine", "keinen", "keinem", "keiner", "nie", "niemals", "ohne", "weder"]),
};
const INTENSIFIERS: Record<Lang, Readonly<Record<string, number>>> = {
  en: {
    very: 1.5,
    extremely: 2,
    highly: 1.5,
    sharply: 1.5,
    massive: 1.5,
    huge: 1.5,
    strongly: 1.5,
    record: 1.3,
    deeply: 1.5,
    slightly: 0.5,
    somewhat: 0.7,
  },
  de: {
    sehr: 1.5,
    extrem: 2,
    stark: 1.5,
    deutlich: 1.5,
    massiv: 1.5,
    kräftig: 1.5,
    enorm: 1.5,
    leicht: 0.5,
    etwas: 0.7,
    kaum: 0.5,
  },
};
// negation reaches this many following words ("not a big loss")
const NEGATION_SPAN = 3;

const TOKEN = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/** Lower-case word tokens (apostrophes and inner hyphens kept) */
export function tokenize(text: string): string[] {
  return (text.toLowerCase().replace(/’/g, "'").match(TOKEN) ?? []) as string[];
}

/** Phrase lexicon compiled once: phrase token lists grouped by their first token */
export interface CompiledPhrases {
  byFirst: Map<string, { tokens: string[]; value: number; term: string }[]>;
}

const cache = new WeakMap<Lexicon, CompiledPhrases>();
const maps = new WeakMap<Lexicon, Map<string, number>>();
/**
 * A lexicon as a Map, built once: object lookups would also find "constructor" or "toString" on the
 * prototype (a function, so a NaN score), and a Map is faster on large word lists
 */
function mapOf(lex: Lexicon): Map<string, number> {
  let m = maps.get(lex);
  if (m === undefined) {
    m = new Map(Object.entries(lex).filter((e): e is [string, number] => typeof e[1] === "number"));
    maps.set(lex, m);
  }
  return m;
}
function compile(phrases: Lexicon): CompiledPhrases {
  let c = cache.get(phrases);
  if (c !== undefined) return c;
  c = { byFirst: new Map() };
  for (const [term, value] of Object.entries(phrases)) {
    const tokens = tokenize(term.replace(/-/g, " "));
    if (tokens.length === 0) continue;
    const list = c.byFirst.get(tokens[0]!) ?? [];
    list.push({ tokens, value, term });
    // longest first, so "etf approval" wins over "etf"
    list.sort((a, b) => b.tokens.length - a.tokens.length);
    c.byFirst.set(tokens[0]!, list);
  }
  cache.set(phrases, c);
  return c;
}

/**
 * Scores one headline: phrases first, then words; with rules, a negator flips the next three
 * scored terms and an intensifier scales the next one. Label by the summed score against the threshold.
 */
export function scoreText(text: string, o: ScoreOptions): Scored {
  const raw = tokenize(text);
  const words = mapOf(o.words);
  const phraseWords = o.phrases === undefined ? undefined : mapOf(o.phrases);
  // hyphenated tokens also count as their parts for phrases ("sell-off" -> "sell off")
  const tokens: string[] = [];
  for (const t of raw)
    if (t.includes("-") && !words.has(t) && phraseWords?.has(t) !== true) tokens.push(...t.split("-"));
    else tokens.push(t);
  const phrases = o.phrases === undefined ? undefined : compile(o.phrases);
  const rules = o.rules !== false;
  const hits: { term: string; value: number }[] = [];
  let score = 0;
  let negateLeft = 0;
  let boost = 1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (rules && NEGATORS[o.lang].has(t)) {
      negateLeft = NEGATION_SPAN;
      continue;
    }
    const mult = rules && Object.hasOwn(INTENSIFIERS[o.lang], t) ? INTENSIFIERS[o.lang][t] : undefined;
    let value: number | undefined;
    let term = t;
    let span = 1;
    const cands = phrases?.byFirst.get(t);
    if (cands !== undefined)
      for (const c of cands) {
        let ok = true;
        for (let k = 1; k < c.tokens.length; k++)
          if (tokens[i + k] !== c.tokens[k]) {
            ok = false;
            break;
          }
        if (ok) {
          value = c.value;
          term = c.term;
          span = c.tokens.length;
          break;
        }
      }
    if (value === undefined) value = words.get(t);
    if (value === undefined && t.endsWith("'s")) value = words.get(t.slice(0, -2));
    if (value === undefined || value === 0) {
      if (mult !== undefined) boost = mult;
      if (negateLeft > 0) negateLeft--;
      continue;
    }
    let v = value * boost;
    boost = 1;
    if (negateLeft > 0) {
      v = -v;
      negateLeft = 0;
    }
    score += v;
    hits.push({ term, value: v });
    i += span - 1;
  }
  const th = o.threshold ?? 1;
  return { score, label: score >= th ? "positive" : score <= -th ? "negative" : "neutral", hits };
}

const DE_HINTS = new Set([
  "der",
  "die",
  "das",
  "und",
  "ist",
  "nicht",
  "mit",
  "auf",
  "für",
  "ein",
  "eine",
  "den",
  "dem",
  "von",
  "zu",
  "im",
  "sich",
  "auch",
  "es",
  "wird",
  "werden",
  "bei",
  "nach",
  "wie",
  "aber",
  "noch",
]);
const EN_HINTS = new Set([
  "the",
  "and",
  "is",
  "of",
  "to",
  "in",
  "for",
  "on",
  "with",
  "a",
  "an",
  "at",
  "by",
  "from",
  "as",
  "its",
  "it",
  "are",
  "be",
  "has",
  "was",
  "after",
  "will",
  "new",
]);

/** Evidence for English and German: function words, and umlauts or ß (worth two German words) */
export function langEvidence(text: string): { en: number; de: number } {
  let de = /[äöüß]/i.test(text) ? 2 : 0;
  let en = 0;
  for (const t of tokenize(text)) {
    if (DE_HINTS.has(t)) de++;
    if (EN_HINTS.has(t)) en++;
  }
  return { en, de };
}

/** English or German by function words and umlauts; English when undecided */
export function detectLang(text: string): Lang {
  const { en, de } = langEvidence(text);
  return de > en ? "de" : "en";
}
