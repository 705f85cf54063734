// The AuthZEN Authorization API 1.0 (OpenID) information model as it travels on the wire: subject, action, resource,
// context, decision, the evaluations envelope, the search envelope and the PDP metadata.

/** A subject: `type` is a principal kind (`user`, `service`, `agent`) or `anonymous`; `properties` carry the rest. */
export interface AuthzenSubject {
  type: string;
  id?: string;
  properties?: Record<string, unknown>;
}

/** A resource: without `properties` its `id` names a registered resource; with them they are its attributes. */
export interface AuthzenResource {
  type: string;
  id?: string;
  properties?: Record<string, unknown>;
}

/** An action: `name` is the IAM action (`iam-groups.groups.read`, `workspace:create`). */
export interface AuthzenAction {
  name: string;
  properties?: Record<string, unknown>;
}

/** The environment of a request; `time` (ISO 8601 or epoch milliseconds) is the instant decided at. */
export type AuthzenContext = Record<string, unknown>;

/** One access evaluation request. */
export interface AuthzenEvaluationRequest {
  subject: AuthzenSubject;
  action: AuthzenAction;
  resource: AuthzenResource;
  context?: AuthzenContext;
}

/** The three evaluation semantics of the evaluations API. */
export type EvaluationsSemantic = 'execute_all' | 'deny_on_first_deny' | 'permit_on_first_permit';

/** The evaluations (boxcar) request: top-level values are defaults for every item. */
export interface AuthzenEvaluationsRequest {
  subject?: AuthzenSubject;
  action?: AuthzenAction;
  resource?: AuthzenResource;
  context?: AuthzenContext;
  evaluations?: Partial<AuthzenEvaluationRequest>[];
  options?: { evaluations_semantic?: EvaluationsSemantic } & Record<string, unknown>;
}

/** A decision; `context.reason` is Portcullis' reason and `context.policies` the determining policy ids. */
export interface AuthzenDecision {
  decision: boolean;
  context?: Record<string, unknown>;
}

/** The evaluations response: one decision per item in order (fewer when a semantic short-circuits). */
export interface AuthzenEvaluationsResponse {
  evaluations: AuthzenDecision[];
}

/** The page object of a search request. */
export interface AuthzenPageRequest {
  token?: string;
  limit?: number;
  properties?: Record<string, unknown>;
}

/** A search request: the entity searched for has its `type` and no `id`; the others are as in an evaluation. */
export interface AuthzenSearchRequest {
  subject?: Partial<AuthzenSubject>;
  action?: AuthzenAction;
  resource?: Partial<AuthzenResource>;
  context?: AuthzenContext;
  page?: AuthzenPageRequest;
}

/** A search response: `page.next_token` is empty on the last page. */
export interface AuthzenSearchResponse<T> {
  page: { next_token: string; count: number; total: number };
  context?: Record<string, unknown>;
  results: T[];
}

/** The PDP metadata served at `/.well-known/authzen-configuration`. */
export interface AuthzenMetadata {
  policy_decision_point: string;
  access_evaluation_endpoint: string;
  access_evaluations_endpoint: string;
  search_subject_endpoint: string;
  search_resource_endpoint: string;
  search_action_endpoint: string;
}
