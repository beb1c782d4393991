// The service's request handler: tests call it directly, server.js serves it.
export function handle(url) {
  if (url === "/") return { status: 200, body: JSON.stringify({ status: "ok" }) };
  return { status: 404, body: "not found" };
}
