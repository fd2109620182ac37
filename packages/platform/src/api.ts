import type { Express, Request, RequestHandler, Response } from 'express';
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { guardRoute, type RouteAuth, type TokenVerifier } from './auth.js';
import { refuseControlCharacters } from './control-characters.js';
import { errors } from './errors.js';
import { PROBLEM_CONTENT_TYPE } from './http-errors.js';
import { IDEMPOTENCY_KEY_MAX_LENGTH, idempotencyKeyOf, idempotencyKeySchema } from './request.js';

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type AnyObject = z.ZodObject<z.ZodRawShape>;

/** What a route handler returns: a status, a JSON body and optional headers. */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface RouteSpec<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  method: Method;
  /** Express-style path: `/v1/orders/:id`. */
  path: string;
  summary: string;
  tags?: string[];
  /** Who may call it; the platform enforces exactly this and documents it (`x-auth`, 401, 403). */
  auth: RouteAuth;
  params?: P;
  query?: Q;
  body?: B;
  /** Documented answers: status → description and optional schema. */
  responses: Record<number, { description: string; schema?: z.ZodType }>;
  /**
   * The route requires an `Idempotency-Key` header (the platform's rule, {@link idempotencyKeySchema}):
   * documented as a required header parameter, checked before the handler (400
   * `idempotency-key-missing` / `idempotency-key-invalid`), and handed to it as `idempotencyKey`.
   */
  idempotencyKey?: true;
  /** Runs after the auth guard, before validation. */
  middleware?: RequestHandler[];
}

export interface RouteInput<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  params: z.infer<P>;
  query: z.infer<Q>;
  body: z.infer<B>;
  /** The checked `Idempotency-Key` (only on routes that declare `idempotencyKey: true`; empty otherwise). */
  idempotencyKey: string;
  req: Request;
  res: Response;
}

const problemSchema = z
  .object({ type: z.string(), title: z.string(), status: z.number().int(), name: z.string(), detail: z.string().optional(), instance: z.string().optional() })
  .meta({ id: 'Problem', description: 'RFC 7807 problem document with a stable error name' });

const toOpenApiPath = (path: string) => path.replace(/:([A-Za-z_]\w*)/g, '{$1}');

function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({ in: where, path: issue.path.join('.'), message: issue.message }));
  throw errors.validation(`invalid ${where}: ${issues.map((i) => `${i.path || '(root)'} ${i.message}`).join('; ')}`, issues);
}

/**
 * A versioned REST API whose request and response schemas both validate input and generate the
 * OpenAPI 3.1 document served at `/openapi.json` (and a readable page at `/docs`).
 */
export class Api {
  private readonly paths: ZodOpenApiPathsObject = {};

  constructor(
    private readonly app: Express,
    private readonly info: { title: string; version: string; description?: string },
    /** Checks bearer tokens; required as soon as one route is not public. */
    private readonly verifier?: TokenVerifier,
  ) {
    app.get('/openapi.json', (_req, res) => {
      res.json(this.document());
    });
    app.get('/docs', (_req, res) => {
      res.type('html').send(renderDocs(this.document() as unknown as OpenApiDoc));
    });
  }

