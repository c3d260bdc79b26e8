/**
 * The tensor runtime models train and predict on (TensorFlow.js with a chosen backend). Loading a
 * WebAssembly backend reads files, so it is infrastructure: use cases call `ready()` before any
 * model code touches tensors.
 */
export interface TensorBackend {
  /** Loads and selects the backend once (later calls are free); resolves to its name */
  ready(): Promise<string>;
}
