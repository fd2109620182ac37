import { z } from 'zod';
import { ROLES, type User } from '../store/users.js';

/** Trimmed and lower-cased before the format check, so `  Ann@Example.com` is `ann@example.com`. */
export const emailSchema = z.string().trim().toLowerCase().max(254).check(z.email()).meta({ example: 'ann@example.com' });
export const nameSchema = z.string().trim().min(1).max(100).meta({ example: 'Ann Lovelace' });
export const newPasswordSchema = z.string().min(8).max(128).meta({ description: '8 to 128 characters' });

export const registerBody = z.strictObject({ email: emailSchema, name: nameSchema, password: newPasswordSchema });
// A login does not restate the password policy, only bounds the input.
export const loginBody = z.strictObject({ email: emailSchema, password: z.string().min(1).max(128) });
export const profileBody = z.strictObject({ name: nameSchema });
export const rolesBody = z.strictObject({
  roles: z
    .array(z.enum(ROLES))
    .min(1)
    .max(ROLES.length)
    .refine((roles) => new Set(roles).size === roles.length, 'roles must not repeat'),
});
export const userIdParams = z.object({ id: z.uuid() });
export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    roles: z.array(z.enum(ROLES)),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'User' });
export const userPageSchema = z
  .object({ items: z.array(userSchema), total: z.number().int(), limit: z.number().int(), offset: z.number().int() })
  .meta({ id: 'UserPage' });
export const accessTokenSchema = z
  .object({ accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number().int().meta({ description: 'seconds' }) })
  .meta({ id: 'AccessToken' });
export const serviceTokenBody = z.strictObject({
  grant_type: z.literal('client_credentials'),
  client_id: z.string().min(1).max(64),
  client_secret: z.string().min(1).max(256),
  audience: z.string().min(1).max(64).meta({ description: 'the callee: product, payment …' }),
});
export const serviceTokenSchema = z
  .object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number().int(), scope: z.string() })
  .meta({ id: 'ServiceToken' });
export const jwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).meta({ id: 'JWKS' });

/** The public view of a user (never the password hash). */
export const toUserView = (user: User): z.infer<typeof userSchema> => ({
  id: user.id,
  email: user.email,
  name: user.name,
  roles: user.roles,
  createdAt: user.createdAt.toISOString(),
  updatedAt: user.updatedAt.toISOString(),
});
