// Asks an API origin whether it is the simulated exchange and how its market clock runs (GET
// /sim/clock). Only ever asked of this machine's origins (the caller checks): the answer decides
// whether the pre-trade gate may keep the exchange's clock instead of the machine's.

/** The simulated exchange's clock as it reports it */
export type SimClockReport = { readonly kind: "real"; readonly speed: number } | { readonly kind: "manual" };

/** The clock of the simulated exchange at `apiBase`, or undefined when it does not answer as one */
export async function probeSimClock(apiBase: string, timeoutMs = 2000): Promise<SimClockReport | undefined> {
  let res: Response;
  try {
    res = await fetch(`${apiBase.replace(/\/+$/, "")}/sim/clock`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    return undefined;
  }
  if (res.status !== 200) return undefined;
  const body = (await res.json().catch(() => undefined)) as
    | { simulated?: unknown; clock?: { kind?: unknown; speed?: unknown } }
    | undefined;
  if (body?.simulated !== true) return undefined;
  if (body.clock?.kind === "manual") return { kind: "manual" };
  const speed = body.clock?.speed;
  return body.clock?.kind === "real" && typeof speed === "number" && Number.isFinite(speed) && speed > 0
    ? { kind: "real", speed }
    : undefined;
}
