import assert from "node:assert/strict";
import { test } from "node:test";
import { app } from "../src/app.js";

test("GET / reports the service as up", async () => {
  const response = await app.request("/");
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { service: "node-service", status: "ok" });
});

test("GET /greet/:name greets", async () => {
  const response = await app.request("/greet/Ada");
  assert.equal(await response.text(), "Hello, Ada!");
});
