// Pins of the program steps that hold a binding's expiry and nodes (flat-conditions.ts: Before, Nodes, Node), so that
// a BlueXP binding is matched from its record without the side table: the compiled decision must equal the naive
// reference evaluator's on every resource shape coversNode distinguishes, and a step the evaluator does not know
// must hold for nothing.
import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile-source.js';
import { ATTR } from '../compile/attribute-names.js';
import { ACCEL_MIN } from '../compile/bucket-accel.js';
import { FlatOp, ScopeCode } from '../compile/flat-conditions.js';
import { CandFlag } from '../compile/identity-index.js';
import { parseSource } from '../model/parse-source.js';
import { referenceAuthorize } from '../testing/reference-evaluator.js';
import { authorize } from './authorize.js';
import { runProgram } from './match-policy.js';
import { createContext } from './resolve-request.js';

const NOW = Date.parse('2026-01-05T10:00:00Z');

// o1 > f1 > f2 > p1; p2 at the root; f3 empty. The agent `ag` is in p1 only.
const nodes = [
  { id: 'f1', accountId: 'o1', kind: 'folder', parentId: null },
  { id: 'f2', accountId: 'o1', kind: 'folder', parentId: 'f1' },
  { id: 'p1', accountId: 'o1', kind: 'project', parentId: 'f2' },
  { id: 'p2', accountId: 'o1', kind: 'project', parentId: null },
  { id: 'f3', accountId: 'o1', kind: 'folder', parentId: null },
];
const roles: { id: string; kind: string; admin?: string; actions: string[] }[] = [
  { id: 'member', kind: 'bluexp', actions: ['volume:read'] },
  { id: 'folder-admin', kind: 'bluexp', admin: 'folder-or-project', actions: ['volume:read'] },
  { id: 'org-admin', kind: 'bluexp', admin: 'organization', actions: ['volume:read'] },
];
const at = ['o1', 'f1', 'f2', 'p1', 'p2', 'f3'];
const source = parseSource({
  version: 1,
  accounts: [{ id: 'o1', system: 'bluexp' }],
  principals: [
    ...roles.map((r) => ({ id: `u-${r.id}`, accountId: 'o1', kind: 'user' })),
    { id: 'ag', accountId: 'o1', kind: 'agent', projects: ['p1'] },
  ],
  nodes,
  roles,
  // one binding per (role, node), each principal holding one role's bindings, so each decision lists which nodes cover
  // (the organization admin role is bound only at the organization)
  bindings: roles.flatMap((r) =>
    (r.admin === 'organization' ? ['o1'] : at).map((n) => ({ id: `b-${r.id}-${n}`, accountId: 'o1', subject: { kind: 'principal', id: `u-${r.id}` }, roleId: r.id, nodeId: n })),
  ),
});

const resources = [
  { projects: ['p1'] },
  { projects: ['p2'] },
  { projects: ['p1', 'p2'] },
  { projects: [] },
  { folders: ['f2'] },
  { folders: ['f1'] },
  { folders: ['f3'] },
  { projects: ['f1'] },
  { folders: ['p1'] },
  { projects: ['nowhere'] },
];
const agents = [undefined, 'ag', 'not-a-principal'];
const ask = (subject: string, resource: object, agentId: string | undefined, now = NOW) => ({
  subject: { id: subject },
  action: 'volume:read',
  resource: { attributes: { accountId: 'o1', serviceName: 'bluexp' }, ...resource, ...(agentId === undefined ? {} : { agentId }) },
  environment: { now },
});
const core = (d: { allowed: boolean; reason: string; policies: string[] }) => ({ allowed: d.allowed, reason: d.reason, policies: d.policies });

