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
  isArray: (name) =>
    ["testsuites", "testsuite", "testcase", "property", "properties", "failure", "error", "skipped", "system-out", "system-err"].includes(
      name,
    ),
});

type Raw = Record<string, unknown>;
const children = (node: Raw, tag: string): Raw[] => (node[tag] as Raw[] | undefined) ?? [];

export function mergeJUnit(sources: JUnitSource[]): string {
  const suites: { test: string; suite: Suite }[] = [];
  for (const source of sources) {
    const parsed = source.reports.flatMap((xml) => parseSuites(xml, source.test));
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

/**
 * Every <testcase> of a report, at any depth, in flat suites as the Ant schema has them. Runners
 * write other shapes: node:test puts plain test()s straight under <testsuites>, tap and nested
 * describe()s nest <testsuite>s. A nested suite becomes a suite of its own named by its path
 * ("outer > inner"); cases outside any suite go into one named after the report's <testsuites>
 * (or the nixkit test).
 */
function parseSuites(xml: string, test: string): Suite[] {
  let document: Raw;
  try {
    document = parser.parse(xml) as Raw;
  } catch {
    return [];
  }
  const suites: Suite[] = [];
  const visit = (raw: Raw, parents: string[]) => {
    const name = [...parents, String(raw.name ?? "unnamed")].join(" > ");
    const suite = toSuite(raw, name);
    if (suite.cases.length > 0 || suite.properties.length > 0 || suite.systemOut || suite.systemErr) suites.push(suite);
    for (const child of children(raw, "testsuite")) visit(child, [...parents, String(raw.name ?? "unnamed")]);
  };
  for (const root of children(document, "testsuites")) {
    const loose = toSuite({ ...root, testsuite: undefined }, String(root.name ?? "") || test);
    if (loose.cases.length > 0) suites.push(loose);
    for (const raw of children(root, "testsuite")) visit(raw, []);
  }
  for (const raw of children(document, "testsuite")) visit(raw, []);
  return suites;
}

const textOf = (v: unknown): string => {
  const node = Array.isArray(v) ? v[0] : v;
  return typeof node === "string" ? node : node && typeof node === "object" && "#text" in node ? String((node as Raw)["#text"]) : "";
};
const propertiesOf = (raw: Raw) =>
  children(raw, "properties")
    .flatMap((p) => children(p, "property"))
    .map((p) => ({ name: String(p.name ?? ""), value: String(p.value ?? textOf(p)) }))
    .filter((p) => p.name);

/** One suite: its own cases (their properties and output folded into the suite's, which the schema allows). */
function toSuite(raw: Raw, name: string): Suite {
  const properties = propertiesOf(raw);
  let systemOut = textOf(raw["system-out"]);
  let systemErr = textOf(raw["system-err"]);
  const cases = children(raw, "testcase").map((c): Case => {
    // The Ant schema allows one outcome per case; a case with several is told by the worst.
    const caseName = String(c.name ?? "unnamed");
    const caseProperties = propertiesOf(c);
    // tap marks a skipped or todo subtest with a property of that name, not a <skipped> element.
    const tapSkip = caseProperties.find((p) => p.name === "skip" || p.name === "todo");
    const outcome =
      (["error", "failure", "skipped"] as const).map((kind) => ({ kind, node: children(c, kind)[0] })).find((o) => o.node !== undefined) ??
      (tapSkip ? { kind: "skipped" as const, node: { message: tapSkip.value } as Raw } : undefined);
    for (const p of caseProperties) properties.push({ name: `${caseName}: ${p.name}`, value: p.value });
    const out = textOf(c["system-out"]);
    const err = textOf(c["system-err"]);
    if (out) systemOut += `${systemOut && !systemOut.endsWith("\n") ? "\n" : ""}[${caseName}]\n${out}`;
    if (err) systemErr += `${systemErr && !systemErr.endsWith("\n") ? "\n" : ""}[${caseName}]\n${err}`;
    return {
      name: caseName,
      classname: String(c.classname ?? raw.name ?? name),
      time: decimal(c.time),
      outcome: outcome && {
        kind: outcome.kind,
        message: outcome.node!.message === undefined ? undefined : String(outcome.node!.message),
        type: outcome.node!.type === undefined ? undefined : String(outcome.node!.type),
        text: textOf(outcome.node),
      },
    };
  });
  return {
    name,
    timestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(String(raw.timestamp)) ? String(raw.timestamp) : EPOCH,
    hostname: String(raw.hostname ?? "") || HOSTNAME,
    time: decimal(raw.time),
    properties,
    cases,
    systemOut,
    systemErr,
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

export function escapeText(text: string): string {
  return text.replace(invalidXml, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function attrs(values: Record<string, string>): string {
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
