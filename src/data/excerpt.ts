/**
 * Input echoed in a message, cut to a short excerpt: a 20 MB line must not become a 20 MB error.
 * Control characters are shown as escapes so the message stays one line.
 */
export function excerpt(s: string, max = 40): string {
  const cut = s.length > max ? `${s.slice(0, max)}... (${s.length.toLocaleString("en-US")} chars)` : s;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  return cut.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
