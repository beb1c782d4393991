// Serves the app on $PORT (8080), or with `--request PATH` prints the app's response to one
// request and exits (how the image is checked without a network).
import { serve } from "@hono/node-server";
import { app } from "./app.js";

const at = process.argv.indexOf("--request");
if (at > 0) {
  const response = await app.request(process.argv[at + 1] ?? "/");
  console.log(`${response.status} ${await response.text()}`);
} else {
  const port = Number(process.env.PORT ?? 8080);
  serve({ fetch: app.fetch, port }, () => console.log(`node-service listening on :${port}`));
}
