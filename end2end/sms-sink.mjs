// A loopback SMS gateway for the browser tests: the server under test posts
// `{"to": "+8613800138000", "text": "..."}` to it (SMS_GATEWAY_URL), and the
// specs read what arrived.
//
//   POST /                 stores {to, text, at}; answers 200
//   GET  /messages[?to=X]  the stored messages, oldest first, as JSON
//
// Usage: node sms-sink.mjs [port] [host]   (default 3190 on 127.0.0.1)
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? process.env.SMS_SINK_PORT ?? 3190);
const host = process.argv[3] ?? "127.0.0.1";
const messages = [];

function reply(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", `http://${host}:${port}`);
  if (req.method === "POST" && url.pathname === "/") {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > 64 * 1024) {
        reply(res, 413, { error: "too large" });
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return reply(res, 400, { error: "not JSON" });
      }
      if (typeof body?.to !== "string" || typeof body?.text !== "string") {
        return reply(res, 400, { error: "expected {to, text}" });
      }
      const message = { to: body.to, text: body.text, at: new Date().toISOString() };
      messages.push(message);
      console.log(`SMS to ${message.to}: ${message.text}`);
      reply(res, 200, { ok: true });
    });
    return;
  }
  if (req.method === "GET" && url.pathname === "/messages") {
    const to = url.searchParams.get("to");
    return reply(res, 200, to ? messages.filter((m) => m.to === to) : messages);
  }
  if (req.method === "DELETE" && url.pathname === "/messages") {
    messages.length = 0;
    return reply(res, 200, { ok: true });
  }
  reply(res, 404, { error: "not found" });
});

server.listen(port, host, () => console.log(`SMS sink on http://${host}:${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => process.exit(0));
}
