import { it } from 'vitest';
import { ibmPolicyOperations as pol, IBM_ROLES } from '@portcullis/engine';
import { apply, ibmWorld, key, may, attr } from './helpers/ibm-world.js';
import { who } from './helpers/access.js';
const me = who('IBMid-me', 'acc');
const tryit = async (label: string, body: unknown, check: (e: any) => unknown) => {
  const e = await ibmWorld([attr('region', 'us-south')]);
  let out: string;
  try { const r = await apply(e, pol.createPolicy, body, me); out = 'ACCEPTED ' + JSON.stringify(r).slice(0, 300); } catch (x: any) { out = 'refused ' + x.code + ' ' + x.message?.slice(0, 150); }
  console.log(label, '=>', out, '| check:', JSON.stringify(check(e)), JSON.stringify(e.source.policies.filter((p: any) => p.subject.id === 'IBMid-friend').map((p: any) => p.resource)));
};
it('dups', async () => {
  const subj = [{ attributes: [{ name: 'iam_id', value: 'IBMid-friend' }] }];
  const res = (attrs: unknown[]) => [{ attributes: [{ name: 'accountId', value: 'acc' }, ...attrs] }];
  const roles = [{ role_id: IBM_ROLES.administrator }];
  const chk = (e: any) => [may(e, 'IBMid-friend', 'acc', 'kms.keys.write', { attributes: { accountId: 'acc', serviceName: 'kms', region: 'eu-de' } }), may(e, 'IBMid-friend', 'acc', 'kms.keys.write', { attributes: { accountId: 'acc', serviceName: 'kms', region: 'us-south' } })];
  await tryit('dup region', { type: 'access', subjects: subj, roles, resources: res([{ name: 'serviceName', value: 'kms' }, { name: 'region', value: 'us-south' }, { name: 'region', value: 'eu-de' }]) }, chk);
  await tryit('dup region op', { type: 'access', subjects: subj, roles, resources: res([{ name: 'serviceName', value: 'kms' }, { name: 'region', value: 'us-south' }, { name: 'region', operator: 'stringMatch', value: '*' }]) }, chk);
  await tryit('Region case', { type: 'access', subjects: subj, roles, resources: res([{ name: 'serviceName', value: 'kms' }, { name: 'Region', value: 'us-south' }]) }, chk);
  await tryit('region with space', { type: 'access', subjects: subj, roles, resources: res([{ name: 'serviceName', value: 'kms' }, { name: 'region ', value: 'us-south' }]) }, chk);
  await tryit('dup accountId', { type: 'access', subjects: subj, roles, resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'accountId', value: 'other' }, { name: 'serviceName', value: 'kms' }, { name: 'region', value: 'us-south' }] }] }, chk);
  await tryit('two subjects', { type: 'access', subjects: [{ attributes: [{ name: 'iam_id', value: 'IBMid-friend' }, { name: 'iam_id', value: 'IBMid-other' }] }], roles, resources: res([{ name: 'serviceName', value: 'kms' }, { name: 'region', value: 'us-south' }]) }, chk);
  await tryit('two resources', { type: 'access', subjects: subj, roles, resources: [...res([{ name: 'serviceName', value: 'kms' }, { name: 'region', value: 'us-south' }]), ...res([{ name: 'serviceName', value: 'kms' }])] }, chk);
  await tryit('value number', { type: 'access', subjects: subj, roles, resources: res([{ name: 'serviceName', value: 'kms' }, { name: 'region', value: ['us-south', 'eu-de'] }]) }, chk);
  await tryit('region with tags', { type: 'access', subjects: subj, roles, resources: [{ attributes: [{ name: 'accountId', value: 'acc' }, { name: 'serviceName', value: 'kms' }, { name: 'region', value: 'us-south' }], tags: [{ name: 'region', value: 'eu-de', operator: 'stringEquals' }] }] }, chk);
});
