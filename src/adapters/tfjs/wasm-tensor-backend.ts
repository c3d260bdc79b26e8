import { createRequire } from "node:module";
import { dirname } from "node:path";
import { AppError } from "../../errors.ts";
import type { TensorBackend } from "../../ports/tensor-backend.ts";

let loading: Promise<string> | undefined;

/**
 * TensorFlow.js on its WebAssembly backend (tfjs-node cannot install here). The .wasm binaries
 * ship inside @tensorflow/tfjs-backend-wasm's dist folder; we point the loader there instead of
 * letting it fetch them. Process-wide: tfjs keeps one global engine.
 */
export class WasmTensorBackend implements TensorBackend {
  ready(): Promise<string> {
    loading ??= load();
    return loading;
  }
}

async function load(): Promise<string> {
  // loaded on first use, not at start-up: TensorFlow.js takes about a second to import
  const tf = await import("@tensorflow/tfjs");
  const { setWasmPaths } = await import("@tensorflow/tfjs-backend-wasm");
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve("@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.node.js"));
  setWasmPaths(`${dist}/`);
  const ok = await tf.setBackend("wasm");
  if (!ok) {
    throw new AppError(
      "INTERNAL",
      `TensorFlow.js could not start its wasm backend from ${dist}: reinstall @tensorflow/tfjs-backend-wasm`,
    );
  }
  await tf.ready();
  return tf.getBackend();
}
