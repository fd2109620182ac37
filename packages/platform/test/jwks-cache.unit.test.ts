import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { serve } from '../../lab/test/support.js';
import { type AppError, createAuth, isAppError } from '../src/index.js';

type Mode = 'ok' | 'fail' | 'down';

/** A JWKS endpoint whose answer the test switches: the keys, a 500, or no answer at all (connection destroyed). */
async function keyServer() {
  const state: { mode: Mode; keys: JWK[]; requests: number } = { mode: 'ok', keys: [], requests: 0 };
  const server = await serve((req, res) => {
    state.requests += 1;
    if (state.mode === 'down') {
      req.socket.destroy();
      return;
    }
    if (state.mode === 'fail') {
      res.statusCode = 500;
      res.end();
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: state.keys }));
  });
  return { ...server, state };
}

async function signingKey(kid: string) {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const sign = (expiresIn = '5m') =>
    new SignJWT({ roles: ['customer'] })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setSubject('u-1')
      .setIssuer('faultline-user')
      .setAudience('faultline')
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(privateKey);
  return { jwk, sign };
}

/** A verifier of the key server at `url`: keys live 300 ms, at most one fetch per 300 ms. */
const authOf = (url: string, verifiedTokenMaxAgeMs?: number) =>
  createAuth({
    jwksUrl: `${url}/.well-known/jwks.json`,
    issuer: 'faultline-user',
    audience: 'faultline',
    serviceAudience: 'test',
    jwksMaxAgeMs: 300,
    jwksMinIntervalMs: 300,
    ...(verifiedTokenMaxAgeMs === undefined ? {} : { verifiedTokenMaxAgeMs }),
  });

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isAppError(error), `expected an AppError, got ${String(error)}`);
    return error;
  }
  assert.fail('the verification succeeded');
}

// Timing: key lifetime and refresh interval of 300 ms, waits of 700 ms or more (generous on a loaded machine).
describe('the JWKS cache (stale-while-revalidate, bounded refresh)', () => {
  let keys: Awaited<ReturnType<typeof keyServer>>;
  let auth: ReturnType<typeof createAuth>;
  const first = signingKey('k1');

  beforeEach(async () => {
    keys = await keyServer();
    keys.state.keys = [(await first).jwk];
    // These tests are about the keys: every verification goes to them.
    auth = authOf(keys.url, 0);
  });
  afterEach(() => keys.close());

  it('keeps accepting valid tokens with stale keys while the key server is down, and revalidates in the background', async () => {
    const token = await (await first).sign();
    assert.equal((await auth.verify(token)).userId, 'u-1');
    assert.equal(keys.state.requests, 1);
    keys.state.mode = 'down';
    await sleep(700); // the keys are now older than their lifetime
    assert.equal((await auth.verify(token)).userId, 'u-1', 'a network error must not turn a valid token into a 401');
    await sleep(100);
    assert.equal(keys.state.requests, 2, 'the stale keys were revalidated once, in the background');
    keys.state.mode = 'fail';
    await sleep(700);
    assert.equal((await auth.verify(token)).userId, 'u-1', 'a 500 from the key server neither');
  });

  it('fetches at most once per interval, however many requests ask', async () => {
    const token = await (await first).sign();
    await auth.verify(token);
    await sleep(700);
    keys.state.mode = 'fail';
    await Promise.all(Array.from({ length: 50 }, () => auth.verify(token)));
    assert.equal(keys.state.requests, 2, 'fifty stale verifications, one refresh');
    // Unknown key ids: one lookup for all of them, then none until the interval has passed.
    const stranger = await signingKey('k-unknown');
    const answers = await Promise.allSettled(Array.from({ length: 30 }, async () => auth.verify(await stranger.sign())));
    assert.ok(answers.every((a) => a.status === 'rejected'));
    assert.ok(keys.state.requests <= 3, `${keys.state.requests} fetches`);
  });

  it('answers 503 signing-keys-unavailable (never 401) only while no key was ever known', async () => {
    keys.state.mode = 'down';
    const token = await (await first).sign();
    const error = await failure(auth.verify(token));
    assert.equal(error.errorName, 'signing-keys-unavailable');
    assert.equal(error.status, 503);
    assert.ok((error.retryAfterSec ?? 0) >= 1);
    await sleep(700);
    keys.state.mode = 'ok';
    assert.equal((await auth.verify(token)).userId, 'u-1', 'once the keys can be fetched, the same token is admitted');
  });

  it('picks up a new signing key, and refuses a token whose key is known to be absent with 401', async () => {
    await auth.verify(await (await first).sign());
    await sleep(700);
    const second = await signingKey('k2');
    keys.state.keys = [(await first).jwk, second.jwk];
    assert.equal((await auth.verify(await second.sign())).userId, 'u-1');
    await sleep(700);
    const forged = await signingKey('k3');
    const error = await failure(auth.verify(await forged.sign()));
    assert.equal(error.status, 401);
  });
});

describe('verified tokens, remembered briefly', () => {
  let keys: Awaited<ReturnType<typeof keyServer>>;
  const key = signingKey('k1');
  const authWith = (verifiedTokenMaxAgeMs?: number) => authOf(keys.url, verifiedTokenMaxAgeMs);

  beforeEach(async () => {
    keys = await keyServer();
    keys.state.keys = [(await key).jwk];
  });
  afterEach(() => keys.close());

  it('admits a token it verified again without verifying it (the keys are not even looked at)', async () => {
    for (const [maxAge, lookups] of [
      [undefined, 1],
      [0, 2],
    ] as const) {
      keys.state.requests = 0;
      const auth = authWith(maxAge);
      const token = await (await key).sign();
      await auth.verify(token);
      await sleep(700); // the keys are stale now: a verification revalidates them
      assert.equal((await auth.verify(token)).userId, 'u-1');
      await sleep(100);
      assert.equal(keys.state.requests, lookups, `verifiedTokenMaxAgeMs ${maxAge}`);
    }
  });

  it('never admits a remembered token past its expiry', async () => {
    const auth = authWith();
    const token = await (await key).sign('2s');
    assert.equal((await auth.verify(token)).userId, 'u-1');
    await sleep(2100);
    const error = await failure(auth.verify(token));
    assert.equal(error.status, 401, 'expired: verified again, and refused');
  });
});
