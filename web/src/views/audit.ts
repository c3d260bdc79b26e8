// Audit: decision → checks → approval → order → fills, searchable, with a verify button
import { card, h, notYet, replace } from "../dom.ts";
import type { View } from "../view.ts";

export const auditView: View = async ({ main }) => {
  replace(
    main,
    h("h1", {}, "Audit"),
    card(
      "Search",
      notYet(
        "Searching the audit log (decision, checks, approval, order, fills)",
        "the audit show route",
        "kairos audit show --order ID",
      ),
    ),
    card("Verify", notYet("Verifying the hash chain", "the audit verify route", "kairos audit verify")),
  );
};
