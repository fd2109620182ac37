/**
 * One error type for the whole shop. Every failure a client can see has a stable kebab-case
 * `name` (`product-not-found`, `payment-declined`), an HTTP status and whether it is
 * catastrophic (a bug or a broken dependency, logged at error level) or expected.
 */
export interface AppErrorOptions {
  /** Human-readable explanation specific to this occurrence (RFC 7807 `detail`). */
  detail?: string;
  /** Seconds after which a retry may succeed; becomes the Retry-After header. */
  retryAfterSec?: number;
  /** Extra members of the problem document (e.g. `{ field: 'email' }`). Never secrets. */
  extensions?: Record<string, unknown>;
  /** True when this signals a bug or a broken dependency rather than a client mistake. */
  catastrophic?: boolean;
  cause?: unknown;
}

export class AppError extends Error {
  /** Stable, kebab-case error name; clients may switch on it. */
  readonly errorName: string;
  readonly status: number;
  readonly catastrophic: boolean;
  readonly detail: string | undefined;
  readonly retryAfterSec: number | undefined;
  readonly extensions: Record<string, unknown>;

  constructor(errorName: string, status: number, title: string, options: AppErrorOptions = {}) {
    super(title, options.cause === undefined ? undefined : { cause: options.cause });
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(errorName)) throw new TypeError(`error name must be kebab-case: ${errorName}`);
    this.name = 'AppError';
    this.errorName = errorName;
    this.status = status;
    this.catastrophic = options.catastrophic ?? status >= 500;
    this.detail = options.detail;
    this.retryAfterSec = options.retryAfterSec;
    this.extensions = options.extensions ?? {};
  }
}

/** True for an {@link AppError}, also across module copies. */
export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError || (error instanceof Error && error.name === 'AppError' && 'errorName' in error);
}

/** The errors the platform itself raises. Services add their own with {@link AppError}. */
export const errors = {
  validation: (detail: string, issues?: unknown) =>
    new AppError('validation-failed', 400, 'Request validation failed', { detail, extensions: issues === undefined ? {} : { issues } }),
  malformedJson: () => new AppError('malformed-json', 400, 'Request body is not valid JSON'),
  unauthorized: (detail?: string) => new AppError('unauthorized', 401, 'Authentication required', detail ? { detail } : {}),
  forbidden: (detail?: string) => new AppError('forbidden', 403, 'Not allowed', detail ? { detail } : {}),
  notFound: (what: string, detail?: string) => new AppError(`${what}-not-found`, 404, `${what.replaceAll('-', ' ')} not found`, detail ? { detail } : {}),
  routeNotFound: (method: string, path: string) => new AppError('route-not-found', 404, 'No such route', { detail: `${method} ${path}` }),
  conflict: (errorName: string, detail: string) => new AppError(errorName, 409, 'Conflict', { detail }),
  payloadTooLarge: (limit: string) => new AppError('payload-too-large', 413, 'Request body too large', { detail: `the limit is ${limit}` }),
  unsupportedMediaType: () => new AppError('unsupported-media-type', 415, 'Send application/json'),
  circuitOpen: (dependency: string, retryAfterSec: number) =>
    new AppError('circuit-open', 503, 'Dependency unavailable (circuit open)', {
      detail: `calls to ${dependency} are suspended`,
      retryAfterSec,
      extensions: { dependency },
    }),
  bulkheadFull: (dependency: string, retryAfterSec = 1) =>
    new AppError('bulkhead-full', 503, 'Too many concurrent calls', {
      detail: `the bulkhead for ${dependency} is full`,
      retryAfterSec,
      extensions: { dependency },
    }),
  dependencyTimeout: (dependency: string, ms: number) =>
    new AppError('dependency-timeout', 504, 'Dependency timed out', { detail: `${dependency} did not answer within ${ms} ms`, extensions: { dependency } }),
  dependencyFailed: (dependency: string, detail: string) => new AppError('dependency-failed', 502, 'Dependency failed', { detail, extensions: { dependency } }),
  unavailable: (detail: string, retryAfterSec = 1) => new AppError('service-unavailable', 503, 'Service unavailable', { detail, retryAfterSec }),
  internal: () => new AppError('internal-error', 500, 'Internal error'),
};
