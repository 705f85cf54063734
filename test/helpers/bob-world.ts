// The smallest Cloudflare world the request-shape tests share: one account, one active member `m-bob` whose one
// policy gives `account.read` on the account, and the account registered as resource `acct`. Tests that need more
// (an SSO connector, other members) spread it and add their rows.
export const NOW = Date.parse('2026-01-05T10:00:00Z');
export const A = 'c0ffee00c0ffee00c0ffee00c0ffee00';
export const bobSource = {
  version: 1,
  accounts: [{ id: A, system: 'cloudflare' }],
  principals: [{ id: 'm-bob', accountId: A, kind: 'user', email: 'bob@elsewhere.example', status: 'active' }],
  roles: [{ id: 'pg-read', kind: 'permission-group', scopeType: 'account', actions: ['account.read'] }],
  resourceGroups: [{ id: 'rg-a', accountId: A, scope: [{ key: `com.cloudflare.api.account.${A}`, objects: [{ key: '*' }] }] }],
  policies: [{ id: 'p-bob', accountId: A, subject: { kind: 'principal', id: 'm-bob' }, roles: ['pg-read'], resource: { attributes: [], resourceGroups: ['rg-a'] } }],
  resources: [{ id: 'acct', accountId: A, attributes: { accountId: A } }],
};
