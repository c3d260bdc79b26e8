export { type BuyAndHoldParams, buyAndHoldParams } from "./strategy.ts";
