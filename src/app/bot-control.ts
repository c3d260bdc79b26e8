/**
 * `kairos bot list|stop|resume`: bots are trading sessions running one of the bot strategies, so
 * their state is the session's in SQLite (decisions, intents, orders, fills, last bar acted on).
 * Stopping cancels the bot's open orders through the order lifecycle; resuming reconciles first
 * and goes on from the stored state, without sending anything twice.
 */
import { z } from "zod";
import { isBotKind } from "../bots/registry.ts";
import { invalidInput } from "../errors.ts";
import { applyFills, emptyAccount } from "../execution/accounting.ts";
import { formatAmount, ZERO } from "../execution/amount.ts";
import { OrderLifecycle } from "../execution/order-lifecycle.ts";
import type { SessionRecord } from "../ports/order-store.ts";
import { parseInput } from "./contract.ts";
import { resumeTrading, stopTrading } from "./trade-control.ts";
import { withLiveVenue } from "./trade-live-venue.ts";
import { configOf, getSession, type RunProgress, type TradingDeps } from "./trade-runtime.ts";

const OPEN = ["intent", "sent", "acknowledged", "partially_filled", "unknown"] as const;

export interface BotEntry {
  id: string;
  kind: string;
  mode: string;
  state: string;
  symbol: string;
  timeframe: string;
  params: Record<string, number | boolean>;
  /** base quantity the bot holds from its own fills (signed) */
  position: string;
  /** twap and iceberg: share of the parent quantity done, 0..1 */
  done?: number;
  orders: number;
  openOrders: number;
  fills: number;
  created: string;
  lastBar?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

function entryOf(deps: TradingDeps, s: SessionRecord): BotEntry {
  const cfg = configOf(s);
  const symbol = cfg.symbols[0]!;
  const acc = applyFills(emptyAccount(cfg.baseline), deps.orders.fillsOf(s.id));
  const pos = acc.positions.get(symbol)?.qty ?? ZERO;
  const orders = deps.orders.ordersOf(s.id);
  const qty = cfg.params.qty;
  const done =
    typeof qty === "number" && qty > 0 ? Math.min(1, Math.abs(Number(formatAmount(pos))) / qty) : undefined;
  return {
    id: s.id,
    kind: cfg.strategy,
    mode: s.mode,
    state: s.state,
    symbol,
    timeframe: cfg.timeframe,
    params: cfg.params,
    position: formatAmount(pos),
    ...(done === undefined ? {} : { done }),
    orders: orders.length,
    openOrders: orders.filter((o) => (OPEN as readonly string[]).includes(o.state)).length,
    fills: acc.applied.size,
    created: iso(s.createdAt),
    ...(s.lastBarTs === undefined ? {} : { lastBar: iso(s.lastBarTs) }),
  };
}

/** Every bot in the home (trading sessions running grid, dca, twap or iceberg), oldest first */
export function listBots(deps: TradingDeps): BotEntry[] {
  return deps.orders
    .listSessions()
    .filter((s) => isBotKind(configOf(s).strategy))
    .map((s) => entryOf(deps, s));
}

const botIdField = () => z.string().regex(/^[a-z0-9]{1,12}$/, "a bot id: 1-12 lower-case letters or digits");

function getBot(deps: TradingDeps, id: string): SessionRecord {
  const s = getSession(deps.orders, id);
  if (!isBotKind(configOf(s).strategy))
    throw invalidInput(`session ${id} runs ${configOf(s).strategy}, not a bot; use \`kairos trade\` for it`);
  return s;
}

export const BotStopInput = z.object({ id: botIdField() }).strict();
export type BotStopInput = z.input<typeof BotStopInput>;

/**
 * Stops a bot and cancels its open orders. A paper bot's orders are cancelled on the paper venue; a
 * live bot's on its exchange, reached as the bot was started (exchange, API origin, key source). A
 * running live loop also sees "stopped" and cancels; the lifecycle makes the second cancel harmless
 */
export async function stopBot(
  deps: TradingDeps,
  raw: BotStopInput,
): Promise<{ id: string; cancelled: string[]; stillOpen: string[] }> {
  const input = parseInput(BotStopInput, raw);
  const s = getBot(deps, input.id);
  const still = (): string[] => deps.orders.ordersOf(input.id, OPEN).map((o) => o.clientOrderId);
  if (s.mode !== "live") {
    const r = await stopTrading(deps, { id: input.id });
    return { id: input.id, cancelled: r.cancelled, stillOpen: still() };
  }
  await stopTrading(deps, { id: input.id });
  return withLiveVenue(deps, configOf(s), async ({ broker }) => {
    const lifecycle = new OrderLifecycle({
      store: deps.orders,
      broker,
      clock: deps.clock,
      sleep: deps.sleep,
    });
    const cancelled: string[] = [];
    for (const o of deps.orders.ordersOf(input.id, OPEN)) {
      const after = await lifecycle.cancel(o.clientOrderId);
      if (after.state === "cancelled") cancelled.push(o.clientOrderId);
    }
    return { id: input.id, cancelled, stillOpen: still() };
  });
}

export const BotResumeInput = z
  .object({
    id: botIdField(),
    acceptBalances: z.boolean().default(false),
    /** live: the key file to read the keys from now (`trade resume`'s rules: mode 0600, checked again, recorded) */
    keyFile: z.string().min(1).optional(),
  })
  .strict();
export type BotResumeInput = z.input<typeof BotResumeInput>;

/**
 * Resumes a bot after a restart (`trade resume`'s rules: reconciliation first; a live bot reaches
 * its exchange as it was started): it acts on the bars after the last one it acted on, and its
 * strategy reads what is done from the fills and what is working from the stored orders, so
 * nothing is sent twice
 */
export async function resumeBot(
  deps: TradingDeps,
  raw: BotResumeInput,
  onBar?: (p: RunProgress) => void,
): Promise<{ id: string; state: string; barsActed: number; haltReason?: string }> {
  const input = parseInput(BotResumeInput, raw);
  getBot(deps, input.id);
  const r = await resumeTrading(
    deps,
    {
      id: input.id,
      acceptBalances: input.acceptBalances,
      ...(input.keyFile === undefined ? {} : { keyFile: input.keyFile }),
    },
    onBar,
  );
  return {
    id: input.id,
    state: r.state,
    barsActed: r.barsActed,
    ...(r.haltReason === undefined ? {} : { haltReason: r.haltReason }),
  };
}
