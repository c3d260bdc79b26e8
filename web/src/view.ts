import type { Api } from "./api.ts";

/** What a page gets: the API, the element it draws into, and a place to register its cleanup */
export interface ViewContext {
  api: Api;
  main: HTMLElement;
  onLeave(f: () => void): void;
}

/** A page: draws itself into ctx.main; resolves once its first data is shown */
export type View = (ctx: ViewContext) => Promise<void>;
