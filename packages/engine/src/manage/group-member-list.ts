// The static member list of a group, as every system's operations change it: a member that leaves takes its
// `memberSince` entry along (parseSource refuses an entry for a principal that is not a member).
import type { Group } from '../model/source.js';

/** A group (or an immer draft of one) whose members are written by these helpers. */
type MemberRows = Pick<Group, 'members' | 'memberSince'>;

/** Sets the member list of `g` in place and drops the `memberSince` entries of those no longer in it. */
export function setMembers(g: MemberRows, members: string[]): void {
  g.members = members;
  if (g.memberSince === undefined) return;
  const keep = new Set(members);
  for (const id of Object.keys(g.memberSince)) if (!keep.has(id)) delete g.memberSince[id];
  if (Object.keys(g.memberSince).length === 0) delete g.memberSince;
}

/** Removes `ids` from the members of `g` in place, with their `memberSince` entries. */
export function dropMembers(g: MemberRows, ids: ReadonlySet<string>): void {
  setMembers(
    g,
    g.members.filter((m) => !ids.has(m)),
  );
}

/** Adds `ids` to the members of `g` in place, recording when and by whom (IBM lists both with each member). */
export function addMembersSince(g: MemberRows, ids: readonly string[], createdAt: string, createdById: string): void {
  if (ids.length === 0) return;
  g.members.push(...ids);
  g.memberSince ??= {};
  for (const id of ids) g.memberSince[id] = { createdAt, createdById };
}
