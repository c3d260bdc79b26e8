import type { ScreenRun } from "./screen.ts";

/** A stored screen run, as listed */
export interface ScreenRunInfo {
  id: string;
  createdAt: number;
  timeframe: string;
  symbols: string[];
  preset: string | null;
  seed: number;
  variants: number;
  passed: number;
  headline: string;
}

/**
 * The storage seam of screen runs (a port; it sits beside ScreenRun because ports may import only
 * domain types, and a run is a research shape). Where screen runs live (every trial, since deflation needs the number tried). Saving is atomic:
 * a run lands whole or not at all.
 */
export interface ScreenRunStore {
  save(id: string, createdAt: number, run: ScreenRun): void;
  /** NOT_FOUND naming the stored ids when `id` is unknown */
  load(id: string): { info: ScreenRunInfo; run: ScreenRun };
  list(): ScreenRunInfo[];
}
