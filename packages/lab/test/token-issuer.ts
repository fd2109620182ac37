import { createSign, generateKeyPairSync } from 'node:crypto';
import { grantedScopes } from '@faultline/contracts';
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

  const signed = (claims: Record<string, unknown>) => {
    const header = base64url({ alg: 'RS256', kid: 'test-key', typ: 'JWT' });
    const payload = base64url(claims);
    const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(privateKey).toString('base64url');
    return `${header}.${payload}.${signature}`;
  };

  return {
    jwksUrl: `${jwks.url}/.well-known/jwks.json`,
    close: jwks.close,
    /** A token for `userId` with `roles`, valid for `lifetimeSec` (15 minutes). */
    sign(userId: string, roles: string[] = ['customer']): string {
      const now = Math.floor(Date.now() / 1000);
      return signed({ sub: userId, roles, iss: issuer, aud: audience, iat: now, exp: now + lifetimeSec });
    },
    /** A service token as the user service issues it: `client` calling `callee` with `scopes` (default: all `SERVICE_GRANTS` give). */
    signService(client: string, callee: string, scopes?: readonly string[], grantsOf = callee): string {
      const now = Math.floor(Date.now() / 1000);
      const scope = (scopes ?? grantedScopes(client, grantsOf)).join(' ');
      return signed({ sub: client, client_id: client, token_use: 'service', scope, iss: issuer, aud: callee, iat: now, exp: now + lifetimeSec });
    },
  };
}
