// A webhook receiver in a process of its own (as a user's would be), for R9: checks kairos's HMAC
// signature, keeps each alert once by id with the time it arrived; GET /received returns them.
// The shared secret comes in $WEBHOOK_SECRET; the first stdout line is {"port": N}.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const secret = process.env.WEBHOOK_SECRET ?? "";
const byId = new Map();
let requests = 0;
let badSignatures = 0;
const server = createServer((req, res) => {
  const parts = [];
  req.on("data", (c) => parts.push(c));
  req.on("end", () => {
    if (req.method === "GET" && req.url === "/received") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ requests, badSignatures, received: [...byId.values()] }));
      return;
    }
    const receivedAt = Date.now();
    requests++;
    const body = Buffer.concat(parts).toString("utf8");
    const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(req.headers["x-kairos-signature"] ?? ""));
    const want = m === null ? "" : createHmac("sha256", secret).update(`${m[1]}.${body}`).digest("hex");
    if (m === null || !timingSafeEqual(Buffer.from(want, "hex"), Buffer.from(m[2], "hex"))) {
      badSignatures++;
      res.writeHead(401).end();
      return;
    }
    const { alert } = JSON.parse(body);
    if (!byId.has(alert.id)) byId.set(alert.id, { alert, receivedAt });
    res.writeHead(204).end();
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
