// The kill switch: a button on every page and a confirmation dialog. It calls the API's kill operation
// (latch HALTED, cancel every open order, optionally flatten); without that route it says so.
import type { Api } from "./api.ts";
import { h, messageOf, replace } from "./dom.ts";

/** operationIds the kill route may carry (the API names it; the first present is used) */
export const KILL_OPS = ["kill", "risk_kill", "trade_kill"] as const;

export function killDialog(api: Api): { button: HTMLButtonElement; dialog: HTMLDialogElement } {
  const status = h("p", { class: "status", role: "status", id: "kill-status" });
  const by = h("input", { id: "kill-by", name: "by", type: "text", maxlength: 64, value: "dashboard" });
  const flatten = h("input", { id: "kill-flatten", name: "flatten", type: "checkbox" });
  const confirm = h(
    "button",
    { type: "submit", class: "danger", id: "kill-confirm" },
    "Kill: halt and cancel",
  );
  const cancel = h("button", { type: "button", class: "ghost", id: "kill-cancel" }, "Keep trading");
  const explain = h("div", {});
  const dialog = h(
    "dialog",
    { id: "kill-dialog", "aria-labelledby": "kill-title", "aria-describedby": "kill-what" },
    h(
      "form",
      {
        method: "dialog",
        onsubmit: (e: Event) => {
          e.preventDefault();
          const id = api.firstOf(...KILL_OPS);
          if (id === undefined) return;
          confirm.disabled = true;
          status.textContent = "Halting…";
          api
            .op<{ state: string; cancelled: number; stillOpen: number; sessions: string[] }>(id, {
              flatten: flatten.checked,
              by: by.value.trim() === "" ? "dashboard" : by.value.trim(),
            })
            .then((r) => {
              status.textContent = `Trading state: ${r.state.toUpperCase()}. ${r.cancelled} order(s) cancelled in ${r.sessions.length} session(s); ${r.stillOpen} still open.`;
              window.dispatchEvent(new Event("kairos-killed"));
            })
            .catch((err: unknown) => {
              status.textContent = `Kill failed: ${messageOf(err)}. Run \`kairos kill\` in a terminal now.`;
            })
            .finally(() => {
              confirm.disabled = false;
            });
        },
      },
      h("h2", { id: "kill-title" }, "Pull the kill switch?"),
      h(
        "p",
        { id: "kill-what" },
        "Every session stops: the account is latched HALTED and every open order on every venue is cancelled. Only a person can resume, with ",
        h("code", {}, "kairos risk resume"),
        ".",
      ),
      explain,
      h("label", { for: "kill-by" }, "Your name (recorded in the audit log)"),
      by,
      h("label", { class: "check" }, flatten, " Also close every position (reduce-only market orders)"),
      h("div", { class: "row" }, cancel, confirm),
      status,
    ),
  );
  cancel.addEventListener("click", () => dialog.close());
  const button = h(
    "button",
    {
      type: "button",
      class: "kill",
      id: "kill-button",
      "aria-haspopup": "dialog",
      onclick: () => {
        status.textContent = "";
        const available = api.firstOf(...KILL_OPS) !== undefined;
        confirm.disabled = !available;
        replace(
          explain,
          available
            ? null
            : h(
                "p",
                { class: "not-yet", role: "note" },
                h("strong", {}, "The API has no kill route yet. "),
                "Pull the switch from a terminal: ",
                h("code", {}, "kairos kill --by NAME"),
              ),
        );
        dialog.showModal();
        cancel.focus();
      },
    },
    "KILL",
  );
  return { button, dialog };
}
