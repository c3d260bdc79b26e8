// Worker thread entry: plain JS so it loads under node, tsx and vitest alike. Kernels from the sources
// are TypeScript (tsx is registered to load them); kernels from the build (dist/) are JavaScript
import { parentPort, workerData } from "node:worker_threads";

if (Object.values(workerData.kernels).some((ref) => ref.module.endsWith(".ts"))) {
  const { register } = await import("tsx/esm/api");
  register();
}
// every kernel is loaded up front; one that fails to load fails only the runs that name it
const kernels = new Map();
for (const [name, ref] of Object.entries(workerData.kernels)) {
  try {
    const fn = (await import(ref.module))[ref.export];
    kernels.set(
      name,
      typeof fn === "function"
        ? fn
        : new Error(`worker kernel ${name}: ${ref.module} has no export ${ref.export}`),
    );
  } catch (err) {
    kernels.set(name, err instanceof Error ? err : new Error(String(err)));
  }
}
// the shared values the pool holds here, by id: kept until the pool sends another (see ThreadWorkerPool)
const shared = new Map();
parentPort.on("message", async (msg) => {
  if (msg.type === "shared") shared.set(msg.sid, msg.value);
  else if (msg.type === "drop") shared.delete(msg.sid);
  else if (msg.type === "task") {
    try {
      const fn = kernels.get(msg.kernel);
      if (fn === undefined) throw new Error(`unknown worker kernel "${msg.kernel}"`);
      if (fn instanceof Error) throw fn;
      const value = await fn(msg.input, shared.get(msg.sid));
      parentPort.postMessage({ type: "result", id: msg.id, ok: true, value });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      parentPort.postMessage({
        type: "result",
        id: msg.id,
        ok: false,
        error: { name: e.name, message: e.message, stack: e.stack, code: e.code, details: e.details },
      });
    }
  }
});
parentPort.postMessage({ type: "ready" });
