// Runs the cases of a scenario against a source with the compiled evaluator, and says for each case
// whether it got the decision it expects and why not; pure, so the same run serves vitest and the CLI.
import { compile } from '../compile/compile-source.js';
import { authorize } from '../evaluate/authorize.js';
import type { AuthorizeRequest, Decision } from '../evaluate/types.js';
import type { Source } from '../model/source.js';
import { scenarioCoverage, type ScenarioCoverage } from './scenario-coverage.js';
import { caseName, caseRequest, type ScenarioCase } from './scenario-file.js';

/** The outcome of one case. */
export interface ScenarioCaseResult {
  index: number;
  name: string;
  passed: boolean;
  /** Why the case failed, one line per mismatch; empty when it passed. */
  failures: string[];
  request: AuthorizeRequest;
  decision: Decision;
}

/** The outcome of a scenario: every case, the counts, and what the cases did not exercise. */
export interface ScenarioReport {
  cases: ScenarioCaseResult[];
  passed: number;
  failed: number;
  coverage: ScenarioCoverage;
}

/** What runScenario needs: a parsed source, the cases, and the file's default time. */
export interface ScenarioInput {
  source: Source;
  cases: ScenarioCase[];
  now?: number | string;
}

/** Options of runScenario. */
export interface RunScenarioOptions {
  /** Called after each case, for a progress line. */
  onCase?: (done: number, total: number) => void;
}

const list = (xs: readonly string[]) => `[${xs.map((x) => `\`${x}\``).join(', ')}]`;

/** Why a decision does not meet a case's expectation; empty when it does. */
export function caseFailures(c: ScenarioCase, d: Decision): string[] {
  const out: string[] = [];
  const got = d.allowed ? 'allow' : 'deny';
  if (got !== c.expect) out.push(`expected ${c.expect}, got ${got} (${d.reason})`);
  else if (c.reason !== undefined && c.reason !== d.reason) out.push(`expected reason \`${c.reason}\`, got \`${d.reason}\``);
  if (c.policies !== undefined) {
    const want = [...new Set(c.policies)].sort();
    if (JSON.stringify(want) !== JSON.stringify(d.policies)) out.push(`expected determining policies ${list(want)}, got ${list(d.policies)}`);
  }
  if (d.reason === 'invalid-request' && c.reason !== 'invalid-request')
    for (const i of d.issues ?? []) out.push(`invalid request: ${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
  return out;
}

/** Decides every case (with explanations) and reports pass or fail per case, with coverage. */
export function runScenario(input: ScenarioInput, opts: RunScenarioOptions = {}): ScenarioReport {
  const tables = compile(input.source);
  const cases = input.cases.map((c, index): ScenarioCaseResult => {
    const request = caseRequest(c, input.now);
    const decision = authorize(tables, request, { explain: true });
    const failures = caseFailures(c, decision);
    opts.onCase?.(index + 1, input.cases.length);
    return { index, name: caseName(c, index), passed: failures.length === 0, failures, request, decision };
  });
  const passed = cases.filter((c) => c.passed).length;
  return { cases, passed, failed: cases.length - passed, coverage: scenarioCoverage(input.source, cases) };
}
