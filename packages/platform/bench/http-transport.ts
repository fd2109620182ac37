import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { serve } from '../../lab/test/support.js';
import { createHttpTransport } from '../src/http-transport.js';
import { createAuth } from '../src/index.js';

/** CPU µs per call of two ways of doing the same thing, measured in alternating rounds. */
export interface SideBySide {
  before: number;
  after: number;
}

async function cpuMicrosPerCall(calls: number, fn: () => Promise<unknown>): Promise<number> {
  const started = process.cpuUsage();
  for (let i = 0; i < calls; i += 1) await fn();
  const used = process.cpuUsage(started);
  return (used.user + used.system) / calls;
}

async function alternate(rounds: number, calls: number, before: () => Promise<unknown>, after: () => Promise<unknown>): Promise<SideBySide> {
  const totals = { before: 0, after: 0 };
  for (let round = 0; round < rounds; round += 1) {
    totals.before += await cpuMicrosPerCall(calls, before);
    totals.after += await cpuMicrosPerCall(calls, after);
  }
  return { before: totals.before / rounds, after: totals.after / rounds };
}

/**
 * The HTTP client's transport: CPU per request with fetch against node:http with a keep-alive
 * pool, a small JSON POST to a loopback server (in this process: its share is the same for both).
 */
export async function transportCost(options: { calls: number; rounds: number }): Promise<SideBySide> {
  const server = await serve((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"reservationId":"r-1","items":[{"productId":"p-1","quantity":1}]}');
  });
  const url = new URL(`${server.url}/v1/reservations`);
  const transport = createHttpTransport();
  const headers = { accept: 'application/json', 'content-type': 'application/json', traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` };
  const body = JSON.stringify({ reservationId: 'r-1', items: [{ productId: 'p-1', quantity: 1 }] });
  try {
    return await alternate(
      options.rounds,
      options.calls,
      async () => {
        const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(5000) });
        JSON.parse(await response.text());
      },
      async () => JSON.parse((await transport('POST', url, headers, body, AbortSignal.timeout(5000))).text),
    );
  } finally {
    await server.close();
  }
}

/** A bearer token's check: an RS256 verification every time against one remembered for 30 s. */
export async function tokenCheckCost(options: { calls: number; rounds: number }): Promise<SideBySide> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'bench', alg: 'RS256', use: 'sig' };
  const keys = await serve((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  const token = await new SignJWT({ roles: ['customer'] })
    .setProtectedHeader({ alg: 'RS256', kid: 'bench' })
    .setSubject('u-1')
    .setIssuer('faultline-user')
    .setAudience('faultline')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);
  const auth = { jwksUrl: `${keys.url}/.well-known/jwks.json`, issuer: 'faultline-user', audience: 'faultline', serviceAudience: 'bench' };
  const every = createAuth({ ...auth, verifiedTokenMaxAgeMs: 0 });
  const remembered = createAuth(auth);
  try {
    return await alternate(
      options.rounds,
      options.calls,
      () => every.verify(token),
      () => remembered.verify(token),
    );
  } finally {
    await keys.close();
  }
}
