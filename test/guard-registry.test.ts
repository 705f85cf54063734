// The guard registry (#18): each operation declares its guard beside it (defineOperation), the defaults are a frozen
// value built from the declarations, and an engine consults the registry its options name. An operation the registry
// holds no guard for is refused to every subject (fail closed) and writes nothing; `system` still runs it.
import { describe, expect, it } from 'vitest';
import {
  bluexpOperations,
  bootstrapAccount,
  cloudflareOperations as cf,
  CLOUDFLARE_CODES,
  createEngine,
  createGuardRegistry,
  defaultGuards,
  defineOperation,
  ibmAccessGroupOperations,
  ibmPolicyOperations,
  ValidationError,
  type Actor,
  type Change,
  type GuardRegistry,
  type OpResult,
} from '@portcullis/engine';
import { NOW, refusal, snapshot, SYSTEM, who } from './helpers/access.js';

type Op = (state: never, input: never, ctx: never) => { result: unknown };
const A = 'cf-a';
const ADMIN = who('cf-admin', A);
const ANON: Actor = { kind: 'anonymous' };

/** A Cloudflare account with its Administrator, in an engine that consults `guards` (the defaults when absent). */
async function world(guards?: GuardRegistry) {
  let n = 0;
  const e = createEngine({ clock: () => NOW, newId: (p) => `${p}${(++n).toString(16).padStart(32, '0')}`, ...(guards === undefined ? {} : { guards }) });
  await e.apply(bootstrapAccount as Op, { system: 'cloudflare', accountId: A, admin: { id: 'cf-admin' } } as never, { actor: SYSTEM });
  return e;
}

/** An operation that writes one principal into the account: guarded by a check that lets everyone through. */
const addPrincipal = defineOperation({
  name: 'addPrincipal',
  codes: CLOUDFLARE_CODES,
  guard: { check() {} },
  run(state, input: { id: string }): OpResult<string> {
    const changes: Change[] = [{ op: 'put', entity: 'principal', value: { id: input.id, accountId: A, kind: 'user', email: `${input.id}@example.com`, status: 'active' } }];
    return {
      result: input.id,
      changes,
      get state() {
        return state.with(changes);
      },
    };
  },
});

describe('the guard registry an engine consults', () => {
  it('is the one its options name, not the defaults', async () => {
    const asked: string[] = [];
    const custom = createGuardRegistry({ from: defaultGuards }).register(cf.listUserGroups, {
      codes: CLOUDFLARE_CODES,
      check(gate) {
        asked.push(gate.actor.id);
        throw gate.forbidden();
      },
    });
    const withDefaults = await world();
    const withCustom = await world(custom);
    await expect(withDefaults.apply(cf.listUserGroups, { account_id: A }, { actor: ADMIN })).resolves.toMatchObject({ success: true });
    expect(asked).toEqual([]);
    const before = snapshot(withCustom);
    expect(await refusal(withCustom.apply(cf.listUserGroups, { account_id: A }, { actor: ADMIN }))).toEqual({ code: CLOUDFLARE_CODES.forbidden.code, status: 403 });
    expect(asked).toEqual(['cf-admin']);
    expect(snapshot(withCustom)).toEqual(before);
    // the copy left the defaults as they were
    expect(defaultGuards.get(cf.listUserGroups)).toBe(cf.listUserGroups.operation.guard);
    await expect(withDefaults.apply(cf.listUserGroups, { account_id: A }, { actor: ADMIN })).resolves.toMatchObject({ success: true });
  });

  it('lets a subject run an operation a custom registry guards, and refuses it where the registry holds no guard', async () => {
    const custom = createGuardRegistry({ from: defaultGuards }).register(addPrincipal, addPrincipal.operation.guard);
    const guarded = await world(custom);
    await expect(guarded.apply(addPrincipal, { id: 'cf-new' }, { actor: ADMIN })).resolves.toBe('cf-new');
    expect(guarded.source.principals.some((p) => p.id === 'cf-new')).toBe(true);

    // the same declared operation through the defaults, which do not hold it: refused, nothing written
    const unguarded = await world();
    const before = snapshot(unguarded);
    const refused = await refusal(unguarded.apply(addPrincipal, { id: 'cf-new' }, { actor: ADMIN }));
    expect(refused.status).toBe(403);
    // the 401 of an unguarded operation is the plain one, not the declared codes: the registry, not the declaration, decides
    expect(await refusal(unguarded.apply(addPrincipal, { id: 'cf-new' }, { actor: ANON }))).toEqual({ code: 'unauthorized', status: 401 });
    expect(snapshot(unguarded)).toEqual(before);
    // the host itself still runs it
    await expect(unguarded.apply(addPrincipal, { id: 'cf-new' }, { actor: SYSTEM })).resolves.toBe('cf-new');
    expect(unguarded.revision).toBe(before.revision + 1);
  });

  it('fails closed for every operation when the registry is empty', async () => {
    const e = await world(createGuardRegistry());
    const before = snapshot(e);
    expect((await refusal(e.apply(cf.listUserGroups, { account_id: A }, { actor: ADMIN }))).status).toBe(403);
    expect((await refusal(e.apply(cf.createResourceGroup, { account_id: A, scope: { key: `com.cloudflare.api.account.${A}`, objects: [{ key: '*' }] } }, { actor: ADMIN }))).status).toBe(403);
    const plain = (state: unknown) => ({ result: null, changes: [], state });
    expect((await refusal(e.apply(plain as Op, {} as never, { actor: ADMIN }))).status).toBe(403);
    expect(snapshot(e)).toEqual(before);
  });

  it('is refused when it leaves out the no-escalation review', () => {
    try {
      createEngine({ guards: createGuardRegistry({ from: defaultGuards, escalationReview: false }) });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).issues.map((i) => i.path)).toEqual([['guards']]);
    }
    expect(createEngine({ guards: createGuardRegistry({ from: defaultGuards }) }).revision).toBe(0);
  });

  it('is refused when it is not a registry', () => {
    for (const guards of [{}, null, defaultGuards.get(cf.listUserGroups)]) {
      try {
        createEngine({ guards: guards as never });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ValidationError);
        expect((e as ValidationError).code).toBe('invalid_options');
        expect((e as ValidationError).issues.map((i) => i.path)).toEqual([['guards']]);
      }
    }
  });
});

