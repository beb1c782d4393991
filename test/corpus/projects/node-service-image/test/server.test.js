import assert from "node:assert/strict";
import { test } from "node:test";
import { handle } from "../src/server.js";

test("health", () => assert.deepEqual(handle("GET", "/health"), [200, { status: "ok" }]));
test("sum", () => assert.deepEqual(handle("GET", "/sum?a=2&b=3"), [200, { sum: 5 }]));
test("unknown path", () => assert.equal(handle("GET", "/nope")[0], 404));
