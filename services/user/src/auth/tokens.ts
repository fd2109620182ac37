import { type DbPool, type Principal, principalOf, tokenFailure } from '@faultline/platform';
import { calculateJwkThumbprint, createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK, jwtVerify, SignJWT } from 'jose';
import { loadOrCreateKeys, type StoredKey } from '../store/signing-keys.js';

const ALG = 'RS256';

export interface TokenOptions {
  pool: DbPool;
  issuer: string;
  audience: string;
  ttlSec: number;
  /** Lifetime of a service token (client credentials). */
  serviceTtlSec: number;
}

export interface ServiceAccessToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

export interface AccessToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export type Tokens = ReturnType<typeof createTokens>;

async function generateKey(): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { modulusLength: 2048, extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const meta = { kid, alg: ALG, use: 'sig' };
  return { kid, privateJwk: { ...(await exportJWK(privateKey)), ...meta }, publicJwk: { ...publicJwk, ...meta } };
}

/**
 * Issue and verify the service's RS256 access tokens. The keys live in the service's database
 * (created once), so a restart keeps the same `kid` and earlier tokens stay valid. Its own
 * tokens are verified with its own public keys directly, without fetching the JWKS over HTTP.
 */
export function createTokens(options: TokenOptions) {
  let loading:
    | Promise<{ signer: Awaited<ReturnType<typeof importJWK>>; kid: string; jwks: JSONWebKeySet; keySet: ReturnType<typeof createLocalJWKSet> }>
    | undefined;

  const keys = () => {
    loading ??= (async () => {
      const stored = await loadOrCreateKeys(options.pool, generateKey);
      const newest = stored[0] as StoredKey;
      const jwks = { keys: stored.map((key) => key.publicJwk as JWK) };
      return { kid: newest.kid, signer: await importJWK(newest.privateJwk, ALG), jwks, keySet: createLocalJWKSet(jwks) };
    })().catch((error: unknown) => {
      loading = undefined; // try again on the next call (the database may be back)
      throw error;
    });
    return loading;
  };

  return {
    /** Load (or create) the signing keys now rather than on the first request. */
    ready: async () => {
      await keys();
    },

    /** The public keys, as served at `/.well-known/jwks.json`. */
    jwks: async (): Promise<JSONWebKeySet> => (await keys()).jwks,

    async issue(user: { id: string; email: string; roles: readonly string[] }): Promise<AccessToken> {
      const { signer, kid } = await keys();
      const accessToken = await new SignJWT({ email: user.email, roles: [...user.roles] })
        .setProtectedHeader({ alg: ALG, kid, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt()
        .setExpirationTime(`${options.ttlSec}s`)
        .sign(signer);
      return { accessToken, tokenType: 'Bearer', expiresIn: options.ttlSec };
    },

    /** A service token: `sub` the client, `aud` the callee, `scope` what the client may do there. */
    async issueService(client: string, audience: string, scopes: readonly string[]): Promise<ServiceAccessToken> {
      const { signer, kid } = await keys();
      const scope = scopes.join(' ');
      const accessToken = await new SignJWT({ token_use: 'service', scope, client_id: client })
        .setProtectedHeader({ alg: ALG, kid, typ: 'JWT' })
        .setSubject(client)
        .setIssuer(options.issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(`${options.serviceTtlSec}s`)
        .sign(signer);
      return { access_token: accessToken, token_type: 'Bearer', expires_in: options.serviceTtlSec, scope };
    },

    /** The caller a person's token proves, or a 401 problem (service tokens are never meant for this service). */
    async verify(token: string): Promise<Principal> {
      const { keySet } = await keys();
      try {
        const { payload } = await jwtVerify(token, keySet, { issuer: options.issuer, algorithms: [ALG] });
        return principalOf(payload, { audience: options.audience });
      } catch (error) {
        throw tokenFailure(error);
      }
    },
  };
}
