// What every BlueXP IAM and Tenancy operation shares: the organization check, and the walk of the folder tree
// (levels, ancestors, descendants); input parsing is manage/input.ts, as in every room.
import { SeedError } from '../../errors.js';
import type { Account, HierarchyNode } from '../../model/source.js';
import type { ManageContext } from '../operation.js';
import type { SourceState } from '../../model/source-state.js';

/** The BlueXP organization (account) `id`; any other is 404 `organization_not_found`. */
export function bluexpAccount(state: SourceState, id: string): Account {
  const a = state.get('account', id);
  if (!a || a.system !== 'bluexp') throw new SeedError('organization_not_found', 404, `organization \`${id}\` not found`);
  return a;
}

/** A fresh id with `prefix` from the context, drawn again while `taken`. */
export function freshId(ctx: ManageContext, prefix: string, taken: (id: string) => boolean): string {
  for (let i = 0; i < 64; i++) {
    const id = ctx.newId(prefix);
    if (!taken(id)) return id;
  }
  throw new SeedError('id_exhausted', 500, 'could not draw an unused id');
}

/** The node `id` of the organization, or 404 `<kind>_not_found` (`node_not_found` when any kind will do). */
export function findNode(state: SourceState, accountId: string, id: string, kind?: HierarchyNode['kind']): HierarchyNode {
  const n = state.get('node', id);
  if (!n || n.accountId !== accountId || (kind !== undefined && n.kind !== kind))
    throw new SeedError(`${kind ?? 'node'}_not_found`, 404, `${kind ?? 'node'} \`${id}\` not found`);
  return n;
}

/** The level of a node: 1 directly under the organization, one more per folder above it. */
export function levelOf(state: SourceState, node: HierarchyNode): number {
  let level = 1;
  let cur = node;
  // INVARIANT: the stored tree has no cycles (parseSource refuses them), so this walk ends
  while (cur.parentId !== null) {
    const p = state.get('node', cur.parentId);
    if (!p) break;
    level++;
    cur = p;
  }
  return level;
}

/** The nodes below a node (children first, then theirs), with their level relative to it (children at 1). */
export function descendantsOf(state: SourceState, node: HierarchyNode): { node: HierarchyNode; depth: number }[] {
  const children = new Map<string, HierarchyNode[]>();
  for (const n of state.list('node', node.accountId)) {
    if (n.parentId === null) continue;
    let list = children.get(n.parentId);
    if (!list) children.set(n.parentId, (list = []));
    list.push(n);
  }
  const out: { node: HierarchyNode; depth: number }[] = [];
  const queue: { node: HierarchyNode; depth: number }[] = [{ node, depth: 0 }];
  while (queue.length > 0) {
    const cur = queue.shift()!;
    for (const c of children.get(cur.node.id) ?? []) {
      out.push({ node: c, depth: cur.depth + 1 });
      queue.push({ node: c, depth: cur.depth + 1 });
    }
  }
  return out;
}

/** The parent id as stored: null for the organization itself (its id, `null` or absent in the input). */
export function storedParent(accountId: string, parentId: string | null | undefined): string | null {
  return parentId === undefined || parentId === null || parentId === accountId ? null : parentId;
}

/** Refuses 409 `name_conflict` when a sibling under the same parent already has the name (ignoring case). */
export function checkSiblingName(state: SourceState, accountId: string, parentId: string | null, name: string, exceptId?: string): void {
  const lower = name.toLowerCase();
  const clash = state
    .list('node', accountId)
    .some((n) => n.id !== exceptId && n.parentId === parentId && (n.name ?? '').toLowerCase() === lower);
  if (clash) throw new SeedError('name_conflict', 409, `a folder or project named \`${name}\` already exists there`);
}
