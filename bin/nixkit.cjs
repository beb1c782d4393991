#!/usr/bin/env node
// CommonJS on purpose: Node starts a CommonJS entry measurably faster than an ES module, and
// `nixkit run` on a warm cache is meant to cost little more than Node's own start-up.
require("../dist/nixkit.cjs");
