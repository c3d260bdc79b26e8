/** A stored model: metadata plus an opaque payload that reproduces predictions bit for bit */
export interface ModelRecord {
  id: string;
  kind: string;
  hash: string;
  createdAt: number;
  params: Record<string, unknown>;
  features: string[];
  dataRange: { exchange: string; symbol: string; timeframe: string; from: number; to: number };
  metrics: Record<string, number>;
  trainingMs: number;
}

export interface ModelStore {
  save(record: ModelRecord, payload: Uint8Array): void;
  load(id: string): { record: ModelRecord; payload: Uint8Array };
  list(): ModelRecord[];
}
