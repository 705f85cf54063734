import type { AttributeNames } from './attribute-names.js';
import { compileAttribute, compileRule, compileTag } from './compile-matchers.js';
import { Uncompilable } from './uncompilable.js';
import type { AttributeMatcher, CompiledPolicy, RuleNode, TagMatcher } from './tables.js';
import type { ScopeTarget } from '../model/scope.js';
import type { Binding, Policy } from '../model/source.js';

/** Compiles the selector, rule and subject of a policy; never throws (an unevaluable policy is compiled as errored). */
export function compilePolicy(p: Policy, resourceGroups: Map<string, ScopeTarget[]>, names: AttributeNames): CompiledPolicy {
  let error: string | null = null;
  let attributes: AttributeMatcher[] = [];
  let tags: TagMatcher[] = [];
  let rule: RuleNode | null = null;
  let scopes: ScopeTarget[] | null = null;
  let serviceSubject: [string, string][] | null = null;
  try {
    const res = p.resource ?? { attributes: [], tags: [] };
    attributes = (res.attributes ?? []).map((c) => compileAttribute(names, c.name, c.operator, c.value));
    tags = (res.tags ?? []).map((t) => compileTag(t.name, t.value, t.operator));
    if (p.rule !== undefined) rule = compileRule(p.rule, names);
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
    attributes: [],
    tags: [],
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
