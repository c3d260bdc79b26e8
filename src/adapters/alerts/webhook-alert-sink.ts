/**
 * Alerts as JSON POSTs to a webhook, signed with a shared secret: the receiver recomputes
 * HMAC-SHA256(secret, `${timestamp}.${body}`) and compares it with `X-Kairos-Signature`
 * (`t=<timestamp ms>,v1=<hex>`), refusing stale timestamps to stop replays; `X-Kairos-Alert-Id`
 * lets it drop a retried duplicate. Errors name the status, never the URL's credentials or the secret.
 */
import { createHmac } from "node:crypto";
import { Agent as HttpAgent, request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { Alert, AlertSink } from "../../ports/alert-sink.ts";

export const SIGNATURE_HEADER = "x-kairos-signature";
export const ALERT_ID_HEADER = "x-kairos-alert-id";

/** The signature of a body at a time: what the receiver recomputes */
export function webhookSignature(secret: string, timestampMs: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestampMs}.${body}`).digest("hex");
}

export interface WebhookSinkOptions {
  url: string;
  secret: string;
  /** per request (default 5 s) */
  timeoutMs?: number;
  now?: () => number;
}

/** The URL as shown in messages: origin and path, no user info, no query (tokens hide there) */
export const shownUrl = (u: string): string => {
  try {
    const x = new URL(u);
    return `${x.protocol}//${x.host}${x.pathname}`;
  } catch {
    return "(invalid URL)";
  }
};

export class WebhookAlertSink implements AlertSink {
  readonly name = "webhook";
  private readonly target: URL;
  // node:http with kept-alive connections: several times cheaper per request than fetch, which
  // matters when a burst of alerts shares a small machine with the trading loop
  private readonly agent: HttpAgent | HttpsAgent;
  constructor(private readonly o: WebhookSinkOptions) {
    this.target = new URL(o.url);
    this.agent =
      this.target.protocol === "https:"
        ? new HttpsAgent({ keepAlive: true, maxSockets: 16 })
        : new HttpAgent({ keepAlive: true, maxSockets: 16 });
  }

  send(alert: Alert): Promise<void> {
    const body = JSON.stringify({ type: "kairos.alert", alert });
    const t = (this.o.now ?? Date.now)();
    const shown = shownUrl(this.o.url);
    return new Promise((resolve, reject) => {
      const req = (this.target.protocol === "https:" ? httpsRequest : httpRequest)(
        this.target,
        {
          method: "POST",
          agent: this.agent,
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            [SIGNATURE_HEADER]: `t=${t},v1=${webhookSignature(this.o.secret, t, body)}`,
            [ALERT_ID_HEADER]: alert.id,
          },
          timeout: this.o.timeoutMs ?? 5_000,
        },
        (res) => {
          // the body is not needed; draining it frees the connection for the next alert
          res.resume();
          res.on("end", () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else reject(new Error(`webhook ${shown}: HTTP ${status}`));
          });
          res.on("error", () => reject(new Error(`webhook ${shown}: connection lost`)));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", (err) =>
        reject(
          new Error(`webhook ${shown}: ${err.message === "timeout" ? "timed out" : "could not connect"}`),
        ),
      );
      req.end(body);
    });
  }
}
