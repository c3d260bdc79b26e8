import ccxt from "ccxt";
import { describe, expect, it } from "vitest";
import { AppError } from "../../errors.ts";
import { translateCcxtError } from "./translate-error.ts";

describe("translateCcxtError", () => {
  const cases: [Error, string, boolean][] = [
    [new ccxt.RateLimitExceeded("binance 429"), "RATE_LIMITED", true],
    [new ccxt.DDoSProtection("binance 429"), "RATE_LIMITED", true],
    [new ccxt.RequestTimeout("binance timed out"), "EXCHANGE_UNAVAILABLE", true],
    [new ccxt.OnMaintenance("binance maintenance"), "EXCHANGE_UNAVAILABLE", true],
    [new ccxt.ExchangeNotAvailable("binance 503"), "EXCHANGE_UNAVAILABLE", true],
    [new ccxt.NetworkError("binance ECONNRESET"), "EXCHANGE_UNAVAILABLE", true],
    [new ccxt.BadSymbol("binance bad symbol"), "NOT_FOUND", false],
    [new ccxt.AuthenticationError("binance bad key"), "AUTH_FAILED", false],
    [new ccxt.InsufficientFunds("binance no money"), "ORDER_REJECTED", false],
    [new ccxt.NotSupported("binance no"), "INVALID_INPUT", false],
    [new ccxt.BadRequest("binance -1100"), "EXCHANGE_ERROR", false],
    [new ccxt.ExchangeError("binance -1000"), "EXCHANGE_ERROR", false],
    [new Error("boom"), "INTERNAL", false],
  ];
  for (const [err, code, retryable] of cases) {
    it(`${err.constructor.name} -> ${code}${retryable ? " (retryable)" : ""}`, () => {
      const e = translateCcxtError(err, "binance", "fetching candles", 1500);
      expect(e).toBeInstanceOf(AppError);
      expect([e.code, e.retryable]).toEqual([code, retryable]);
      expect(e.cause).toBe(err);
      // a Retry-After belongs to rate limits only (ccxt keeps the last response's headers around)
      expect(e.details.retryAfterMs).toBe(code === "RATE_LIMITED" ? 1500 : undefined);
      expect(e.message).toMatch(/^binance .* while fetching candles: /);
    });
  }
});
