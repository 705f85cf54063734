// Pins of the candidate fields only the analyses read (issue 12, MUTATION.md, section "mutcmp4"): authorize decides from
// an index's records and programs (flat-conditions.ts), while whatCan and whoCan match the candidate objects themselves
// (matchCandidate, evaluate/match-policy.ts), which check a candidate's slow parts only when its `slow` flag is set
// (compile/index-policy.ts, isSlow). Every conformance case is decided a second time through whatCan, and the two must
// agree: an action whatCan lists is allowed by the same policies, and the case's action, when allowed, is listed.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { authorize, compile, parseSource, ValidationError, whatCan, type AuthorizeRequest } from '@portcullis/engine';

const dir = fileURLToPath(new URL('./conformance/', import.meta.url));

describe('whatCan agrees with authorize on every conformance case', () => {
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    it(file, () => {
      const data = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { source: unknown; cases: { name: string; request: AuthorizeRequest; options?: { now?: string | number }; expect: { reason: string } }[] };
      const tables = compile(parseSource(data.source));
      let checked = 0;
      for (const c of data.cases) {
        if (c.expect.reason === 'invalid-request') continue;
        const r = c.request;
        // the analyses take their instant from the options, as authorize does when it is given there
        const n = c.options?.now ?? r.environment?.now;
        const now = typeof n === 'string' ? Date.parse(n) : (n as number);
        if (!Number.isFinite(now)) continue;
        const decide = (action: string) => authorize(tables, { subject: r.subject, action, resource: r.resource }, { now });
        let w;
        try {
          w = whatCan(tables, r.subject, r.resource, { now });
        } catch (err) {
          if (!(err instanceof ValidationError)) throw err;
          // whatCan refuses a request authorize refuses
          expect({ name: c.name, reason: decide(r.action).reason }).toEqual({ name: c.name, reason: 'invalid-request' });
          continue;
        }
        checked++;
        for (const g of w.actions) expect({ name: c.name, action: g.action, d: decide(g.action).policies }).toEqual({ name: c.name, action: g.action, d: g.policies });
        for (const g of w.denied) expect({ name: c.name, action: g.action, reason: decide(g.action).reason }).toEqual({ name: c.name, action: g.action, reason: 'explicit-deny' });
        const d = decide(r.action);
        const listed = w.actions.some((x) => x.action === r.action) || w.patterns.some((p) => r.action.startsWith(p.pattern.slice(0, -1)) && r.action.length >= p.pattern.length);
        expect({ name: c.name, listed }).toEqual({ name: c.name, listed: d.allowed });
      }
      expect(checked).toBeGreaterThan(0);
    });
  }
});
