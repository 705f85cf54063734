import type { Issue } from '../errors.js';

/** An attribute value as a request may carry it; numbers and booleans are compared as strings. */
export type RequestScalar = string | number | boolean;

/** Who asks. No `id` (or `authenticated: false`) is an anonymous caller: only the Public Access group. */
export interface RequestSubject {
  /** The principal id (`IBMid-…`, `iam-ServiceId-…`, a Cloudflare member id, a BlueXP user or agent id). */
  id?: string;
  /** The account the subject acts for; defaults to the resource's account. Another account makes it anonymous there. */
  accountId?: string;
  /** Defaults to true when `id` is given. */
  authenticated?: boolean;
  /** Claims from the login carried by this request; claim rules of the realm are evaluated on the fly. */
  claims?: { realm: string; attributes: Record<string, unknown> };
  /** For authorization policies: the calling service's attributes (serviceName, serviceInstance, accountId, …). */
  service?: Record<string, RequestScalar>;
  /** The subject's email, for gates that depend on it. */
  email?: string;
  /** True when the caller authenticated through SSO. */
  sso?: boolean;
}

/** What is acted on: attributes (accountId required), tags `key:value`, and where it lives. */
export interface RequestResource {
  /** A registered resource id; its stored attributes, tags and parents are used. */
  id?: string;
  attributes?: Record<string, RequestScalar>;
  tags?: string[];
  /** BlueXP projects (workspaces) the resource is in. */
  projects?: string[];
  /** BlueXP folders the resource is associated with directly. */
  folders?: string[];
  /** Cloudflare zones the resource lives in; a resource in a zone is zone-scoped. */
  zones?: string[];
  /** The BlueXP agent (connector) the resource was discovered through. */
  agentId?: string;
}

/** One authorization question. */
export interface AuthorizeRequest {
  subject: RequestSubject;
  action: string;
  resource: RequestResource;
  /** The time of the request; injected, never read inside evaluate. Epoch milliseconds or ISO 8601. */
  environment?: { now?: number | string };
}

/** Options of one call. */
export interface AuthorizeOptions {
  /** Epoch milliseconds, used when the request carries no time. */
  now?: number;
  /** Attach, for each determining policy, the identity and role that let it in. */
  explain?: boolean;
}

/** Why a decision came out as it did. */
export type DecisionReason = 'allow' | 'explicit-deny' | 'no-match' | 'invalid-request' | 'sso-required';

/** How the caller came to hold the identity a policy names. */
export type IdentityPath =
  | { kind: 'principal'; id: string }
  | { kind: 'group'; id: string; via: 'static' }
  | { kind: 'group'; id: string; via: 'dynamic'; realm: string; expiresAt: string }
  | { kind: 'group'; id: string; via: 'claims'; ruleId: string; realm: string }
  | { kind: 'group'; id: string; via: 'public' }
  | { kind: 'service'; serviceName: string };

/** Why one determining policy applied. */
export interface Explanation {
  policyId: string;
  effect: 'allow' | 'deny';
  /** `policy` for IBM and Cloudflare policies, `binding` for BlueXP role bindings. */
  source: 'policy' | 'binding';
  identity: IdentityPath;
  roleId: string;
  /** The action or pattern of the role that matched the request's action. */
  actionPattern: string;
}

/** The answer. `policies` are the determining ids: the matching denies, or else the matching allows. */
export interface Decision {
  allowed: boolean;
  reason: DecisionReason;
  policies: string[];
  /** Policies that matched the request's identities and action but could not be evaluated; they never grant. */
  errors?: string[];
  /** For `invalid-request`: what is wrong with the request. */
  issues?: Issue[];
  explanation?: Explanation[];
  /** For `sso-required`: the enabled, verified SSO connector whose email domain the caller's email is in. */
  ssoConnector?: { id: string; emailDomain: string };
  /** Set by an Engine: the source revision the decision was made on (`engine.revision` at the time). */
  revision?: number;
}
