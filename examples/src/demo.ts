import { compile, parseSource, authorize, type AuthorizeRequest, type Decision } from '@portcullis/engine';
import { exampleSource } from './example-source.js';

const source = parseSource(exampleSource);
const tables = compile(source);
const monday10 = Date.parse('2026-11-23T10:00:00Z');
const saturday = Date.parse('2026-11-28T10:00:00Z');

const ask = (title: string, request: AuthorizeRequest, now = monday10): void => {
  const d: Decision = authorize(tables, request, { now, explain: true });
  console.log(`\n${d.allowed ? 'ALLOW' : 'DENY '} ${title}`);
  console.log(`      reason: ${d.reason}${d.policies.length ? `  policies: ${d.policies.join(', ')}` : ''}`);
  for (const e of d.explanation ?? []) {
    const who =
      e.identity.kind === 'group' ? `group ${e.identity.id} (${e.identity.via})` : e.identity.kind === 'principal' ? `principal ${e.identity.id}` : `service ${e.identity.serviceName}`;
    console.log(`      ${e.effect} by ${e.source} ${e.policyId}: ${who}, role ${e.roleId}, action ${e.actionPattern}`);
  }
  if (d.issues) for (const i of d.issues) console.log(`      issue: ${i.path.join('.')}: ${i.message}`);
};

const cos = (resource: string) => ({ attributes: { accountId: 'acct-ibm', serviceName: 'cloud-object-storage', resource } });

console.log(`Portcullis demo: ${tables.size} policies and bindings in ${source.accounts.length} accounts`);
ask('alice (static member of Data team) puts an object in analytics-raw', { subject: { id: 'IBMid-alice' }, action: 'cloud-object-storage.object.put', resource: cos('analytics-raw') });
ask('alice puts an object in billing (outside analytics-*)', { subject: { id: 'IBMid-alice' }, action: 'cloud-object-storage.object.put', resource: cos('billing') });
ask('bob, logged in through SAML with department=engineering, reads analytics-raw', {
  subject: { id: 'IBMid-bob', claims: { realm: 'https://idp.acme.example/saml', attributes: { department: ['engineering', 'ops'] } } },
  action: 'cloud-object-storage.object.get',
  resource: cos('analytics-raw'),
});
ask('an anonymous caller reads public-docs (Public Access group)', { subject: {}, action: 'cloud-object-storage.object.get', resource: cos('public-docs') });
ask('carol (pending invitation) reads analytics-raw', { subject: { id: 'IBMid-carol' }, action: 'cloud-object-storage.object.get', resource: cos('analytics-raw') });
ask('bob reads a key in kms-prod (tag env:prod) on Monday 10:00', { subject: { id: 'IBMid-bob' }, action: 'kms.secrets.read', resource: { id: 'kms-prod' } });
ask('bob reads the same key on Saturday', { subject: { id: 'IBMid-bob' }, action: 'kms.secrets.read', resource: { id: 'kms-prod' } }, saturday);
ask('dana edits DNS in zone-staging (allowed on zone.*)', {
  subject: { id: 'member-dana' },
  action: 'zone.dns.edit',
  resource: { attributes: { accountId: 'acct-cf' }, zones: ['zone-staging'] },
});
ask('dana edits DNS in zone-prod (explicit deny)', { subject: { id: 'member-dana' }, action: 'zone.dns.edit', resource: { attributes: { accountId: 'acct-cf' }, zones: ['zone-prod'] } });
ask('erin (organization admin) creates a workspace', { subject: { id: 'user-erin' }, action: 'workspace:create', resource: { attributes: { accountId: 'org-netapp' } } });
ask('frank (storage admin on folder-storage) resizes vol-orders (in proj-db via agent-1)', { subject: { id: 'user-frank' }, action: 'volume:resize', resource: { id: 'vol-orders' } });
ask('frank creates an account (workspace:* never means accounts:*)', { subject: { id: 'user-frank' }, action: 'accounts:create', resource: { attributes: { accountId: 'org-netapp' } } });
ask('a request without an accountId', { subject: { id: 'IBMid-alice' }, action: 'cloud-object-storage.object.get', resource: { attributes: { serviceName: 'cloud-object-storage' } } });
