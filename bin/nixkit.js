#!/usr/bin/env node
import module from "node:module";

// Node 22+ caches compiled code between runs; older Node simply starts without it.
module.enableCompileCache?.();
await import("../dist/nixkit.js");
