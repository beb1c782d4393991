// The service's routes, as a Hono app: tests call it directly, server.js serves it.
import { Hono } from "hono";

export const app = new Hono();

app.get("/", (c) => c.json({ service: "node-service", status: "ok" }));
app.get("/greet/:name", (c) => c.text(`Hello, ${c.req.param("name")}!`));
