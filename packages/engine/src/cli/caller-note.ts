// Why a caller holds only public access in an account: said by explain and what, so that a typo in a principal id
// or a pending user reads as such rather than as a policy that does not match.
import type { RequestSubject } from '../evaluate/types.js';
import type { Source } from '../model/source.js';

/** Why the caller holds only public access in the account, when it does; undefined otherwise. */
export function callerNote(source: Source, subject: RequestSubject, account: string | undefined): string | undefined {
  if (subject.id === undefined) return 'the caller is anonymous: only the Public Access group';
  if (subject.authenticated === false) return 'the caller is not authenticated: only the Public Access group';
  if (account === undefined) return undefined;
  if (subject.accountId !== undefined && subject.accountId !== account)
    return `\`${subject.id}\` acts for account \`${subject.accountId}\`: in \`${account}\` it counts as an anonymous caller`;
  const p = source.principals.find((x) => x.accountId === account && x.id === subject.id);
  if (p === undefined) return `\`${subject.id}\` is not a principal of account \`${account}\`: it counts as an anonymous caller`;
  if (p.status !== 'active') return `\`${subject.id}\` is ${p.status}: it counts as an anonymous caller`;
  return undefined;
}
