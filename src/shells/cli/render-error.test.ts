import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError, invalidField } from "../../errors.ts";
import { renderError, safeText } from "./render-error.ts";

const ctx = { debug: false, json: false, command: "data show", flagFor: (f: string) => `--${f}` };

describe("safeText: what may reach a terminal", () => {
  it("never lets a control character through, whatever the input", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: none may remain
        expect(safeText(s)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      }),
    );
    expect(safeText("a\u001b]0;pwned\u0007b\rc")).toBe("a\\x1b]0;pwned\\x07b\\rc");
  });

  it("masks credentials in URLs and secret query parameters", () => {
    expect(safeText("cannot reach http://user:hunter2@127.0.0.1:9/api")).toBe(
      "cannot reach http://***@127.0.0.1:9/api",
    );
    expect(safeText("GET https://x.test/v1?apiKey=abc123&limit=5")).toBe(
      "GET https://x.test/v1?apiKey=***&limit=5",
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{6,20}$/), (secret) => {
        expect(safeText(`at wss://bot:${secret}@feed.test and ?token=${secret}`)).not.toContain(secret);
      }),
    );
  });
});

describe("renderError", () => {
  it("names the flag, says what is allowed and where the help is, in one line, exit 2", () => {
    const { text, exitCode } = renderError(
      invalidField("from", '"2024-02-30" is not a real date', "an ISO date"),
      ctx,
    );
    expect(exitCode).toBe(2);
    expect(text).toBe(
      'kairos: --from "2024-02-30" is not a real date; allowed: an ISO date [INVALID_INPUT]; see `kairos data show --help`',
    );
  });

  it("with --json: one JSON object with code, message and field", () => {
    const { text } = renderError(invalidField("to", "must be after {from}"), { ...ctx, json: true });
    expect(JSON.parse(text)).toEqual({
      error: { code: "INVALID_INPUT", message: "--to must be after --from", field: "to" },
    });
  });

  it("a foreign error is INTERNAL with a hint, and its control characters and secrets are never shown", () => {
    const { text, exitCode } = renderError(new Error("boom \u001b[2J http://a:b@h"), ctx);
    expect(exitCode).toBe(1);
    expect(text).toBe(
      "kairos: internal error: boom \\x1b[2J http://***@h [INTERNAL]\nrun again with --debug for the details",
    );
    const debug = renderError(new AppError("NOT_FOUND", "x", { cause: new Error("y http://u:p@h") }), {
      ...ctx,
      debug: true,
    }).text;
    expect(debug).not.toContain("u:p@");
  });
});
