/** Shared settings of every k6 script. Traffic only ever goes to loopback. */
export const BASE_URL: string = __ENV.BASE_URL ?? 'http://127.0.0.1:17080';
export const API = `${BASE_URL}/api`;
export const CARD_TOKEN: string = __ENV.CARD_TOKEN ?? 'tok_visa';

/**
 * A card fault (set by the chaos runner): between CARD_FAULT_FROM and CARD_FAULT_TO seconds into
 * the test, one checkout in CARD_FAULT_EVERY (at random) pays with CARD_FAULT_TOKEN instead.
 */
const cardFault = __ENV.CARD_FAULT_TOKEN
  ? {
      token: __ENV.CARD_FAULT_TOKEN,
      every: Number(__ENV.CARD_FAULT_EVERY ?? '10'),
      from: Number(__ENV.CARD_FAULT_FROM ?? '0'),
      to: Number(__ENV.CARD_FAULT_TO ?? '0'),
    }
  : undefined;

/** The card this checkout pays with, `secondsIntoTest` after the start. */
export function cardToken(secondsIntoTest: number): string {
  if (!cardFault || secondsIntoTest < cardFault.from || secondsIntoTest >= cardFault.to) return CARD_TOKEN;
  return Math.random() * cardFault.every < 1 ? cardFault.token : CARD_TOKEN;
}

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