  /** Register a route: validate params, query and body, call the handler, send its reply. */
  route<P extends AnyObject = AnyObject, Q extends AnyObject = AnyObject, B extends z.ZodType = z.ZodUnknown>(
    spec: RouteSpec<P, Q, B>,
    handler: (input: RouteInput<P, Q, B>) => Promise<Reply> | Reply,
  ): void {
    const guarded = spec.auth !== 'public';
    if (guarded && !this.verifier) throw new Error(`${spec.method.toUpperCase()} ${spec.path} declares auth but the Api has no token verifier`);
    // What the platform itself answers is documented once, here: 400 wherever input is validated, 401 and 403 wherever a token is required.
    const validated = Boolean(spec.params || spec.query || spec.body);
    const documented: RouteSpec<P, Q, B>['responses'] = {};
    if (validated) documented[400] = { description: 'validation-failed: invalid path, query or body (the problem names the field)' };
    if (spec.idempotencyKey)
      documented[400] = {
        description: `${validated ? `${documented[400]?.description}; ` : ''}idempotency-key-missing or idempotency-key-invalid (1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable characters)`,
      };
    if (guarded) {
      documented[401] = { description: 'unauthorized: no valid bearer token (or 503 signing-keys-unavailable when no signing key is known)' };
      documented[403] = { description: forbiddenText(spec.auth) };
    }
    Object.assign(documented, spec.responses);
    const operation: ZodOpenApiOperationObject = {
      summary: spec.summary,
      ...(spec.tags ? { tags: spec.tags } : {}),
      ...(guarded ? { security: [{ bearer: [] }] } : {}),
      'x-auth': spec.auth,
      requestParams: {
        ...(spec.params ? { path: spec.params } : {}),
        ...(spec.query ? { query: spec.query } : {}),
        ...(spec.idempotencyKey ? { header: z.object({ 'Idempotency-Key': idempotencyKeySchema }) } : {}),
      },
      ...(spec.body ? { requestBody: { content: { 'application/json': { schema: spec.body } } } } : {}),
      responses: Object.fromEntries(
        Object.entries(documented).map(([status, r]) => [
          status,
          {
            description: r.description,
            ...(r.schema ? { content: { [Number(status) >= 400 ? PROBLEM_CONTENT_TYPE : 'application/json']: { schema: r.schema } } } : {}),
          },
        ]),
      ),
    };
    const key = toOpenApiPath(spec.path) as `/${string}`;
    this.paths[key] = { ...(this.paths[key] ?? {}), [spec.method]: operation };

    const run: RequestHandler = async (req, res) => {
      const input = {
        params: spec.params ? parseOrThrow(spec.params, req.params, 'path') : req.params,
        query: spec.query ? parseOrThrow(spec.query, req.query, 'query') : req.query,
        body: spec.body ? parseOrThrow(spec.body, req.body ?? {}, 'body') : req.body,
        idempotencyKey: spec.idempotencyKey ? idempotencyKeyOf(req) : '',
        req,
        res,
      } as RouteInput<P, Q, B>;
      const reply = await handler(input);
      if (reply.headers) res.set(reply.headers);
      if (reply.body === undefined) res.status(reply.status).end();
      else res.status(reply.status).json(reply.body);
    };
    const guard = guarded ? [guardRoute(this.verifier as TokenVerifier, spec.auth as Exclude<RouteAuth, 'public'>)] : [];
    // Control characters are refused first: before authentication, and for every field of every route.
    this.app[spec.method](spec.path, refuseControlCharacters, ...guard, ...(spec.middleware ?? []), run);
  }

  /** The OpenAPI 3.1 document of every registered route. */
  document(): ReturnType<typeof createDocument> {
    return createDocument({
      openapi: '3.1.0',
      info: this.info,
      paths: this.paths,
      components: { schemas: { Problem: problemSchema }, securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    });
  }
}

function forbiddenText(auth: RouteAuth): string {
  if (typeof auth === 'object') return `service-token-required (a person's token) or insufficient-scope (no ${auth.service})`;
  if (auth === 'admin') return 'forbidden: the admin role is required (user-token-required for a service token)';
  return 'user-token-required: a service token on a route for people';
}

interface OpenApiDoc {
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, { summary?: string; security?: unknown[]; responses?: Record<string, { description: string }> }>>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

/** A plain, dependency-free HTML page listing every operation (the full schemas are in /openapi.json). */
function renderDocs(doc: OpenApiDoc): string {
  const rows = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(
      ([method, op]) =>
        `<tr><td><code>${method.toUpperCase()}</code></td><td><code>${escapeHtml(path)}</code></td><td>${escapeHtml(op.summary ?? '')}${op.security ? ' 🔒' : ''}</td><td>${Object.entries(
          op.responses ?? {},
        )
          .map(([s, r]) => `${s} ${escapeHtml(r.description)}`)
          .join('<br>')}</td></tr>`,
    ),
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(doc.info.title)}</title><style>body{font:14px system-ui;margin:2em}td,th{border-bottom:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}</style></head><body><h1>${escapeHtml(doc.info.title)} <small>${escapeHtml(doc.info.version)}</small></h1><p>${escapeHtml(doc.info.description ?? '')}</p><p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1)</p><table><tr><th>method</th><th>path</th><th>summary</th><th>answers</th></tr>${rows.join('')}</table></body></html>`;
}
