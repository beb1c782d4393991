#!/usr/bin/env node
// Writes the fixtures the tests read (a project's own bin, run by `pretest`).
const fs = require("node:fs");
fs.mkdirSync("test/fixtures", { recursive: true });
fs.writeFileSync("test/fixtures/words.json", JSON.stringify(["alpha", "beta", "gamma"]));
console.log("gen-fixtures: wrote test/fixtures/words.json");
