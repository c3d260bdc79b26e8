// A local chat-completions server (the OpenAI wire shape kairos's llm adapter speaks) on 127.0.0.1,
// playing a model: each request's body goes to `answer`, and what it returns is the one choice's message
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** The part of a chat-completions request the scripted models read */
export interface ChatRequest {
  messages: { role: string; content: string | null }[];
  tools?: { function: { name: string } }[];
}

export interface ChatServer {
  /** the base URL, as KAIROS_LLM_URL takes it (…/v1) */
  url: string;
  close(): Promise<void>;
}

export async function startChatServer(answer: (req: ChatRequest) => unknown): Promise<ChatServer> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const message = answer(JSON.parse(body) as ChatRequest);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ choices: [{ index: 0, message }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
