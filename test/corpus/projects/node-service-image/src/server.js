#!/usr/bin/env node
// A small JSON service: GET /health and GET /sum?a=1&b=2. `--request PATH` answers one request
// on stdout and exits (what the image test runs).
import { realpathSync } from "node:fs";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";

export function handle(method, url) {
  const { pathname, searchParams } = new URL(url, "http://localhost");
  if (method === "GET" && pathname === "/health") return [200, { status: "ok" }];
  if (method === "GET" && pathname === "/sum") return [200, { sum: Number(searchParams.get("a")) + Number(searchParams.get("b")) }];
  return [404, { error: "not found" }];
}

// Run as a program (also through a bin link), not imported by the tests.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf("--request");
  if (at > 0) {
    const [status, body] = handle("GET", process.argv[at + 1]);
    console.log(`${status} ${JSON.stringify(body)}`);
  } else {
    const port = Number(process.env.PORT ?? 8080);
    createServer((req, res) => {
      const [status, body] = handle(req.method, req.url);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    }).listen(port, () => console.log(`listening on ${port}`));
  }
}
