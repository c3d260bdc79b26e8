import type { ChatMessage, ChatModel, ChatReply, ChatTool } from "../../app/ask.ts";
import { AppError } from "../../errors.ts";

/**
 * An OpenAI-compatible chat-completions endpoint (Ollama, llama.cpp, vLLM, OpenAI): POST
 * `<url>/chat/completions` (`url` ends in /v1 or already names the route). The key, when given, goes
 * only into the Authorization header, never into errors.
 */
export function openAiChat(opts: {
  url: string;
  model?: string;
  apiKey?: string;
  timeoutMs?: number;
}): ChatModel {
  const base = opts.url.replace(/\/+$/, "");
  const endpoint = base.endsWith("/chat/completions") ? base : `${base}/chat/completions`;
  return {
    async complete(messages: readonly ChatMessage[], tools: readonly ChatTool[]): Promise<ChatReply> {
      let res: Response;
      try {
        res = await fetch(endpoint, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(opts.apiKey === undefined ? {} : { authorization: `Bearer ${opts.apiKey}` }),
          },
          body: JSON.stringify({
            model: opts.model ?? "kairos",
            messages,
            tools: tools.map((t) => ({ type: "function", function: t })),
            temperature: 0,
          }),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
        });
      } catch (e) {
        throw new AppError(
          "EXCHANGE_UNAVAILABLE",
          `ask: the model endpoint ${new URL(endpoint).origin} did not answer (${(e as Error).name}): check KAIROS_LLM_URL`,
        );
      }
      if (!res.ok)
        throw new AppError(
          "EXCHANGE_UNAVAILABLE",
          `ask: the model endpoint answered HTTP ${res.status}: check KAIROS_LLM_URL and the model name`,
        );
      const body = (await res.json()) as {
        choices?: {
          message?: {
            content?: string | null;
            tool_calls?: { id: string; function: { name: string; arguments: string } }[];
          };
        }[];
      };
      const m = body.choices?.[0]?.message;
      if (m === undefined)
        throw new AppError(
          "EXCHANGE_UNAVAILABLE",
          "ask: the model endpoint's reply has no choices[0].message",
        );
      return {
        content: m.content ?? "",
        toolCalls: (m.tool_calls ?? []).map((c) => ({
          id: c.id,
          name: c.function.name,
          arguments: c.function.arguments,
        })),
      };
    },
  };
}
