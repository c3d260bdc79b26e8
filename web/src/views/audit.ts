// Audit: decision → checks → approval → order → fills for one order or decision, and a verify button
import { card, field, h, messageOf, notYet, replace, table } from "../dom.ts";
import type { View } from "../view.ts";

interface AuditStep {
  seq: number;
  kind: string;
  ts: number;
  [k: string]: unknown;
}

interface VerifyReport {
  ok: boolean;
  records: number;
  firstBadSeq?: number;
  anchors: number;
  problem?: string;
  keyFingerprint?: string;
}

const cell = (v: unknown): string =>
  typeof v === "object" && v !== null ? JSON.stringify(v) : String(v ?? "–");

export const auditView: View = async ({ api, main }) => {
  const verifyOut = h("div", { id: "audit-verify-out", role: "status" });
  const verify = h(
    "button",
    {
      type: "button",
      class: "primary",
      id: "audit-verify",
      onclick: () => {
        replace(verifyOut, "Re-computing the chain…");
        api.op<VerifyReport>("audit_verify", {}).then(
          (r) =>
            replace(
              verifyOut,
              h(
                "p",
                { class: r.ok ? "tag good" : "tag bad" },
                r.ok
                  ? `Intact: ${r.records} records, ${r.anchors} signed anchors verified.`
                  : `BROKEN${r.firstBadSeq === undefined ? "" : ` at record ${r.firstBadSeq}`}: ${r.problem ?? ""}`,
              ),
              r.keyFingerprint === undefined
                ? null
                : h("p", { class: "note" }, `Signing key ${r.keyFingerprint}`),
            ),
          (e: unknown) => replace(verifyOut, messageOf(e)),
        );
      },
    },
    "Verify the audit log",
  );
  const kind = h(
    "select",
    { id: "audit-kind" },
    h("option", { value: "order" }, "Order id"),
    h("option", { value: "decision" }, "Decision id"),
  );
  const q = h("input", { id: "audit-q", type: "search", required: true, maxlength: 200 });
  const out = h("div", { id: "audit-out" });
  const search = h(
    "form",
    {
      role: "search",
      "aria-label": "Search the audit log",
      onsubmit: (e: Event) => {
        e.preventDefault();
        replace(out, "Walking the log…");
        api
          .op<{ steps?: AuditStep[] } & Record<string, unknown>>("audit_show", {
            [kind.value]: q.value.trim(),
          })
          .then(
            (r) => {
              const steps = Array.isArray(r.steps) ? r.steps : [];
              replace(
                out,
                typeof r.explanation === "string" ? h("p", { class: "decision" }, r.explanation) : null,
                steps.length === 0
                  ? h("p", {}, "No records for that id.")
                  : table(
                      `The trail of ${q.value.trim()}`,
                      ["Seq", "Kind", "Time", "Details"],
                      steps.map((s) => [
                        String(s.seq),
                        s.kind,
                        new Date(s.ts).toISOString(),
                        h(
                          "code",
                          { class: "json" },
                          cell(
                            Object.fromEntries(
                              Object.entries(s).filter(([k]) => !["seq", "kind", "ts"].includes(k)),
                            ),
                          ),
                        ),
                      ]),
                    ),
              );
            },
            (e: unknown) => replace(out, h("p", { class: "status error" }, messageOf(e))),
          );
      },
    },
    h("div", { class: "fields" }, field("audit-kind", "Search by", kind), field("audit-q", "Id", q)),
    h("button", { type: "submit", id: "audit-search" }, "Show its trail"),
  );
  replace(
    main,
    h("h1", {}, "Audit"),
    card(
      "Verify",
      api.has("audit_verify")
        ? h("div", {}, verify, verifyOut)
        : notYet("Verifying", "the audit verify route", "kairos audit verify"),
    ),
    card(
      "Search",
      api.has("audit_show")
        ? h(
            "div",
            {},
            h(
              "p",
              { class: "note" },
              "Decision → risk checks → approval → order → fills, for one order (its client order id) or one decision.",
            ),
            search,
            out,
          )
        : notYet("Searching the audit log", "the audit show route", "kairos audit show --order ID"),
    ),
  );
};
