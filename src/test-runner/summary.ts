// The human summary of a test run: one row per test.
import { formatDuration, formatTable } from "../util/table.js";
import type { TestResult } from "./results.js";

export function summaryTable(results: TestResult[]): string {
  const rows = [
    ["TEST", "RESULT", "RUN", "TIME", "REPORTS"],
    ...results.map((r) => [
      r.name,
      r.status.toUpperCase(),
      r.status === "error" ? "-" : r.cached ? "cached" : r.differs ? "ran (differs)" : "ran",
      formatDuration(r.durationMs),
      r.status === "error" ? (r.error ?? "") : r.reports.length ? `${r.reportsDir}/{${r.reports.join(",")}}` : "-",
    ]),
  ];
  return formatTable(rows);
}

export function tally(results: TestResult[]): string {
  const count = (s: string) => results.filter((r) => r.status === s).length;
  const cached = results.filter((r) => r.cached).length;
  const ran = results.filter((r) => !r.cached && r.status !== "error").length;
  return `${count("pass")} passed, ${count("fail")} failed${count("error") ? `, ${count("error")} errored` : ""} (${ran} ran, ${cached} cached)`;
}
