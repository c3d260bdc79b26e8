import type { SessionHead } from "../ports/order-store.ts";
import { type TradeListEntry, tradeListEntry } from "./trade-control.ts";
import { getSession, type TradingDeps } from "./trade-runtime.ts";

/** Entries kept at most (a home's sessions; ~0.3 kB each): past it the memo starts again */
const MAX_ENTRIES = 20_000;

/**
 * The trade sessions list a page at a time, for a face that answers it often (the API's
 * GET /v1/trade/sessions at hundreds of requests a second beside a trading loop). Reading a page
 * of whole sessions (each one's configuration read and parsed) was most of a request's time; here
 * a page reads only its sessions' heads (id, state, last bar, update time) over the index, and an
 * entry is built again only when its session's head changed. An entry's other fields (mode,
 * strategy, symbols, timeframe, creation) never change for a session (a configuration update
 * keeps them and moves the update time). The entries equal listTrading's, in its order.
 */
export class TradeListPages {
  private readonly built = new Map<string, { head: SessionHead; entry: TradeListEntry }>();

  page(
    deps: TradingDeps,
    page: { limit: number; offset: number },
  ): { items: TradeListEntry[]; total: number } {
    const items = deps.orders.listSessionHeads(page).map((h) => {
      const hit = this.built.get(h.id);
      if (hit !== undefined && sameHead(hit.head, h)) return hit.entry;
      const s = getSession(deps.orders, h.id);
      const entry = tradeListEntry(s);
      if (this.built.size >= MAX_ENTRIES) this.built.clear();
      // the head of the row just read (it may be newer than the page's): the next page compares with it
      const head: SessionHead = {
        id: s.id,
        state: s.state,
        ...(s.lastBarTs === undefined ? {} : { lastBarTs: s.lastBarTs }),
        updatedAt: s.updatedAt,
      };
      this.built.set(h.id, { head, entry });
      return entry;
    });
    return { items, total: deps.orders.countSessions() };
  }
}

const sameHead = (a: SessionHead, b: SessionHead): boolean =>
  a.state === b.state && a.lastBarTs === b.lastBarTs && a.updatedAt === b.updatedAt;
