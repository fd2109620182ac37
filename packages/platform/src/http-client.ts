import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AppError, errors } from './errors.js';
import { createHttpTransport, type RawResponse, toHeaders } from './http-transport.js';
import type { Logger } from './logging.js';
import type { DependencyPolicy } from './resilience/policy.js';
import type { ServiceTokenSource } from './service-tokens.js';

const tracer = trace.getTracer('@faultline/platform/http-client');

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpClientOptions {
  /** The dependency's name, used in the errors it raises (`payment`). */
  name: string;
  /** Origin and optional path prefix, e.g. `http://127.0.0.1:7003`. */
  baseUrl: string;
  /** The dependency's shared policy: timeout per attempt, retry, breaker, bulkhead. */
  policy: DependencyPolicy;
  logger: Logger;
  /** Deadline of a whole call, every attempt and backoff included; it also bounds calls in mode `off`. Default 30 s. */
  defaultTimeoutMs?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
  /** A service token for this dependency, sent as the bearer token of every call (internal routes require one). */
  serviceToken?: ServiceTokenSource;
}

export interface RequestOptions<T> {
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as `Idempotency-Key`; makes a POST or PATCH retryable. */
  idempotencyKey?: string;
  /** Cancels the call. */
  signal?: AbortSignal;
  /** Overrides the client's `defaultTimeoutMs` for this call. */
  timeoutMs?: number;
  /** Answer to give when the call fails (see the policy); not for 4xx answers. */
  fallback?: (error: unknown) => HttpResponse<T> | Promise<HttpResponse<T>>;
  /** A failure tied to this request's data, named by the dependency: not retried, not counted against the breaker (see the policy). */
  isRequestFailure?: (error: unknown) => boolean;
}

export interface HttpResponse<T> {
  status: number;
  /** Parsed JSON (`undefined` for an empty body, the text for a non-JSON body). */
  body: T;
  headers: Headers;
}

/** A JSON HTTP client for one dependency. Failures reject with {@link AppError}s. */
export interface HttpClient {
  request<T>(method: HttpMethod, path: string, options?: RequestOptions<T>): Promise<HttpResponse<T>>;
  get<T>(path: string, options?: RequestOptions<T>): Promise<HttpResponse<T>>;
  post<T>(path: string, body: unknown, options?: RequestOptions<T>): Promise<HttpResponse<T>>;
  put<T>(path: string, body: unknown, options?: RequestOptions<T>): Promise<HttpResponse<T>>;
  delete<T>(path: string, options?: RequestOptions<T>): Promise<HttpResponse<T>>;
}

const IDEMPOTENT = new Set<HttpMethod>(['GET', 'HEAD', 'PUT', 'DELETE']);
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const PROBLEM_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'instance', 'name', 'traceId']);

