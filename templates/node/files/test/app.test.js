import assert from "node:assert/strict";
import { test } from "node:test";
import { handle } from "../src/app.js";

test("GET / is ok", () => assert.equal(handle("/").status, 200));
test("an unknown path is 404", () => assert.equal(handle("/nope").status, 404));
