/** Anything a brief store keeps: a document with the open time of the newest bar it read */
export interface StoredBrief {
  asOf: number;
}

/**
 * Where briefs are kept between runs, so the next brief can say what changed and the HTTP/MCP faces
 * can read the last one. Generic over the brief's shape: ports name no type of the layers above.
 */
export interface BriefStore<B extends StoredBrief> {
  /** the newest stored brief with asOf <= `atOrBefore` (the newest of all when omitted) */
  latest(atOrBefore?: number): B | undefined;
  /** stores a brief; a second brief with the same asOf replaces the first */
  save(brief: B): void;
}
