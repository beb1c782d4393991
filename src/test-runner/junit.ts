// Merges the JUnit reports of several tests into one document that validates against the
// Ant JUnit schema (the strictest common one): every testsuite gets the attributes and
// sections it requires, with deterministic values where the original had none.
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { junitFiles, logOf, type TestResult } from "./results.js";

const LOG_TAIL_FOR_JUNIT = 100;

export interface JUnitSource {
  /** The nixkit test the reports came from. */
  test: string;
  status: "pass" | "fail" | "error";
  /** Contents of the JUnit XML files the test wrote. */
  reports: string[];
  /** Shown as the failure text of a test that wrote no JUnit report. */
  logTail: string;
  seconds: number;
}

interface Suite {
  name: string;
  timestamp: string;
  hostname: string;
  time: string;
  properties: { name: string; value: string }[];
  cases: Case[];
  systemOut: string;
  systemErr: string;
}

interface Case {
  name: string;
  classname: string;
  time: string;
  outcome?: { kind: "failure" | "error" | "skipped"; message?: string; type?: string; text: string };
}

// Fixed values keep the merged report byte-identical for the same test results.
const EPOCH = "1970-01-01T00:00:00";
const HOSTNAME = "nix-sandbox";

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  textNodeName: "#text",
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  isArray: (name) => ["testsuite", "testcase", "property", "failure", "error", "skipped"].includes(name),
});

