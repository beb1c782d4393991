// Reports nixkit writes where the user asks (--junit, --report). One inside the project is
// remembered, so that it is never taken for a source file git should track ("git add junit.xml").
import path from "node:path";
import { readTextInside } from "../util/bounded-read.js";
import { writeFileAtomic, writeFileIfChanged } from "./atomic.js";
import { projectPaths } from "./layout.js";

/** The project's reports nixkit wrote, relative to the project. */
export function writtenReports(projectDir: string): Set<string> {
  try {
    const list = JSON.parse(readTextInside(projectDir, projectPaths(projectDir).writtenReports, "config") ?? "[]") as unknown;
    return new Set(Array.isArray(list) ? list.filter((f): f is string => typeof f === "string") : []);
  } catch {
    return new Set();
  }
}

/** Writes a report (atomically) and, when it is inside the project, remembers it. */
export async function writeReport(projectDir: string, file: string, content: string): Promise<void> {
  const target = path.resolve(file);
  await writeFileAtomic(target, content);
  const rel = path.relative(projectDir, target);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return;
  const known = writtenReports(projectDir);
  if (known.has(rel)) return;
  await writeFileIfChanged(projectPaths(projectDir).writtenReports, JSON.stringify([...known, rel].sort()) + "\n");
}
