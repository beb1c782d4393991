// Serves on $PORT (8080); `--request PATH` prints the response to one request and exits.
import { createServer } from "node:http";
import { handle } from "./app.js";

const at = process.argv.indexOf("--request");
if (at > 0) {
  const { status, body } = handle(process.argv[at + 1] ?? "/");
  console.log(`${status} ${body}`);
} else {
  const port = Number(process.env.PORT ?? 8080);
  createServer((req, res) => {
    const { status, body } = handle(req.url);
    res.writeHead(status).end(body);
  }).listen(port, () => console.log(`listening on :${port}`));
}
