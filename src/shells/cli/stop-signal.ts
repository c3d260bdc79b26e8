/**
 * Resolves at the first SIGINT or SIGTERM, then stops listening for either. A long-running command
 * calls it before it prints where it listens: a supervisor (or a test) that stops it the moment it
 * reads that line gets a clean stop, never the signal's default death
 */
export function stopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
