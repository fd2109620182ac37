import type { RequestHandler } from 'express';
import { errors } from './errors.js';

/**
 * C0 control characters and DEL, except tab, line feed and carriage return (which free text may
 * carry). PostgreSQL refuses NUL in text, and none of them belongs in a name, an id or a query.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

export interface ControlCharacterIssue {
  in: 'path' | 'query' | 'body';
  /** Dotted path of the field (`items.0.name`); empty for the value itself. */
  path: string;
  message: string;
}

/** Every string (value or key) under `value` that holds a control character, with its dotted path. */
export function findControlCharacters(value: unknown, where: ControlCharacterIssue['in'], path: string[] = []): ControlCharacterIssue[] {
  const issue = (at: string[], what: string): ControlCharacterIssue => ({ in: where, path: at.join('.'), message: `${what} contains a control character` });
  if (typeof value === 'string') return CONTROL.test(value) ? [issue(path, 'the value')] : [];
  if (value === null || typeof value !== 'object') return [];
  const found: ControlCharacterIssue[] = [];
  for (const [key, child] of Object.entries(value)) {
    if (CONTROL.test(key)) found.push(issue([...path, key], 'the field name'));
    found.push(...findControlCharacters(child, where, [...path, key]));
  }
  return found;
}

/**
 * Refuses a request whose path parameters, query or JSON body carry a control character anywhere,
 * with 400 `validation-failed` naming each field — before authentication and validation, so no
 * route ever hands such a string to its store (where PostgreSQL would answer 500 for a NUL).
 */
export const refuseControlCharacters: RequestHandler = (req, _res, next) => {
  const issues = [...findControlCharacters(req.params, 'path'), ...findControlCharacters(req.query, 'query'), ...findControlCharacters(req.body, 'body')];
  if (issues.length === 0) return next();
  next(errors.validation(`invalid ${issues.map((i) => `${i.in} ${i.path || '(root)'}: ${i.message}`).join('; ')}`, issues));
};
