/** A real HTTP server on 127.0.0.1:0 that plays the companion for the background's client tests. */

import { createServer } from "node:http";

/**
 * Starts a server whose `routes["METHOD /path"]` return `{status, json}` / `{status, text}` or
 * handle `(req, res, body)` themselves. Every request is recorded in `requests`.
 */
export async function startCompanion(routes = {}) {
  const requests = [];
  const sockets = new Set();
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const raw = Buffer.concat(chunks).toString("utf8");
    const url = new URL(req.url, "http://127.0.0.1");
    const record = { method: req.method, path: url.pathname, query: url.search, headers: req.headers, body: raw ? JSON.parse(raw) : undefined };
    requests.push(record);
    const route = routes[`${req.method} ${url.pathname}`];
    if (!route) return send(res, { status: 404, json: { error: { code: "not_found", message: "No such route." } } });
    const result = typeof route === "function" ? await route(req, res, record) : route;
    if (result) send(res, result);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    routes,
    server,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function send(res, { status = 200, json, text, headers = {} }) {
  const body = json !== undefined ? JSON.stringify(json) : text ?? "";
  res.writeHead(status, { "Content-Type": json !== undefined ? "application/json" : "text/plain", ...headers });
  res.end(body);
}

/** A port on 127.0.0.1 with nothing listening (bound, then closed). */
export async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
