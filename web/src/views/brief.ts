// Brief: the market brief page
import { card, h, notYet, replace } from "../dom.ts";
import type { View } from "../view.ts";

export const briefView: View = async ({ main }) => {
  replace(
    main,
    h("h1", {}, "Brief"),
    card("Market brief", notYet("The market brief", "a brief route", "kairos brief")),
  );
};
