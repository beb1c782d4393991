#!/usr/bin/env node
import { slug, title } from "@acme/core";

const words = process.argv.slice(2).join(" ");
console.log(`${title(words)} -> ${slug(words)}`);
