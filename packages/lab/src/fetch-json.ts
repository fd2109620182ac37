import { LabError } from './errors.js';

export interface FetchJsonOptions extends Omit<RequestInit, 'signal'> {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Sent as `authorization: Bearer <token>`. */
  token?: string;
  /** What to do when the call fails (fetchJson's error hint). */
  hint?: string;
}

function request(url: string, { timeoutMs = 10_000, token, hint: _hint, ...init }: FetchJsonOptions): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  return fetch(url, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
}

/** JSON from one of the lab's admin APIs; no answer or a non-2xx one is a LabError that says what to do. */
export async function fetchJson<T>(url: string, options: FetchJsonOptions = {}): Promise<T> {
  const hint = options.hint ?? 'is the lab running? (npm run faultline -- status)';
  const response = await request(url, options).catch((error: unknown) => {
    throw new LabError(`${url} did not answer: ${error instanceof Error ? error.message : String(error)}`, { hint });
  });
  if (!response.ok) throw new LabError(`${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`, { hint });
  return (await response.json()) as T;
}

/** JSON from one of the lab's admin APIs, or undefined when it does not answer or answers non-2xx (views that show what they can). */
export async function fetchJsonOrUndefined<T>(url: string, options: FetchJsonOptions = {}): Promise<T | undefined> {
  try {
    const response = await request(url, options);
    return response.ok ? ((await response.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}