/** Retry-After (delay-seconds or HTTP-date) in seconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - now) / 1000);
}

/** A problem document turned back into the {@link AppError} the dependency raised: same name, status and detail. */
function problemError(dependency: string, status: number, document: Record<string, unknown>, retryAfterSec: number | undefined): AppError | undefined {
  const fromType = typeof document.type === 'string' ? document.type.split(/[:/]/).pop() : undefined;
  const errorName = [document.name, fromType].find((n): n is string => typeof n === 'string' && KEBAB.test(n));
  if (!errorName) return undefined;
  const extensions: Record<string, unknown> = { dependency };
  for (const [key, value] of Object.entries(document)) if (!PROBLEM_MEMBERS.has(key)) extensions[key] = value;
  const title = typeof document.title === 'string' ? document.title : 'Dependency failed';
  return new AppError(errorName, status, title, { detail: typeof document.detail === 'string' ? document.detail : undefined, retryAfterSec, extensions });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Create the client of one dependency: keep-alive connections, W3C trace context, problem+json back into errors. */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { name, policy, logger } = options;
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;

  const failed = (detail: string, retryAfterSec?: number) => {
    const error = errors.dependencyFailed(name, detail);
    return retryAfterSec === undefined
      ? error
      : new AppError(error.errorName, error.status, error.message, { detail, retryAfterSec, extensions: error.extensions });
  };

  const transport = createHttpTransport();

  /** One attempt over the dependency's keep-alive pool. */
  async function attempt<T>(
    method: HttpMethod,
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal,
  ): Promise<HttpResponse<T>> {
    const where = `${method} ${url.pathname}`; // never the query: it may carry personal data
    let response: RawResponse;
    try {
      response = await transport(method, url, headers, body, signal);
    } catch (error) {
      if (signal.aborted) throw error; // a timeout or a cancellation: the policy or the caller names it
      const code = (error as { code?: unknown }).code;
      throw failed(`${where} failed: ${typeof code === 'string' ? code : String(error)}`);
    }
    const { status, text } = response;
    const contentType = response.headers['content-type'] ?? '';
    const json = contentType.includes('json') && text !== '' ? parseJson(text) : undefined;
    if (status >= 400) {
      const retryAfterSec = parseRetryAfter(response.headers['retry-after'] ?? null);
      const problem = contentType.includes('application/problem+json') && json !== null && typeof json === 'object';
      const error = problem ? problemError(name, status, json as Record<string, unknown>, retryAfterSec) : undefined;
      if (error) throw error;
      if (status >= 500) throw failed(`${where} answered ${status}`, retryAfterSec);
      throw new AppError('dependency-rejected', status, 'Dependency rejected the request', {
        detail: `${where} answered ${status}`,
        retryAfterSec,
        extensions: { dependency: name },
      });
    }
    if (json === undefined && contentType.includes('json') && text !== '') {
      logger.warn('dependency answered malformed JSON', { dependency: name, method, path: url.pathname, status });
      throw failed(`${where} answered malformed JSON`);
    }
    const raw = response.headers;
    return {
      status,
      body: (json ?? (text === '' ? undefined : text)) as T,
      // Made only when read: most callers never look at the headers.
      get headers() {
        return toHeaders(raw);
      },
    };
  }

  async function request<T>(method: HttpMethod, path: string, call: RequestOptions<T> = {}): Promise<HttpResponse<T>> {
    const url = new URL(`${baseUrl}${path}`);
    for (const [key, value] of Object.entries(call.query ?? {})) if (value !== undefined) url.searchParams.set(key, String(value));
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const baseHeaders: Record<string, string> = { accept: 'application/json, application/problem+json', ...options.headers, ...call.headers };
    if (body !== undefined) baseHeaders['content-type'] = 'application/json';
    if (call.idempotencyKey) baseHeaders['idempotency-key'] = call.idempotencyKey;
    // Before the policy: a token that cannot be had is not the dependency's failure (no breaker, no retry).
    if (options.serviceToken && !baseHeaders.authorization) baseHeaders.authorization = `Bearer ${await options.serviceToken()}`;
    const active = context.active();
    const timeoutMs = call.timeoutMs ?? defaultTimeoutMs;
    const deadline = AbortSignal.timeout(timeoutMs);
    const signal = call.signal ? AbortSignal.any([call.signal, deadline]) : deadline;
    try {
      return await policy.execute(
        (attemptSignal, attemptNumber) => {
          // One CLIENT span per attempt (retries show in the trace); its context travels in the
          // headers, so the dependency's server span is its child.
          const span = tracer.startSpan(
            `${method} ${name}`,
            {
              kind: SpanKind.CLIENT,
              attributes: {
                'http.request.method': method,
                'server.address': url.hostname,
                'server.port': Number(url.port),
                'url.path': url.pathname,
                'app.dependency': name,
              },
            },
            active,
          );
          const headers = { ...baseHeaders };
          // Only under the `idempotency-key` knock-out does the policy number the attempts: each retry is then a new request.
          if (attemptNumber && attemptNumber > 1 && call.idempotencyKey) headers['idempotency-key'] = `${call.idempotencyKey}.attempt-${attemptNumber}`;
          propagation.inject(trace.setSpan(active, span), headers);
          return attempt<T>(method, url, headers, body, attemptSignal).then(
            (response) => {
              span.setAttribute('http.response.status_code', response.status);
              span.end();
              return response;
            },
            (error: unknown) => {
              if (error instanceof AppError) span.setAttribute('http.response.status_code', error.status);
              if (!(error instanceof AppError) || error.status >= 500)
                span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
              span.end();
              throw error;
            },
          );
        },
        {
          retryable: IDEMPOTENT.has(method) || Boolean(call.idempotencyKey),
          signal,
          fallback: call.fallback,
          ...(call.isRequestFailure ? { isRequestFailure: call.isRequestFailure } : {}),
        },
      );
    } catch (error) {
      if (deadline.aborted && !call.signal?.aborted) throw errors.dependencyTimeout(name, timeoutMs);
      throw error;
    }
  }

  return {
    request,
    get: (path, call) => request('GET', path, call),
    post: (path, body, call) => request('POST', path, { ...call, body }),
    put: (path, body, call) => request('PUT', path, { ...call, body }),
    delete: (path, call) => request('DELETE', path, call),
  };
}
