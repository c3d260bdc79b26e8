/**
 * The model operations of the table (operations.ts): the registry, forecasts, training, evaluation and claims.
 */
import { z } from "zod";
import { checkClaims } from "../../app/check-claims.ts";
import { parseInput } from "../../app/contract.ts";
import { EvaluateModelsInput, evaluateModels } from "../../app/evaluate-models.ts";
import { PredictModelInput, predictModel } from "../../app/predict-model.ts";
import { listModels, showModel } from "../../app/show-model.ts";
import { parseTrainModelInput, TrainModelInput, trainModel } from "../../app/train-model.ts";

import { notes, type Operation } from "./operation.ts";

/** showModel takes a bare id in src/app (no exported contract yet): the shape the CLI's <id> gives it */
const ShowModelInput = z.object({ id: z.string().min(1).max(200) }).strict();
export const MODEL_OPERATIONS: readonly Operation[] = [
  // models
  {
    id: "models_list",
    method: "get",
    path: "/v1/models",
    summary: "the models in the registry, newest first (kairos model list)",
    access: "read",
    page: true,
    run: ({ c }) => listModels({ models: c.models }),
  },
  {
    id: "models_show",
    method: "post",
    path: "/v1/models/show",
    summary: "a model's parameters, data, metrics and feature importance (kairos model show)",
    access: "read",
    input: ShowModelInput,
    run: ({ c }, raw) => showModel(parseInput(ShowModelInput, raw).id, { models: c.models }),
  },
  {
    id: "models_predict",
    method: "post",
    path: "/v1/models/predict",
    summary: "a stored model's forecast at one bar with its feature contributions (kairos model predict)",
    access: "read",
    input: PredictModelInput,
    run: ({ c }, raw) =>
      predictModel(parseInput(PredictModelInput, raw), { store: c.store, models: c.models, news: c.news }),
  },
  {
    id: "models_train",
    method: "post",
    path: "/v1/jobs/model-train",
    summary: "trains a gradient-boosted model and stores it, as a job (kairos model train --json)",
    access: "compute",
    input: TrainModelInput,
    job: true,
    guard: (_x, raw) => void parseTrainModelInput(raw as z.input<typeof TrainModelInput>),
    run: ({ c }, raw) =>
      trainModel(raw as z.input<typeof TrainModelInput>, {
        store: c.store,
        models: c.models,
        clock: c.clock,
        workers: (n) => c.workers(n),
        news: c.news,
      }),
  },
  {
    id: "models_evaluate",
    method: "post",
    path: "/v1/jobs/model-evaluate",
    summary: "every forecaster beside naive baselines, walk-forward, as a job (kairos model evaluate --json)",
    access: "compute",
    input: EvaluateModelsInput,
    job: true,
    run: ({ c }, raw, j) =>
      evaluateModels(
        { store: c.store, tensors: c.tensors, clock: c.clock, news: c.news },
        parseInput(EvaluateModelsInput, raw),
        notes(j, "evaluate"),
      ),
  },
  {
    id: "models_claims",
    method: "post",
    path: "/v1/jobs/model-claims",
    summary:
      "published forecasting claims measured on the bundled data, as a job (kairos model claims --json)",
    access: "compute",
    job: true,
    run: ({ c }, _raw, j) =>
      checkClaims({ store: c.store, tensors: c.tensors, clock: c.clock }, notes(j, "claims")),
  },
];
