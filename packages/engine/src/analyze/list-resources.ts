import type { Tables } from '../compile/tables.js';
import { ValidationError, type Issue } from '../errors.js';
import { authorizeMany } from '../evaluate/authorize.js';
import type { RequestResource, RequestSubject } from '../evaluate/types.js';
import { checkNow, type AnalyzeOptions } from './action-candidates.js';

/** A resource the subject may act on, with the allows that grant it. */
export interface ListedResource {
  /** The registered resource id, when the resource was named by id or taken from the registered resources. */
  id?: string;
  /** Its position in the list given; absent when the registered resources were listed. */
  index?: number;
  policies: string[];
}

/** Options of listResources: the clock, and optionally one account to keep registered resources to. */
export interface ListResourcesOptions extends AnalyzeOptions {
  accountId?: string;
}

/** The option keys listResources reads: typed against its options, so a field added there and not here fails to compile. */
const LIST_OPTION_KEYS = Object.keys({ now: true, accountId: true } satisfies { readonly [K in keyof Required<ListResourcesOptions>]: true });

/**
 * The resources `subject` may perform `action` on at `options.now`: the given ones, or else every registered resource
 * (of `options.accountId` when given). Each is decided by `authorize` over one identity resolution per account, so the
 * list agrees with it by construction. A malformed resource throws `invalid_request` with every issue.
 */
export function listResources(
  tables: Tables,
  subject: RequestSubject,
  action: string,
  resources: readonly RequestResource[] | undefined,
  options: ListResourcesOptions,
): ListedResource[] {
  const now = checkNow(options, LIST_OPTION_KEYS);
  const registered = resources === undefined;
  const list: RequestResource[] = registered
    ? [...tables.resources.values()].filter((r) => options.accountId === undefined || r.accountId === options.accountId).map((r) => ({ id: r.id }))
    : [...resources];
  const decisions = authorizeMany(tables, subject, list.map((resource) => ({ action, resource })), { now });
  const issues: Issue[] = [];
  const out: ListedResource[] = [];
  decisions.forEach((d, i) => {
    if (d.reason === 'invalid-request') {
      for (const is of d.issues ?? []) issues.push({ path: registered ? is.path : ['resources', i, ...is.path], message: is.message });
      return;
    }
    if (!d.allowed) return;
    const r = list[i]!;
    const item: ListedResource = { policies: d.policies };
    if (typeof r.id === 'string') item.id = r.id;
    if (!registered) item.index = i;
    out.push(item);
  });
  if (issues.length > 0) throw new ValidationError('invalid_request', issues);
  return out;
}