describe('the Nodes step decides as coversNode', () => {
  const tables = compile(source);
  for (const r of roles)
    it(`role ${r.id}: every resource shape, with no agent, the resource's agent, an unknown agent`, () => {
      for (const resource of resources)
        for (const agentId of agents) {
          const request = ask(`u-${r.id}`, resource, agentId);
          expect({ resource, agentId, ...core(authorize(tables, request)) }).toEqual({ resource, agentId, ...core(referenceAuthorize(source, request)) });
        }
    });

  it('covers what SEMANTICS §3.4 says on a few shapes (so the comparison above is not vacuous)', () => {
    const ids = (subject: string, resource: object, agentId?: string) => authorize(tables, ask(subject, resource, agentId)).policies;
    // a project is covered from every node above it, the organization included
    expect(ids('u-member', { projects: ['p1'] })).toEqual(['b-member-f1', 'b-member-f2', 'b-member-o1', 'b-member-p1']);
    // a folder's resource only through an admin role
    expect(ids('u-member', { folders: ['f2'] })).toEqual([]);
    expect(ids('u-folder-admin', { folders: ['f2'] })).toEqual(['b-folder-admin-f1', 'b-folder-admin-f2', 'b-folder-admin-o1']);
    // a resource in no project or folder only from the organization
    expect(ids('u-member', {})).toEqual(['b-member-o1']);
    // the agent rule: through the agent's projects only, unless the role administers the organization
    expect(ids('u-member', { projects: ['p2'] }, 'ag')).toEqual([]);
    expect(ids('u-member', { projects: ['p1'] }, 'ag')).toEqual(['b-member-f1', 'b-member-f2', 'b-member-o1', 'b-member-p1']);
    expect(ids('u-org-admin', { projects: ['p2'] }, 'ag')).toEqual(['b-org-admin-o1']);
    expect(ids('u-folder-admin', { folders: ['f2'] }, 'ag')).toEqual(['b-folder-admin-f1', 'b-folder-admin-f2', 'b-folder-admin-o1']);
    expect(ids('u-folder-admin', { folders: ['f1'] }, 'ag')).toEqual(['b-folder-admin-f1', 'b-folder-admin-o1']);
    expect(ids('u-member', {}, 'ag')).toEqual([]);
  });
});

describe("a node prefilter (bucket-accel.ts) keys a caller's bindings by interned node and misses none", () => {
  // u-many holds bindings on one action, `copies` at each (role, node), enough for a prefilter: the prefilter chosen is by node
  const copies = Math.ceil(ACCEL_MIN / (2 * at.length));
  const many = parseSource({
    ...source,
    principals: [...source.principals, { id: 'u-many', accountId: 'o1', kind: 'user' }],
    bindings: [
      ...source.bindings,
      ...['member', 'folder-admin'].flatMap((r) =>
        at.flatMap((n) => Array.from({ length: copies }, (_, k) => ({ id: `m-${r}-${n}-${k}`, accountId: 'o1', subject: { kind: 'principal', id: 'u-many' }, roleId: r, nodeId: n }))),
      ),
    ],
  });
  it('decides as the reference on every resource shape, with and without an agent', () => {
    const tables = compile(many);
    for (const resource of resources)
      for (const agentId of agents) {
        const request = ask('u-many', resource, agentId);
        expect({ resource, agentId, ...core(authorize(tables, request)) }).toEqual({ resource, agentId, ...core(referenceAuthorize(many, request)) });
      }
    const accel = tables.accounts.get('o1')!.principals.get('u-many')!.index.accel;
    expect(accel?.some((a) => a?.kind === 'node')).toBe(true);
    expect(authorize(tables, ask('u-many', { projects: ['p1'] }, undefined)).policies).toEqual(
      ['f1', 'f2', 'o1', 'p1'].flatMap((n) => Array.from({ length: copies }, (_, k) => [`m-folder-admin-${n}-${k}`, `m-member-${n}-${k}`]).flat()).sort(),
    );
  });
});

