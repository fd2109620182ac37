import { SpanStatusCode, trace } from '@opentelemetry/api';
import { isBrokenCircuitError, isBulkheadRejectedError } from 'cockatiel';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError, errors, isAppError } from './errors.js';
import type { Logger } from './logging.js';
import { isTimeout } from './resilience/policy.js';

/** RFC 7807 problem document, plus our stable `name` and the trace for correlation. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  name: string;
  traceId?: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Map anything thrown to an {@link AppError}: body-parser, zod and cockatiel errors get their stable names. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof ZodError)
    return errors.validation(
      'the request does not match the schema',
      error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    );
  if (isBrokenCircuitError(error)) return errors.circuitOpen('a dependency', 5);
  if (isBulkheadRejectedError(error)) return errors.bulkheadFull('a dependency');
  if (isTimeout(error)) return errors.dependencyTimeout('a dependency', 0);
  const type = (error as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed') return errors.malformedJson();
  if (type === 'entity.too.large') return errors.payloadTooLarge(String((error as { limit?: unknown }).limit ?? 'configured'));
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return errors.unsupportedMediaType();
  return new AppError('internal-error', 500, 'Internal error', { cause: error });
}

/** The problem document for an error; never a stack trace or internals. */
export function problemOf(error: AppError, instance?: string): Problem {
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return {
    ...error.extensions,
    type: `urn:faultline:problem:${error.errorName}`,
    title: error.message,
    status: error.status,
    name: error.errorName,
    ...(error.detail ? { detail: error.detail } : {}),
    ...(instance ? { instance } : {}),
    ...(traceId && !/^0+$/.test(traceId) ? { traceId } : {}),
  };
}

/** Unknown routes become a `route-not-found` problem. Mount after every route. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(errors.routeNotFound(req.method, req.path));
};

/**
 * The RFC 6750 challenge of a 401: which scheme to use, and `invalid_token` when a token was sent
 * but did not prove a caller (expired, foreign signature, wrong audience).
 */
export function bearerChallenge(tokenSent: boolean): string {
  return tokenSent ? 'Bearer realm="faultline", error="invalid_token"' : 'Bearer realm="faultline"';
}

/** The one error middleware: problem+json, Retry-After, span exception, one log line. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const appError = toAppError(error);
    const span = trace.getActiveSpan();
    if (appError.status >= 500) {
      span?.recordException(error instanceof Error ? error : new Error(String(error)));
      span?.setStatus({ code: SpanStatusCode.ERROR, message: appError.errorName });
    }
    const fields = { errorName: appError.errorName, status: appError.status, method: req.method, path: req.path };
    if (appError.catastrophic) logger.error('request failed', { ...fields, error: error instanceof Error ? error : undefined });
    else logger.info('request rejected', fields);
    if (appError.retryAfterSec !== undefined) res.set('retry-after', String(Math.max(1, Math.ceil(appError.retryAfterSec))));
    if (appError.status === 401) res.set('www-authenticate', bearerChallenge(req.headers.authorization !== undefined));
    res
      .status(appError.status)
      .type(PROBLEM_CONTENT_TYPE)
      .send(JSON.stringify(problemOf(appError, req.originalUrl)));
  };
}
