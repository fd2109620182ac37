import { createSign, generateKeyPairSync } from 'node:crypto';
import { serve } from './support.js';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Stands in for the user service's token side in the services' tests: an RS256 key pair whose
 * public half is served as a JWKS, and a signer for tokens with the shop's issuer and audience.
 */
export async function startTokenIssuer({ issuer = 'faultline-user', audience = 'faultline', lifetimeSec = 900 } = {}) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const jwks = await serve((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });

  return {
    jwksUrl: `${jwks.url}/.well-known/jwks.json`,
    close: jwks.close,
    /** A token for `userId` with `roles`, valid for `lifetimeSec` (15 minutes). */
    sign(userId: string, roles: string[] = ['customer']): string {
      const now = Math.floor(Date.now() / 1000);
      const header = base64url({ alg: 'RS256', kid: 'test-key', typ: 'JWT' });
      const payload = base64url({ sub: userId, roles, iss: issuer, aud: audience, iat: now, exp: now + lifetimeSec });
      const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey).toString('base64url');
      return `${header}.${payload}.${signature}`;
    },
  };
}
