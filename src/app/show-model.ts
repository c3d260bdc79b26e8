import { invalidInput } from "../errors.ts";
import { type FeatureImportance, featureImportance } from "../forecasting/gbdt/importance.ts";
import type { GbdtModel } from "../forecasting/gbdt/model.ts";
import { deserializeModel } from "../forecasting/gbdt/serialize.ts";
import type { ModelRecord, ModelStore } from "../ports/model-store.ts";

export interface ShowModelOutput {
  record: ModelRecord;
  trees: number;
  leaves: number;
  /** every feature by total split gain */
  importance: FeatureImportance[];
}

/** Loads a stored GBDT model; INVALID_INPUT when the id names another kind */
export function loadGbdt(models: ModelStore, id: string): { record: ModelRecord; model: GbdtModel } {
  const { record, payload } = models.load(id);
  if (record.kind !== "gbdt")
    throw invalidInput(`model ${record.id} is a ${record.kind} model; this command reads gbdt models`);
  return { record, model: deserializeModel(payload) };
}

/** A stored model's record with its global feature importance */
export function showModel(id: string, deps: { models: ModelStore }): ShowModelOutput {
  const { record, model } = loadGbdt(deps.models, id);
  let leaves = 0;
  for (const t of model.trees) for (const f of t.feature) if (f < 0) leaves++;
  return { record, trees: model.trees.length, leaves, importance: featureImportance(model) };
}

/** Every stored model, newest first */
export function listModels(deps: { models: ModelStore }): ModelRecord[] {
  return deps.models.list();
}
