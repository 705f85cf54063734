// The AuthZEN case files (certification scenario and the specification's examples) as one checker, so the library
// test and the HTTP test run the very same cases: `call` sends one request to one endpoint and returns the status
// and the parsed body.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** One case of a case file. */
export interface AuthzenCase {
  id?: string;
  title: string;
  endpoint: 'evaluation' | 'evaluations' | 'searchSubject' | 'searchResource' | 'searchAction';
  request: unknown;
  status: number;
  /** A raw body (malformed JSON, another content type): only an HTTP test can send it. */
  raw?: string;
  contentType?: string;
  decision?: boolean;
  decisions?: boolean[];
  response?: unknown;
  results?: unknown[];
  includes?: unknown[];
  excludes?: unknown[];
  nextPage?: unknown[];
  nextResponse?: unknown;
  deviation?: string;
}

/** What a call returns: the status and the body (undefined when not JSON). */
export interface CallResult {
  status: number;
  body: any;
}

const dir = join(fileURLToPath(new URL('.', import.meta.url)), '..', 'authzen');

/** A JSON file of test/authzen. */
export function authzenFile<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;
}

/** Every case of both case files, named for the test title. */
export function authzenCases(): { name: string; c: AuthzenCase }[] {
  const out: { name: string; c: AuthzenCase }[] = [];
  for (const f of ['certification-cases.json', 'spec-examples.json']) {
    const cases = authzenFile<{ cases: AuthzenCase[] }>(f).cases;
    for (const c of cases) out.push({ name: `${f.replace('.json', '')}: ${c.id ? c.id + ' ' : ''}${c.title}`, c });
  }
  return out;
}

/** Runs one case through `call` and checks everything it pins. */
export async function checkAuthzenCase(c: AuthzenCase, call: (endpoint: string, body: unknown) => Promise<CallResult>): Promise<void> {
  const r = await call(c.endpoint, c.request);
  expect(r.status).toBe(c.status);
  if (c.status !== 200) return;
  const b = r.body;
  if (c.decision !== undefined) {
    expect(b.decision).toBe(c.decision);
    if (b.context !== undefined) expect(typeof b.context).toBe('object');
  }
  if (c.decisions !== undefined) {
    expect(b.decision).toBeUndefined();
    expect(b.evaluations.map((d: { decision: boolean }) => d.decision)).toEqual(c.decisions);
  }
  if (c.response !== undefined) {
    expect(b).toMatchObject(c.response as object);
    if (Array.isArray((c.response as { evaluations?: unknown[] }).evaluations)) expect(b.evaluations).toHaveLength((c.response as { evaluations: unknown[] }).evaluations.length);
    if (Array.isArray((c.response as { results?: unknown[] }).results)) expect(b.results).toEqual((c.response as { results: unknown[] }).results);
  }
  if (c.results !== undefined) expect(b.results).toEqual(c.results);
  for (const x of c.includes ?? []) expect(b.results).toContainEqual(x);
  for (const x of c.excludes ?? []) expect(b.results).not.toContainEqual(x);
  if (b.results !== undefined) {
    expect(typeof b.page.next_token).toBe('string');
    expect(b.page.count).toBe(b.results.length);
  }
  if (c.nextPage !== undefined || c.nextResponse !== undefined) {
    expect(b.page.next_token).not.toBe('');
    const req = c.request as { page?: object };
    const next = await call(c.endpoint, { ...req, page: { ...req.page, token: b.page.next_token } });
    expect(next.status).toBe(200);
    if (c.nextPage !== undefined) expect(next.body.results).toEqual(c.nextPage);
    if (c.nextResponse !== undefined) expect(next.body).toMatchObject(c.nextResponse as object);
    // a token is good only for the request it came from
    const changed = await call(c.endpoint, { ...req, action: { name: 'changed' }, page: { token: b.page.next_token } });
    expect(changed.status).toBe(400);
  }
}
