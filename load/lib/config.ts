/** Shared settings of every k6 script. Traffic only ever goes to loopback. */
export const BASE_URL: string = __ENV.BASE_URL ?? 'http://127.0.0.1:17080';
export const API = `${BASE_URL}/api`;
export const CARD_TOKEN: string = __ENV.CARD_TOKEN ?? 'tok_visa';

const host = BASE_URL.replace(/^https?:\/\//, '').split(/[:/]/)[0] ?? '';
if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)$/.test(host) && __ENV.FAULTLINE_ALLOW_REMOTE !== 'yes-really') {
  throw new Error(`BASE_URL ${BASE_URL} is not a loopback address: Faultline load only targets 127.0.0.0/8 or ::1`);
}

/** SLO-style thresholds shared by the profiles (looser for stress and spike, where failure is the point). */
export const SLO_THRESHOLDS: Record<string, string[]> = {
  http_req_failed: ['rate<0.01'],
  'http_req_duration{journey:browse}': ['p(95)<300', 'p(99)<800'],
  'http_req_duration{journey:checkout}': ['p(95)<1500'],
  checks: ['rate>0.99'],
};

/** Set by the chaos runner: every request carries the run id, so the gateway log can be cut per run. */
export const RUN_HEADERS: Record<string, string> = __ENV.RUN_ID ? { 'x-faultline-run': __ENV.RUN_ID } : {};

export const JSON_HEADERS = { 'content-type': 'application/json', ...RUN_HEADERS };
