import { type DbPool, errors, isAppError, type Principal } from '@faultline/platform';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  errors as joseErrors,
  jwtVerify,
  SignJWT,
} from 'jose';
import { loadOrCreateKeys, type StoredKey } from '../store/signing-keys.js';

const ALG = 'RS256';

export interface TokenOptions {
  pool: DbPool;
  issuer: string;
  audience: string;
  ttlSec: number;
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

    /** The caller a token proves, or a 401 problem. */
    async verify(token: string): Promise<Principal> {
      const { keySet } = await keys();
      try {
        const { payload } = await jwtVerify(token, keySet, { issuer: options.issuer, audience: options.audience, algorithms: [ALG] });
        if (typeof payload.sub !== 'string') throw errors.unauthorized('the token has no subject');
        const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
        return { userId: payload.sub, roles, ...(typeof payload.email === 'string' ? { email: payload.email } : {}) };
      } catch (error) {
        if (isAppError(error)) throw error;
        if (error instanceof joseErrors.JWTExpired) throw errors.unauthorized('the token has expired');
        throw errors.unauthorized('the token is not valid');
      }
    },
  };
}
