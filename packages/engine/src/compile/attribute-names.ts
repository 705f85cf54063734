import { internString } from './strings.js';

/** Resource attribute names interned to small integers; matchers read request values from an array by id. */
export type AttributeNames = Map<string, number>;

/** Ids fixed for the attributes the evaluator itself reads. */
export const ATTR = { accountId: 0, serviceName: 1, resourceType: 2, resource: 3, serviceType: 4, serviceGroupId: 5 } as const;

/** Creates the table with the fixed ids in place. */
export function createAttributeNames(): AttributeNames {
  return new Map([
    ['accountId', ATTR.accountId],
    ['serviceName', ATTR.serviceName],
    ['resourceType', ATTR.resourceType],
    ['resource', ATTR.resource],
    ['serviceType', ATTR.serviceType],
    ['service_group_id', ATTR.serviceGroupId],
  ]);
}

/** The id of an attribute name, interning it: the same append-only interning as the string table's. */
export const internAttribute: (t: AttributeNames, name: string) => number = internString;
