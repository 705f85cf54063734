// The server's hot path of the AuthZEN library: `evaluationJson`/`evaluationsJson` write the very text
// JSON.stringify makes of `evaluation`/`evaluations`, and `wellFormed` (asked first, without building paths) accepts
// exactly the evaluations the issue-collecting checks find nothing wrong with.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createEngine } from '../engine/engine.js';
import { ValidationError, type Issue } from '../errors.js';
import type { Decision } from '../evaluate/types.js';
import { createAuthzen, toAuthzenDecision, toAuthzenDecisionJson } from './authzen.js';
import { checkContext, checkEntity, wellFormed } from './authzen-request.js';

const file = (name: string) => JSON.parse(readFileSync(new URL(`../../../../test/authzen/${name}`, import.meta.url), 'utf8'));
const fixture = file('fixture-source.json').source;
const cases: { endpoint: string; request: unknown; raw?: string }[] = [...file('certification-cases.json').cases, ...file('spec-examples.json').cases];
const NOW = Date.parse('2026-01-05T10:00:00Z');
const az = createAuthzen(createEngine({ source: fixture, clock: () => NOW }), { clock: () => NOW });

/** The response text, or the ValidationError's code and issues: the two paths must fail alike too. */
function outcome(run: () => string): unknown {
  try {
    return run();
  } catch (e) {
    if (e instanceof ValidationError) return { error: e.code, issues: e.issues };
    throw e;
  }
}

function sameText(body: unknown): void {
  expect(outcome(() => az.evaluationJson(body))).toEqual(outcome(() => JSON.stringify(az.evaluation(body))));
  expect(outcome(() => az.evaluationsJson(body))).toEqual(outcome(() => JSON.stringify(az.evaluations(body))));
}

/** What the checks that collect issues say of an evaluation: true when they find nothing. */
function slowOk(s: unknown, a: unknown, r: unknown, c: unknown): boolean {
  const issues: Issue[] = [];
  if (checkEntity(s, ['subject'], ['type'], ['id'], issues) && s['type'] !== 'anonymous' && (typeof s['id'] !== 'string' || s['id'] === ''))
    issues.push({ path: ['subject', 'id'], message: 'x' });
  checkEntity(a, ['action'], ['name'], [], issues);
  checkEntity(r, ['resource'], ['type', 'id'], [], issues);
  checkContext(c, ['context'], issues);
  return issues.length === 0;
}

const ids = fc.constantFrom('alice', 'bob', 'carol', 'record-1', 'record-2', 'unknown', '');
const member = fc.oneof(ids, fc.constant(undefined), fc.integer(), fc.constant(null), fc.boolean(), fc.array(ids, { maxLength: 2 }));
const props = fc.oneof(fc.constant(undefined), fc.constant(null), fc.dictionary(fc.constantFrom('accountId', 'owner', 'tags', 'resourceType', 'sso'), member, { maxKeys: 3 }), ids);
const good = (key: 'type' | 'name') =>
  fc.record({ [key]: fc.constantFrom('user', 'anonymous', 'record', 'read', 'write'), id: fc.constantFrom('alice', 'bob', 'record-1', 'record-2') }, { requiredKeys: [key] });
const entity = (key: 'type' | 'name') =>
  fc.oneof(
    { arbitrary: good(key), weight: 4 },
    fc.record({ [key]: fc.oneof(fc.constantFrom('user', 'anonymous', 'agent', 'record', 'read', 'write', 'robot'), member), id: member, properties: props }, { requiredKeys: [] }),
    member,
  );
const context = fc.oneof(fc.constant(undefined), fc.constant({ time: NOW }), fc.record({ time: fc.oneof(fc.constant('2026-01-05T10:00:00Z'), fc.constant(NOW), member) }, { requiredKeys: [] }), member);
const evaluation = fc.record({ subject: entity('type'), action: entity('name'), resource: entity('type'), context }, { requiredKeys: [] });

describe('the AuthZEN JSON hot path', () => {
  it('answers every case file request with the text JSON.stringify makes of the object answer', () => {
    let n = 0;
    for (const c of cases) {
      if (c.raw !== undefined || (c.endpoint !== 'evaluation' && c.endpoint !== 'evaluations')) continue;
      sameText(c.request);
      n++;
    }
    expect(n).toBeGreaterThan(20);
  });

  it('answers random evaluations and batches (defaults, semantics, malformed items) with the same text', () => {
    const batch = fc.record(
      {
        subject: entity('type'),
        action: entity('name'),
        resource: entity('type'),
        context,
        evaluations: fc.oneof(fc.array(fc.oneof(evaluation, member), { maxLength: 5 }), member),
        options: fc.oneof(fc.record({ evaluations_semantic: fc.constantFrom('execute_all', 'deny_on_first_deny', 'permit_on_first_permit', 'other') }), member),
      },
      { requiredKeys: [] },
    );
    fc.assert(fc.property(fc.oneof(evaluation, batch, member), (body) => {
        sameText(body);
      }), { numRuns: 2000 });
  });

  it('wellFormed accepts exactly what the issue-collecting checks accept', () => {
    fc.assert(fc.property(evaluation, (e) => {
          expect(wellFormed(e.subject, e.action, e.resource, e.context)).toBe(slowOk(e.subject, e.action, e.resource, e.context));
        }), { numRuns: 5000 });
  });

  it('writes any decision as JSON.stringify writes toAuthzenDecision', () => {
    const decision = fc.record(
      {
        allowed: fc.boolean(),
        reason: fc.constantFrom('allow', 'explicit-deny', 'no-match', 'invalid-request', 'sso-required'),
        policies: fc.array(fc.string(), { maxLength: 3 }),
        issues: fc.array(fc.record({ path: fc.array(fc.oneof(fc.string(), fc.nat()), { maxLength: 2 }), message: fc.string() }), { maxLength: 2 }),
        ssoConnector: fc.record({ id: fc.string(), emailDomain: fc.string() }),
        revision: fc.nat(),
      },
      { requiredKeys: ['allowed', 'reason', 'policies'] },
    );
    fc.assert(fc.property(decision, (d) => {
        expect(toAuthzenDecisionJson(d as Decision)).toBe(JSON.stringify(toAuthzenDecision(d as Decision)));
      }), { numRuns: 3000 });
  });
});