export function mergeJUnit(sources: JUnitSource[]): string {
  const suites: { test: string; suite: Suite }[] = [];
  for (const source of sources) {
    const parsed = source.reports.flatMap((xml) => parseSuites(xml));
    if (parsed.length === 0) parsed.push(syntheticSuite(source));
    else if (source.status === "fail" && !parsed.some((s) => s.cases.some((c) => c.outcome && c.outcome.kind !== "skipped"))) {
      // The script failed although its own report shows no failing case: say so.
      parsed.push(syntheticSuite(source));
    }
    for (const suite of parsed) suites.push({ test: source.test, suite });
  }
  const body = suites.map(({ test, suite }, id) => renderSuite(test, suite, id)).join("");
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n${body}</testsuites>\n`;
}

function parseSuites(xml: string): Suite[] {
  let document: Record<string, unknown>;
  try {
    document = parser.parse(xml) as Record<string, unknown>;
  } catch {
    return [];
  }
  const raw =
    (document.testsuites as { testsuite?: unknown[] } | undefined)?.testsuite ?? (document.testsuite as unknown[] | undefined) ?? [];
  return raw.map((s) => toSuite(s as Record<string, unknown>));
}

function toSuite(raw: Record<string, unknown>): Suite {
  const text = (v: unknown) =>
    typeof v === "string" ? v : v && typeof v === "object" && "#text" in v ? String((v as Record<string, unknown>)["#text"]) : "";
  const properties = ((raw.properties as { property?: Record<string, string>[] } | undefined)?.property ?? [])
    .map((p) => ({ name: p.name ?? "", value: p.value ?? "" }))
    .filter((p) => p.name);
  const cases = ((raw.testcase as Record<string, unknown>[] | undefined) ?? []).map((c): Case => {
    const outcome = (["failure", "error", "skipped"] as const)
      .map((kind) => ({ kind, node: (c[kind] as Record<string, unknown>[] | undefined)?.[0] }))
      .find((o) => o.node !== undefined);
    return {
      name: String(c.name ?? "unnamed"),
      classname: String(c.classname ?? raw.name ?? "unnamed"),
      time: decimal(c.time),
      outcome: outcome && {
        kind: outcome.kind,
        message: outcome.node!.message === undefined ? undefined : String(outcome.node!.message),
        type: outcome.node!.type === undefined ? undefined : String(outcome.node!.type),
        text: text(outcome.node),
      },
    };
  });
  return {
    name: String(raw.name ?? "unnamed"),
    timestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(String(raw.timestamp)) ? String(raw.timestamp) : EPOCH,
    hostname: String(raw.hostname ?? "") || HOSTNAME,
    time: decimal(raw.time),
    properties,
    cases,
    systemOut: text(raw["system-out"]),
    systemErr: text(raw["system-err"]),
  };
}

function syntheticSuite(source: JUnitSource): Suite {
  const failed = source.status !== "pass";
  return {
    name: source.test,
    timestamp: EPOCH,
    hostname: HOSTNAME,
    time: source.seconds.toFixed(3),
    properties: [],
    cases: [
      {
        name: source.test,
        classname: "nixkit",
        time: source.seconds.toFixed(3),
        outcome: failed
          ? {
              kind: source.status === "error" ? "error" : "failure",
              message: source.status === "error" ? "the test could not run" : "the test script failed",
              type: "nixkit",
              text: source.logTail,
            }
          : undefined,
      },
    ],
    systemOut: "",
    systemErr: "",
  };
}

function renderSuite(test: string, suite: Suite, id: number): string {
  const count = (kind: string) => suite.cases.filter((c) => c.outcome?.kind === kind).length;
  const attributes = attrs({
    package: test,
    id: String(id),
    name: suite.name,
    timestamp: suite.timestamp,
    hostname: suite.hostname,
    tests: String(suite.cases.length),
    failures: String(count("failure")),
    errors: String(count("error")),
    skipped: String(count("skipped")),
    time: suite.time,
  });
  const properties = suite.properties.length
    ? `    <properties>\n${suite.properties.map((p) => `      <property${attrs({ name: p.name, value: p.value })}/>\n`).join("")}    </properties>\n`
    : "    <properties/>\n";
  const cases = suite.cases.map((c) => {
    const head = `    <testcase${attrs({ name: c.name, classname: c.classname, time: c.time })}`;
    if (!c.outcome) return `${head}/>\n`;
    const { kind, message, type, text } = c.outcome;
    const outcomeAttrs = attrs({ ...(message !== undefined ? { message } : {}), ...(kind !== "skipped" ? { type: type ?? kind } : {}) });
    return `${head}>\n      <${kind}${outcomeAttrs}>${escapeText(text)}</${kind}>\n    </testcase>\n`;
  });
  return `  <testsuite${attributes}>\n${properties}${cases.join("")}    <system-out>${escapeText(suite.systemOut)}</system-out>\n    <system-err>${escapeText(suite.systemErr)}</system-err>\n  </testsuite>\n`;
}

const decimal = (v: unknown): string => (/^\d+(\.\d+)?$/.test(String(v ?? "")) ? String(v) : "0");

// XML 1.0 cannot carry most control characters; test output sometimes has them (colours).
const invalidXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function escapeText(text: string): string {
  return text.replace(invalidXml, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function attrs(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([k, v]) => ` ${k}="${escapeText(v).replace(/"/g, "&quot;").replace(/\n/g, "&#10;")}"`)
    .join("");
}

/**
 * What the merge needs from one test result. A report that is not well-formed XML is left out,
 * with a warning naming it; the test's own pass or fail then stands for it.
 */
export function junitSource(r: TestResult, warn: (message: string) => void = () => {}): JUnitSource {
  const reports = (r.status === "error" ? [] : junitFiles(r, warn)).filter(({ file, xml }) => {
    const verdict = XMLValidator.validate(xml);
    if (verdict === true) return true;
    warn(
      `test ${r.name}: ${file} is not well-formed XML (${verdict.err.msg}, line ${verdict.err.line}); it is left out of the merged JUnit report`,
    );
    return false;
  });
  return {
    test: r.name,
    status: r.status,
    reports: reports.map((report) => report.xml),
    logTail: r.status === "error" ? (r.error ?? "") : logOf(r).split("\n").slice(-LOG_TAIL_FOR_JUNIT).join("\n"),
    seconds: (r.durationMs ?? 0) / 1000,
  };
}
