import type { SourceInput } from '@portcullis/engine';

/** A realistic source: an IBM account, a Cloudflare account with a deny, and a BlueXP organization. */
export const exampleSource: SourceInput = {
  version: 1,
  accounts: [
    { id: 'acct-ibm', system: 'ibm', name: 'Acme on IBM Cloud' },
    { id: 'acct-cf', system: 'cloudflare', name: 'Acme on Cloudflare' },
    { id: 'org-netapp', system: 'bluexp', name: 'Acme storage organization' },
  ],
  services: [
    {
      name: 'cloud-object-storage',
      type: 'service',
      roles: {
        'crn:v1:bluemix:public:iam::::serviceRole:Reader': ['cloud-object-storage.object.get', 'cloud-object-storage.bucket.list'],
        'crn:v1:bluemix:public:iam::::serviceRole:Writer': [
          'cloud-object-storage.object.get',
          'cloud-object-storage.object.put',
          'cloud-object-storage.bucket.list',
        ],
      },
    },
    { name: 'kms', type: 'service', roles: { 'crn:v1:bluemix:public:iam::::serviceRole:Reader': ['kms.secrets.read'] } },
    {
      name: 'iam-groups',
      type: 'platform_service',
      groups: ['IAM'],
      roles: { 'crn:v1:bluemix:public:iam::::role:Viewer': ['iam-groups.groups.read'] },
    },
  ],
  roles: [
    { id: 'crn:v1:bluemix:public:iam::::role:Viewer', kind: 'platform', actions: ['resource-controller.instance.retrieve'] },
    { id: 'crn:v1:bluemix:public:iam::::serviceRole:Reader', kind: 'service' },
    { id: 'crn:v1:bluemix:public:iam::::serviceRole:Writer', kind: 'service' },
    { id: 'cf-dns-edit', kind: 'permission-group', name: 'DNS', scopeType: 'zone', actions: ['zone.dns.read', 'zone.dns.edit'] },
    { id: 'cf-zone-read', kind: 'permission-group', name: 'Zone Read', scopeType: 'zone', actions: ['zone.dns.read', 'zone.settings.read'] },
    { id: 'bx-org-admin', kind: 'bluexp', admin: 'organization', actions: ['workspace:*', 'resource:*', 'agent:*', 'accounts:*'] },
    { id: 'bx-viewer', kind: 'bluexp', actions: ['resource:read', 'workspace:read'] },
    { id: 'bx-storage-admin', kind: 'bluexp', actions: ['resource:*', 'volume:*'] },
  ],
  principals: [
    { id: 'IBMid-alice', accountId: 'acct-ibm', kind: 'user', email: 'alice@acme.example' },
    { id: 'IBMid-bob', accountId: 'acct-ibm', kind: 'user', email: 'bob@acme.example' },
    { id: 'IBMid-carol', accountId: 'acct-ibm', kind: 'user', status: 'pending' },
    { id: 'iam-ServiceId-backup', accountId: 'acct-ibm', kind: 'service', locked: true },
    { id: 'member-dana', accountId: 'acct-cf', kind: 'user', email: 'dana@acme.example' },
    { id: 'user-erin', accountId: 'org-netapp', kind: 'user' },
    { id: 'user-frank', accountId: 'org-netapp', kind: 'user' },
    { id: 'agent-1', accountId: 'org-netapp', kind: 'agent', projects: ['proj-db'] },
  ],
  groups: [
    {
      id: 'AccessGroupId-data-team',
      accountId: 'acct-ibm',
      name: 'Data team',
      members: ['IBMid-alice'],
      rules: [
        {
          id: 'rule-engineering',
          realmName: 'https://idp.acme.example/saml',
          expiration: 12,
          conditions: [{ claim: 'department', operator: 'EQUALS', value: '"engineering"' }],
        },
      ],
    },
    { id: 'ug-dns', accountId: 'acct-cf', name: 'DNS editors', members: ['member-dana'] },
  ],
  resourceGroups: [
    { id: 'rg-all-zones', accountId: 'acct-cf', scope: [{ key: 'com.cloudflare.api.account.acct-cf', objects: [{ key: 'com.cloudflare.api.account.zone.*' }] }] },
    { id: 'rg-prod-zone', accountId: 'acct-cf', scope: [{ key: 'com.cloudflare.api.account.zone.zone-prod', objects: [{ key: '*' }] }] },
  ],
  policies: [
    {
      id: 'pol-data-cos-writer',
      accountId: 'acct-ibm',
      subject: { kind: 'group', id: 'AccessGroupId-data-team' },
      roles: ['crn:v1:bluemix:public:iam::::serviceRole:Writer'],
      resource: {
        attributes: [
          { name: 'accountId', operator: 'stringEquals', value: 'acct-ibm' },
          { name: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' },
          { name: 'resource', operator: 'stringMatch', value: 'analytics-*' },
        ],
      },
    },
    {
      id: 'pol-prod-tagged-kms',
      accountId: 'acct-ibm',
      subject: { kind: 'principal', id: 'IBMid-bob' },
      roles: ['crn:v1:bluemix:public:iam::::serviceRole:Reader'],
      resource: {
        attributes: [
          { name: 'accountId', operator: 'stringEquals', value: 'acct-ibm' },
          { name: 'serviceType', operator: 'stringEquals', value: 'service' },
        ],
        tags: [{ name: 'env', value: 'prod', operator: 'stringEquals' }],
      },
      rule: {
        operator: 'and',
        conditions: [
          { key: '{{environment.attributes.day_of_week}}', operator: 'dayOfWeekAnyOf', value: ['1+00:00', '2+00:00', '3+00:00', '4+00:00', '5+00:00'] },
          { key: '{{environment.attributes.current_time}}', operator: 'timeGreaterThanOrEquals', value: '09:00:00+00:00' },
          { key: '{{environment.attributes.current_time}}', operator: 'timeLessThan', value: '17:00:00+00:00' },
        ],
      },
    },
    {
      id: 'pol-public-docs',
      accountId: 'acct-ibm',
      subject: { kind: 'group', id: 'AccessGroupId-PublicAccess' },
      roles: ['crn:v1:bluemix:public:iam::::serviceRole:Reader'],
      resource: {
        attributes: [
          { name: 'accountId', operator: 'stringEquals', value: 'acct-ibm' },
          { name: 'serviceName', operator: 'stringEquals', value: 'cloud-object-storage' },
          { name: 'resource', operator: 'stringEquals', value: 'public-docs' },
        ],
      },
    },
    {
      id: 'pol-cf-dns-all',
      accountId: 'acct-cf',
      subject: { kind: 'group', id: 'ug-dns' },
      roles: ['cf-dns-edit'],
      resource: { attributes: [], resourceGroups: ['rg-all-zones'] },
    },
    {
      id: 'pol-cf-deny-prod',
      accountId: 'acct-cf',
      effect: 'deny',
      subject: { kind: 'group', id: 'ug-dns' },
      roles: ['cf-dns-edit'],
      resource: { attributes: [], resourceGroups: ['rg-prod-zone'] },
    },
  ],
  nodes: [
    { id: 'folder-eng', accountId: 'org-netapp', kind: 'folder', parentId: null },
    { id: 'folder-storage', accountId: 'org-netapp', kind: 'folder', parentId: 'folder-eng' },
    { id: 'proj-db', accountId: 'org-netapp', kind: 'project', parentId: 'folder-storage' },
    { id: 'proj-web', accountId: 'org-netapp', kind: 'project', parentId: 'folder-eng' },
  ],
  bindings: [
    { id: 'bind-erin-admin', accountId: 'org-netapp', subject: { kind: 'principal', id: 'user-erin' }, roleId: 'bx-org-admin', nodeId: 'org-netapp' },
    {
      id: 'bind-frank-storage',
      accountId: 'org-netapp',
      subject: { kind: 'principal', id: 'user-frank' },
      roleId: 'bx-storage-admin',
      nodeId: 'folder-storage',
      expiresAt: '2027-01-01T00:00:00Z',
    },
  ],
  resources: [
    { id: 'vol-orders', accountId: 'org-netapp', attributes: { resourceType: 'volume' }, projects: ['proj-db', 'proj-web'], agentId: 'agent-1' },
    { id: 'kms-prod', accountId: 'acct-ibm', attributes: { serviceName: 'kms', resource: 'key-ring-1' }, tags: ['Env:Prod'] },
  ],
};
