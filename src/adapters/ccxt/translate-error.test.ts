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

describe("translateCcxtError: an unreachable host is not retried", () => {
  const cases: [string, RegExp][] = [
    [
      "binance GET http://x.invalid/api/v3/exchangeInfo fetch failed: getaddrinfo ENOTFOUND x.invalid",
      /^cannot reach binance at http:\/\/x\.invalid while loading markets: the host name cannot be resolved/,
    ],
    [
      "binance GET http://127.0.0.1:5/api/v3/klines fetch failed: connect ECONNREFUSED 127.0.0.1:5",
      /^cannot reach binance at http:\/\/127\.0\.0\.1:5 while loading markets: the host refused the connection/,
    ],
  ];
  for (const [msg, re] of cases) {
    it(msg.split(": ").pop()!, () => {
      const e = translateCcxtError(new ccxt.NetworkError(msg), "binance", "loading markets");
      expect([e.code, e.retryable]).toEqual(["EXCHANGE_UNAVAILABLE", false]);
      expect(e.message).toMatch(re);
    });
  }
  it("a reset connection (the host answered once) stays retryable", () => {
    const e = translateCcxtError(new ccxt.NetworkError("binance ECONNRESET"), "binance", "x");
    expect(e.retryable).toBe(true);
  });
});
