/** A stored model: metadata plus an opaque payload that reproduces predictions bit for bit */
export interface ModelRecord {
  /** `<kind>-<first 12 hex of the payload hash>`: the same model always gets the same id */
  id: string;
  kind: string;
  /** SHA-256 of the payload, hex */
  hash: string;
  createdAt: number;
  params: Record<string, unknown>;
  /** feature names in the order the model reads them */
  features: string[];
  /** what the model forecasts: e.g. { kind: "sign", horizon: 24 } */
  target: { kind: string; horizon: number };
  /** the bars the model was fitted on (train + validation), epoch ms, `to` exclusive */
  dataRange: { exchange: string; symbol: string; timeframe: string; from: number; to: number };
  /** out-of-sample metrics on the held-out test segment */
  metrics: Record<string, number>;
  trainingMs: number;
}

/** A record before the store has hashed its payload */
export type NewModelRecord = Omit<ModelRecord, "id" | "hash">;

/**
 * The model registry. Saves are atomic (record and payload land together or not at all) and
 * content-addressed: saving the same payload again returns the record already stored.
 */
export interface ModelStore {
  save(record: NewModelRecord, payload: Uint8Array): ModelRecord;
  /** by id or a unique id prefix; NOT_FOUND when none, INVALID_INPUT when the prefix is ambiguous */
  load(id: string): { record: ModelRecord; payload: Uint8Array };
  /** newest first */
  list(): ModelRecord[];
}
