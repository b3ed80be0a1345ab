/**
 * JUnit XML for CI dashboards: one <testsuite> per phase, one <testcase> per case
 * (classname = phase, name = case id). `fail` is a <failure>; `timeout`, `crash` and
 * `error` are <error>s (the test could not be judged); `skip` is <skipped>; an
 * unexpected pass counts as passing, with a note to take it off the skip-list.
 */
import type { CaseResult, RunResult } from '../run/types.js';

// XML 1.0 allows only #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
const ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text safe in XML 1.0 content and attributes: markup escaped, illegal characters shown as `\xNN`. */
export function xmlText(text: string): string {
  return text
    .replace(ILLEGAL, (ch) => (ch.length === 1 && ch.charCodeAt(0) < 0x20 ? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}` : '\ufffd'))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;');
}

/** Attribute values also keep newlines and tabs, which parsers would otherwise normalise to spaces. */
function attr(text: string): string {
  return xmlText(text).replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

const seconds = (ms: number) => (Math.max(0, ms) / 1000).toFixed(3);

function testcase(c: CaseResult): string {
  const open = `    <testcase classname="${attr(c.phase)}" name="${attr(c.id)}" time="${seconds(c.durationMs)}"`;
  const message = c.reason ?? c.status;
  const details = [c.diff, c.stderrTail ? `stderr:\n${c.stderrTail}` : undefined].filter((s) => s).join('\n\n');
  switch (c.status) {
    case 'pass':
      return `${open}/>`;
    case 'unexpected-pass':
      return `${open}>\n      <system-out>${xmlText(`unexpected pass: on the skip-list (${c.skipReason ?? 'no reason'}) but passes now; remove the entry`)}</system-out>\n    </testcase>`;
    case 'skip':
      return `${open}>\n      <skipped message="${attr(c.skipReason ?? 'on the skip-list')}"/>\n    </testcase>`;
    case 'fail':
      return `${open}>\n      <failure message="${attr(message)}" type="${attr(c.facet ?? 'output')}">${xmlText(details)}</failure>\n    </testcase>`;
    default:
      return `${open}>\n      <error message="${attr(message)}" type="${c.status}">${xmlText(details)}</error>\n    </testcase>`;
  }
}

export function renderJUnit(result: RunResult): string {
  const byPhase = new Map<string, CaseResult[]>(result.phases.map((p) => [p.phase, []]));
  for (const c of result.cases) {
    if (!byPhase.has(c.phase)) byPhase.set(c.phase, []);
    byPhase.get(c.phase)!.push(c);
  }
  const count = (cases: CaseResult[]) => ({
    tests: cases.length,
    failures: cases.filter((c) => c.status === 'fail').length,
    errors: cases.filter((c) => c.status === 'timeout' || c.status === 'crash' || c.status === 'error').length,
    skipped: cases.filter((c) => c.status === 'skip').length,
    time: seconds(cases.reduce((n, c) => n + c.durationMs, 0)),
  });
  const all = count(result.cases);
  const suites = [...byPhase].map(([phase, cases]) => {
    const n = count(cases);
    const head = `  <testsuite name="${attr(phase)}" tests="${n.tests}" failures="${n.failures}" errors="${n.errors}" skipped="${n.skipped}" time="${n.time}" timestamp="${attr(result.startedAt)}"`;
    return cases.length ? `${head}>\n${cases.map(testcase).join('\n')}\n  </testsuite>` : `${head}/>`;
  });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<testsuites name="porter" tests="${all.tests}" failures="${all.failures}" errors="${all.errors}" skipped="${all.skipped}" time="${seconds(result.durationMs)}" timestamp="${attr(result.startedAt)}">\n` +
    `${suites.join('\n')}\n</testsuites>\n`
  );
}
