// Reusable by every HTML report: the charting library inlined, so reports open offline
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { AppError } from "../../errors.ts";

let cached: string | undefined;

/** The lightweight-charts standalone build (defines window.LightweightCharts), read once */
export function readChartLibrary(): string {
  if (cached !== undefined) return cached;
  try {
    const req = createRequire(import.meta.url);
    const pkg = dirname(req.resolve("lightweight-charts/package.json"));
    cached = readFileSync(join(pkg, "dist", "lightweight-charts.standalone.production.js"), "utf8");
    return cached;
  } catch (err) {
    throw new AppError("INTERNAL", "cannot read lightweight-charts' standalone build; run npm install", {
      cause: err,
    });
  }
}
