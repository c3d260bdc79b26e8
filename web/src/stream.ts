// The API's WebSocket streams (/v1/stream). Browsers cannot set headers on a WebSocket, so the token
// goes in the subprotocol list, never in the URL (URLs end up in logs and history).
import type { Api } from "./api.ts";

export interface StreamEvent {
  channel: string;
  type: string;
  ts: number;
  data: unknown;
}

/** Subscribes to channels; returns a closer. `onState` hears "open", "closed" and why */
export function subscribe(
  api: Api,
  channels: readonly string[],
  onEvents: (e: StreamEvent[]) => void,
  onState: (s: string) => void,
): () => void {
  const token = api.token;
  if (token === null) return () => {};
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/v1/stream`, ["kairos.v1", `kairos.bearer.${token}`]);
  ws.addEventListener("open", () => {
    ws.send(JSON.stringify({ subscribe: channels }));
    onState("open");
  });
  ws.addEventListener("message", (m) => {
    const data = JSON.parse(String(m.data)) as unknown;
    if (Array.isArray(data)) onEvents(data as StreamEvent[]);
  });
  ws.addEventListener("close", (e) => onState(`closed${e.reason === "" ? "" : `: ${e.reason}`}`));
  return () => ws.close();
}