describe('the default guards', () => {
  const tables = { ibmAccessGroupOperations, ibmPolicyOperations, cloudflareOperations: cf, bluexpOperations };

  it('are every operation’s own declared guard, under the operation’s seed name and codes', () => {
    let count = 0;
    for (const [table, ops] of Object.entries(tables)) {
      for (const [name, op] of Object.entries(ops)) {
        count++;
        const declared = (op as { operation?: { name: string; codes: unknown; guard: unknown } }).operation;
        expect(declared, `${table}.${name}`).toBeDefined();
        expect(op.name).toBe(name);
        expect(declared!.name).toBe(name);
        expect(defaultGuards.get(op as never)).toBe(declared!.guard);
        expect((declared!.guard as { codes: unknown }).codes).toBe(declared!.codes);
      }
    }
    expect(count).toBeGreaterThan(100);
    expect(defaultGuards.has(bootstrapAccount)).toBe(false);
  });

  it('are a value: frozen, while a copy takes guards', () => {
    expect(defaultGuards.frozen).toBe(true);
    expect(() => defaultGuards.register(addPrincipal, addPrincipal.operation.guard)).toThrow(TypeError);
    expect(defaultGuards.has(addPrincipal)).toBe(false);
    const copy = createGuardRegistry({ from: defaultGuards });
    expect(copy.frozen).toBe(false);
    copy.register(addPrincipal, addPrincipal.operation.guard);
    expect(copy.has(addPrincipal)).toBe(true);
    expect(defaultGuards.has(addPrincipal)).toBe(false);
  });

  it('a system-only operation refuses every subject, with its own codes', async () => {
    const e = await world();
    const before = snapshot(e);
    const refused = await refusal(e.apply(cf.completeSsoConnectorVerification, { account_id: A, sso_connector_id: 'x' } as never, { actor: ADMIN }));
    expect(refused).toEqual({ code: CLOUDFLARE_CODES.forbidden.code, status: 403 });
    expect(snapshot(e)).toEqual(before);
  });
});

describe('defineOperation', () => {
  it('refuses a declaration without a guard, codes or run', () => {
    const run = () => ({ result: null, changes: [], state: null as never });
    expect(() => defineOperation({ name: 'x', codes: CLOUDFLARE_CODES, run } as never)).toThrow(TypeError);
    expect(() => defineOperation({ name: 'x', guard: 'system', run } as never)).toThrow(TypeError);
    expect(() => defineOperation({ name: 'x', codes: CLOUDFLARE_CODES, guard: 'system' } as never)).toThrow(TypeError);
    expect(() => defineOperation({ name: '', codes: CLOUDFLARE_CODES, guard: 'system', run } as never)).toThrow(TypeError);
  });
});
