/** One problem found in input, located by its path inside the input. */
export interface Issue {
  path: (string | number)[];
  message: string;
}

/** The codes a ValidationError carries. */
export type ValidationCode = 'invalid_source' | 'invalid_request' | 'invalid_input' | 'invalid_options';

/** Bad input: nothing was written; `issues` lists every problem with its path. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly code: ValidationCode;
  readonly issues: Issue[];
  constructor(code: ValidationCode, issues: Issue[], message?: string) {
    super(message ?? formatIssues(code, issues));
    this.code = code;
    this.issues = issues;
  }
}

/** A refusal from a management operation, carrying the seed API's own code and HTTP status. */
export class SeedError extends Error {
  override readonly name = 'SeedError';
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: string, status: number, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

/** The codes a StoreError carries. */
export type StoreErrorCode =
  | 'revision_conflict'
  | 'store_closed'
  | 'not_a_database'
  | 'schema_too_new'
  | 'read_only'
  | 'missing_directory'
  | 'io_error'
  | 'corrupt_data'
  | 'native_build_missing'
  /** another process holds the lock past the wait allowed: safe to retry later */
  | 'busy'
  /** the database server cannot be reached (refused, dropped, restarting): safe to retry later */
  | 'unavailable';

/** A store failed; `cause` holds the underlying error when there is one. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Formats a list of issues as one lowercase line per issue. */
export function formatIssues(code: string, issues: Issue[]): string {
  const head = `${code.replace(/_/g, ' ')}: ${issues.length} issue${issues.length === 1 ? '' : 's'}`;
  return [head, ...issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)].join('\n');
}
