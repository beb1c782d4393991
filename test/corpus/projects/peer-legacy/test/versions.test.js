const assert = require("node:assert/strict");
const { test } = require("node:test");

// The lockfile pins react 17 under react-dom 18 (a peer conflict made with legacy-peer-deps).
test("react 17 is installed", () => assert.equal(require("react/package.json").version, "17.0.2"));
test("react-dom 18 is installed beside it", () => assert.equal(require("react-dom/package.json").version, "18.3.1"));
