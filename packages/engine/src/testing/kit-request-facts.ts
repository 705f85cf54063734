// Facts about one request that the ready properties and the scenario coverage need, read the way
// SEMANTICS §0 reads them (a registered resource's account wins; `environment.now` is the time).
import type { AuthorizeRequest, RequestSubject } from '../evaluate/types.js';
import type { Source } from '../model/source.js';

/** The account a request is decided in, or undefined when the request names none. */
export function requestAccount(source: Source, r: AuthorizeRequest): string | undefined {
  const id = r.resource?.id;
  if (id !== undefined) return source.resources.find((x) => x.id === id)?.accountId;
  const a = r.resource?.attributes?.['accountId'];
  return a === undefined ? undefined : String(a);
}

/** The request's time in epoch milliseconds; NaN when it carries none or an unreadable one. */
export function requestTime(r: AuthorizeRequest): number {
  const now = r.environment?.now;
  return typeof now === 'number' ? now : typeof now === 'string' ? Date.parse(now) : Number.NaN;
}

/** The same request from an anonymous caller: no id, acting account or claims; a calling service, the email and the SSO flag stay, as they are independent of the id (the SSO login gate reads them). */
export function anonymousRequest(r: AuthorizeRequest): AuthorizeRequest {
  const subject: RequestSubject = {};
  if (r.subject?.service !== undefined) subject.service = r.subject.service;
  if (r.subject?.email !== undefined) subject.email = r.subject.email;
  if (r.subject?.sso !== undefined) subject.sso = r.subject.sso;
  return { ...r, subject };
}
