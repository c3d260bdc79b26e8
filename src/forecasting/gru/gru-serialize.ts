import * as tf from "@tensorflow/tfjs";
import { AppError } from "../../errors.ts";
import { type GruMeta, GruModel } from "./gru-model.ts";

const FORMAT = "kairos-gru/1";

/**
 * The model as bytes for a ModelStore: a 4-byte little-endian header length, the JSON header
 * (format, meta, topology, weight specs), then the raw weights. Captured in memory through
 * tf.io.withSaveHandler: there is no file:// saver without tfjs-node, and files belong to adapters.
 */
export async function gruToBytes(model: GruModel): Promise<Uint8Array> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.network.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: "JSON" } };
    }),
  );
  if (captured?.weightData === undefined || captured.weightSpecs === undefined) {
    throw new AppError("INTERNAL", "TensorFlow.js returned no weights when saving the GRU");
  }
  const parts = Array.isArray(captured.weightData) ? captured.weightData : [captured.weightData];
  const weightBytes = parts.reduce((s, b) => s + b.byteLength, 0);
  const header = new TextEncoder().encode(
    JSON.stringify({
      format: FORMAT,
      meta: model.meta,
      modelTopology: captured.modelTopology,
      weightSpecs: captured.weightSpecs,
    }),
  );
  const out = new Uint8Array(4 + header.length + weightBytes);
  new DataView(out.buffer).setUint32(0, header.length, true);
  out.set(header, 4);
  let at = 4 + header.length;
  for (const b of parts) {
    out.set(new Uint8Array(b), at);
    at += b.byteLength;
  }
  return out;
}

/** Rebuilds a GRU saved by gruToBytes; predictions are identical on the same backend */
export async function gruFromBytes(bytes: Uint8Array): Promise<GruModel> {
  const bad = (why: string): AppError =>
    new AppError("INVALID_INPUT", `stored GRU payload is unreadable (${why}): retrain the model`);
  if (bytes.length < 4) throw bad("too short");
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (4 + len > bytes.length) throw bad("header length past the end");
  let header: {
    format?: string;
    meta: GruMeta;
    modelTopology: tf.io.ModelArtifacts["modelTopology"];
    weightSpecs: tf.io.WeightsManifestEntry[];
  };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + len)));
  } catch (e) {
    throw new AppError("INVALID_INPUT", "stored GRU payload has a corrupt header: retrain the model", {
      cause: e,
    });
  }
  if (header.format !== FORMAT) throw bad(`format ${String(header.format)}, expected ${FORMAT}`);
  const weightData = bytes.slice(4 + len).buffer;
  const net = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: header.modelTopology, weightSpecs: header.weightSpecs, weightData }),
  );
  return new GruModel(net, header.meta);
}
