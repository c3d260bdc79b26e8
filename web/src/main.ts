// The dashboard's shell: login, the page frame (navigation, theme, the kill switch), and a hash router
import "./styles.css";
import { Api, ApiError } from "./api.ts";
import { h, messageOf, replace } from "./dom.ts";
import { killDialog } from "./kill.ts";
import { applyTheme, currentTheme, toggleTheme } from "./theme.ts";
import type { View, ViewContext } from "./view.ts";
import { auditView } from "./views/audit.ts";
import { briefView } from "./views/brief.ts";
import { healthView } from "./views/health.ts";
import { marketView } from "./views/market.ts";
import { researchView } from "./views/research.ts";
import { strategistView } from "./views/strategist.ts";
import { tradingView } from "./views/trading.ts";

const PAGES: readonly { id: string; title: string; view: View }[] = [
  { id: "health", title: "Health", view: healthView },
  { id: "market", title: "Market", view: marketView },
  { id: "strategist", title: "Strategist", view: strategistView },
  { id: "research", title: "Research", view: researchView },
  { id: "trading", title: "Trading", view: tradingView },
  { id: "audit", title: "Audit", view: auditView },
  { id: "brief", title: "Brief", view: briefView },
];

const api = new Api();
const root = document.getElementById("app")!;
let leave: (() => void)[] = [];

function cleanup(): void {
  for (const f of leave) f();
  leave = [];
}

function loginScreen(problem?: string): void {
  cleanup();
  const status = h("p", { class: "status", role: "alert", id: "login-status" }, problem ?? "");
  const input = h("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });
  const button = h("button", { type: "submit", class: "primary" }, "Sign in");
  const form = h(
    "form",
    {
      class: "login card",
      "aria-labelledby": "login-title",
      onsubmit: (e: Event) => {
        e.preventDefault();
        button.disabled = true;
        status.textContent = "Signing in…";
        api
          .login(input.value)
          .then(() => {
            input.value = "";
            shell();
          })
          .catch((err: unknown) => {
            status.textContent =
              err instanceof ApiError && err.code === "AUTH_FAILED"
                ? "Wrong password (or none is set: `kairos auth set-password`)."
                : messageOf(err);
            button.disabled = false;
            input.focus();
          });
      },
    },
    h("h1", { id: "login-title" }, "kairos"),
    h("p", {}, "Sign in with the password set by ", h("code", {}, "kairos auth set-password"), "."),
    h("label", { for: "password" }, "Password"),
    input,
    button,
    status,
  );
  replace(root, h("main", { id: "main", class: "login-page" }, form));
  input.focus();
}

function shell(): void {
  cleanup();
  let main = h("main", { id: "main", tabindex: -1 });
  const links = PAGES.map((p) => h("a", { href: `#/${p.id}`, "data-page": p.id }, p.title));
  const themeButton = h(
    "button",
    {
      type: "button",
      class: "ghost",
      id: "theme-toggle",
      "aria-pressed": String(currentTheme() === "light"),
      onclick: () => {
        const t = toggleTheme();
        themeButton.setAttribute("aria-pressed", String(t === "light"));
        themeButton.textContent = t === "light" ? "Dark theme" : "Light theme";
        window.dispatchEvent(new Event("kairos-theme"));
      },
    },
    currentTheme() === "light" ? "Dark theme" : "Light theme",
  );
  const kill = killDialog(api);
  // the account's trading state, on every page beside the kill switch
  const badge = h("span", { class: "state-badge", id: "state-badge", role: "status", "aria-live": "polite" });
  const refreshState = (): void => {
    if (!api.has("risk_state")) {
      badge.hidden = true;
      return;
    }
    api.op<{ state: string }>("risk_state").then(
      (st) => {
        badge.textContent = st.state.toUpperCase();
        badge.dataset.state = st.state;
        badge.setAttribute("aria-label", `Trading state ${st.state.toUpperCase()}`);
      },
      () => {
        badge.textContent = "state unknown";
        badge.dataset.state = "unknown";
      },
    );
  };
  window.addEventListener("kairos-killed", refreshState);
  const header = h(
    "header",
    { class: "top" },
    h("span", { class: "brand" }, "kairos"),
    h("nav", { "aria-label": "Pages" }, ...links),
    h(
      "div",
      { class: "actions" },
      themeButton,
      badge,
      h(
        "button",
        {
          type: "button",
          class: "ghost",
          id: "logout",
          onclick: () => {
            api.logout().finally(() => loginScreen("Signed out."));
          },
        },
        "Sign out",
      ),
      kill.button,
    ),
  );
  const footer = h(
    "footer",
    { class: "foot" },
    "Charts: TradingView Lightweight Charts™, Copyright (c) 2025 TradingView, Inc. ",
    h(
      "a",
      { href: "https://www.tradingview.com/", rel: "noopener noreferrer", target: "_blank" },
      "tradingview.com",
    ),
  );
  replace(
    root,
    h("a", { class: "skip", href: "#main" }, "Skip to content"),
    header,
    main,
    footer,
    kill.dialog,
  );

  const route = (): void => {
    const id = /^#\/([a-z]+)/.exec(location.hash)?.[1] ?? "health";
    const page = PAGES.find((p) => p.id === id) ?? PAGES[0]!;
    for (const a of links)
      if (a.dataset.page === page.id) a.setAttribute("aria-current", "page");
      else a.removeAttribute("aria-current");
    cleanup();
    refreshState();
    leave.push(() => window.removeEventListener("hashchange", route));
    window.addEventListener("hashchange", route);
    document.title = `${page.title} · kairos`;
    // each visit draws into a new <main>: a late answer for the page left behind lands in a
    // detached element instead of over the page now shown
    const fresh = h(
      "main",
      { id: "main", tabindex: -1 },
      h("p", { class: "status", "aria-live": "polite" }, "Loading…"),
    );
    main.replaceWith(fresh);
    main = fresh;
    const ctx: ViewContext = { api, main, onLeave: (f) => leave.push(f) };
    main.dataset.page = page.id;
    main.dataset.ready = "false";
    const here = main;
    page.view(ctx).then(
      () => {
        here.dataset.ready = "true";
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) return;
        replace(
          here,
          h("h1", {}, page.title),
          h("p", { class: "status error", role: "alert" }, `Could not load this page: ${messageOf(err)}`),
        );
        here.dataset.ready = "true";
      },
    );
  };
  route();
}

async function boot(): Promise<void> {
  applyTheme(currentTheme());
  api.onSignedOut = () => loginScreen("Your session ended; sign in again.");
  try {
    await api.discover();
  } catch (err) {
    replace(
      root,
      h("p", { class: "status error", role: "alert" }, `The API is not answering: ${messageOf(err)}`),
    );
    return;
  }
  if (api.token === null) loginScreen();
  else shell();
}

void boot();
