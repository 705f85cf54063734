import type { AttributeNames } from './attribute-names.js';
import { internList, NO_MATCHERS, type CompileCache } from './compile-cache.js';
import { compileAttribute, compileRule, compileTag } from './compile-matchers.js';
import { Uncompilable } from './uncompilable.js';
import type { AttributeMatcher, CompiledPolicy, RuleNode, TagMatcher } from './tables.js';
import type { ScopeTarget } from '../model/scope.js';
import type { Binding, Policy } from '../model/source.js';

const NO_TAGS: readonly TagMatcher[] = Object.freeze([]);

/**
 * Compiles the selector, rule and subject of a policy; never throws (an unevaluable policy is compiled as errored).
 * Matchers and attribute lists equal to ones compiled before with the same cache are shared (compile-cache.ts).
 */
export function compilePolicy(p: Policy, resourceGroups: Map<string, ScopeTarget[]>, names: AttributeNames, cache: CompileCache): CompiledPolicy {
  let error: string | null = null;
  let attributes: readonly AttributeMatcher[] = NO_MATCHERS;
  let tags: readonly TagMatcher[] = NO_TAGS;
  let rule: RuleNode | null = null;
  let scopes: ScopeTarget[] | null = null;
  let serviceSubject: [string, string][] | null = null;
  try {
    // INVARIANT: the schema requires a resource selector; a policy without one is errored (it throws here), never
    // compiled as a policy on every resource. Its lists default to none, as the schema's defaults read them.
    const res = p.resource;
    const shared = Object.isFrozen(res) ? cache.selectors.get(res) : undefined;
    if (shared !== undefined) ({ attributes, tags } = shared);
    else {
      // a loop rather than map with a callback: see compile-source.ts, applyRows
      const conditions = res.attributes ?? [];
      const compiled: AttributeMatcher[] = [];
      for (let i = 0; i < conditions.length; i++) compiled.push(compileAttribute(names, conditions[i]!.name, conditions[i]!.operator, conditions[i]!.value, cache));
      attributes = internList(cache, compiled);
      const tagConditions = res.tags ?? [];
      // no tags: the shared empty list, not one per policy
      if (tagConditions.length > 0) tags = tagConditions.map((t) => compileTag(t.name, t.value, t.operator));
      // only once both compiled: a selector that errs is compiled again (and errs again) for each policy naming it
      if (Object.isFrozen(res)) cache.selectors.set(res, { attributes, tags });
    }
    if (p.rule !== undefined) rule = compileRule(p.rule, names, 1, cache);
    if (res.resourceGroups !== undefined) {
      scopes = [];
      for (const rg of res.resourceGroups) scopes.push(...(resourceGroups.get(rg) ?? []));
    }
    if (p.subject.kind === 'service') {
      serviceSubject = Object.entries(p.subject.attributes).map(([k, v]) => {
        if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new Uncompilable(`subject attribute \`${k}\``);
        return [k, String(v)];
      });
    }
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  return {
    id: p.id,
    deny: p.effect === 'deny',
    source: 'policy',
    error,
    attributes,
    tags,
    scopes,
    nodes: p.resource?.nodes ?? null,
    rule,
    expiresAt: Number.POSITIVE_INFINITY,
    federatedGroup: false,
    serviceSubject,
    permits: 0,
    rank: 0,
  };
}

/** Compiles a BlueXP role binding as a one-role allow policy on its node. */
export function compileBinding(b: Binding, federatedGroup: boolean): CompiledPolicy {
  let expiresAt = Number.POSITIVE_INFINITY;
  let error: string | null = null;
  if (b.expiresAt !== undefined) {
    expiresAt = Date.parse(b.expiresAt);
    if (Number.isNaN(expiresAt)) error = `binding \`${b.id}\`: malformed expiry \`${b.expiresAt}\``;
  }
  return {
    id: b.id,
    deny: false,
    source: 'binding',
    error,
    attributes: NO_MATCHERS,
    tags: NO_TAGS,
    scopes: null,
    nodes: [b.nodeId],
    rule: null,
    expiresAt,
    federatedGroup,
    serviceSubject: null,
    permits: 0,
    rank: 0,
  };
}
