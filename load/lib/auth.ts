import { check, fail } from 'k6';
import http from 'k6/http';
import { API, JSON_HEADERS } from './config.ts';

export interface Session {
  token: string;
  email: string;
}

/** Register a fresh customer and log in; returns the bearer token. */
export function registerAndLogIn(tag: string): Session {
  const email = `k6-${tag}-${Date.now()}-${Math.floor(Math.random() * 1e9)}@faultline.test`;
  const password = 'k6-password-123';
  const registered = http.post(`${API}/auth/register`, JSON.stringify({ email, name: `k6 ${tag}`, password }), {
    headers: JSON_HEADERS,
    tags: { journey: 'account', name: 'register' },
  });
  check(registered, { 'registered (201)': (r) => r.status === 201 });
  const login = http.post(`${API}/auth/login`, JSON.stringify({ email, password }), { headers: JSON_HEADERS, tags: { journey: 'account', name: 'login' } });
  const ok = check(login, { 'logged in (200)': (r) => r.status === 200 });
  if (!ok) fail(`login failed: ${login.status} ${login.body}`);
  return { token: String(login.json('accessToken')), email };
}

/**
 * Sessions made before the test (SESSIONS_FILE: a JSON array of sessions, one per virtual user), so
 * a benchmark's steps measure the shop and not the password hashes of fresh accounts.
 */
const PRESET_SESSIONS: Session[] = __ENV.SESSIONS_FILE ? (JSON.parse(open(__ENV.SESSIONS_FILE)) as Session[]) : [];

/** Access tokens live 15 minutes: a session is renewed well before. */
const SESSION_RENEW_MS = 10 * 60_000;
let current: { session: Session; at: number } | undefined;

/**
 * This virtual user's customer: registered and logged in once, then reused (renewed every ten
 * minutes). Hashing a password costs the user service ~125 ms of CPU; a new account per checkout
 * made the load measure the password hash instead of the shop. `fresh` registers a new one now
 * (an experiment that needs registrations, hence `user.registered` events, all along the run).
 */
export function customer(tag: string, fresh = false): Session {
  const preset = fresh ? undefined : PRESET_SESSIONS[(__VU - 1) % PRESET_SESSIONS.length];
  if (preset) return preset;
  if (fresh || !current || Date.now() - current.at > SESSION_RENEW_MS) current = { session: registerAndLogIn(tag), at: Date.now() };
  return current.session;
}

export const authHeaders = (session: Session) => ({ ...JSON_HEADERS, authorization: `Bearer ${session.token}` });