describe('the Before step holds a binding until its expiry, exclusive, at any instant', () => {
  for (const expiresAt of ['2026-01-05T12:00:00Z', '1969-12-31T23:59:59.999Z', '2100-01-01T00:00:00.001Z']) {
    it(expiresAt, () => {
      const t = Date.parse(expiresAt);
      const s = parseSource({
        version: 1,
        accounts: [{ id: 'o1', system: 'bluexp' }],
        principals: [{ id: 'u', accountId: 'o1', kind: 'user' }],
        roles: [roles[0]],
        bindings: [{ id: 'b', accountId: 'o1', subject: { kind: 'principal', id: 'u' }, roleId: 'member', nodeId: 'o1', expiresAt }],
      });
      const tables = compile(s);
      // the record holds the expiry and the node: nothing is left to the side table
      const ix = tables.accounts.get('o1')!.principals.get('u')!.index;
      const r = ix.recBase;
      expect(ix.data[r]! & CandFlag.Tail).toBe(0);
      expect(Array.from(ix.data.subarray(ix.data[r + 4]!, ix.data[r + 5]!))).toEqual([FlatOp.Before, Math.floor(t / 2 ** 32), t | 0, FlatOp.Nodes, 1, 0, FlatOp.Node, tables.strings.get('o1'), 0]);
      for (const now of [t - 2 ** 32, t - 1, t, t + 1, t + 2 ** 32]) {
        const request = ask('u', {}, undefined, now);
        const d = core(authorize(tables, request));
        expect({ now, ...d }).toEqual({ now, ...core(referenceAuthorize(s, request)) });
        expect(d.allowed).toBe(now < t);
      }
    });
  }
});

describe('a program fails closed on a step it does not know', () => {
  const ctx = createContext();
  it('an unknown op holds for nothing', () => {
    expect(runProgram(new Int32Array([99, 0, 0]), 0, 3, ctx)).toBe(false);
    expect(runProgram(new Int32Array([0, 0, 0]), 0, 3, ctx)).toBe(false);
  });
  it('a Nodes step whose next triple is no Node holds for nothing', () => {
    // a resource in no project or folder of the account interned as 5: a Node step naming 5 holds, anything else not
    const at = createContext();
    at.accountNum = 5;
    expect(runProgram(new Int32Array([FlatOp.Nodes, 1, 0, FlatOp.Node, 5, 0]), 0, 6, at)).toBe(true);
    expect(runProgram(new Int32Array([FlatOp.Nodes, 1, 0, FlatOp.Eq, 5, 0]), 0, 6, at)).toBe(false);
  });
  it('an empty program holds', () => {
    expect(runProgram(new Int32Array([]), 0, 0, ctx)).toBe(true);
  });
});

describe('runProgram reads a run of targets or nodes, no triple before or after it, and goes on after it', () => {
  // a resource of the account interned as 5, in no project or folder; scope type account; nothing else
  const at = () => {
    const c = createContext();
    c.accountNum = 5;
    return c;
  };
  const failing = [FlatOp.ScopeType, ScopeCode.Zone, 0];
  it('a step after a run of targets or nodes is still checked', () => {
    expect(runProgram(new Int32Array([FlatOp.Any, 1, 0, FlatOp.Account, 5, 0]), 0, 6, at())).toBe(true);
    expect(runProgram(new Int32Array([FlatOp.Any, 1, 0, FlatOp.Account, 5, 0, ...failing]), 0, 9, at())).toBe(false);
    expect(runProgram(new Int32Array([FlatOp.Nodes, 1, 0, FlatOp.Node, 5, 0]), 0, 6, at())).toBe(true);
    expect(runProgram(new Int32Array([FlatOp.Nodes, 1, 0, FlatOp.Node, 5, 0, ...failing]), 0, 9, at())).toBe(false);
  });
  it('the triple past a run (the next program in the array) is no target or node of it', () => {
    expect(runProgram(new Int32Array([FlatOp.Any, 1, 0, FlatOp.Account, 6, 0, FlatOp.Account, 5, 0]), 0, 6, at())).toBe(false);
    expect(runProgram(new Int32Array([FlatOp.Nodes, 1, 0, FlatOp.Node, 6, 0, FlatOp.Node, 5, 0]), 0, 6, at())).toBe(false);
  });
  it('the run header is no target', () => {
    // a user-scoped resource whose `resource` is interned as 1: the header `[Any, 1, 0]` read as a User target would hold
    const c = createContext();
    c.scopeType = 'user';
    c.strings = new Map([['x', 1]]);
    c.values[ATTR.resource] = 'x';
    expect(runProgram(new Int32Array([FlatOp.Any, 1, 0, FlatOp.User, 7, 0]), 0, 6, c)).toBe(false);
    expect(runProgram(new Int32Array([FlatOp.Any, 1, 0, FlatOp.User, 1, 0]), 0, 6, c)).toBe(true);
  });
});
