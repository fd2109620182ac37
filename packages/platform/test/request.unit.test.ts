import assert from 'node:assert/strict';
import type { Request } from 'express';
import { callerOf, idempotencyKeyOf, isAppError } from '../src/index.js';

const request = (headers: Record<string, string>, principal?: Request['principal']) =>
  ({ get: (name: string) => headers[name.toLowerCase()], principal }) as unknown as Request;

const problemName = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    return isAppError(error) ? `${error.status} ${error.errorName}` : 'not an AppError';
  }
  return undefined;
};

describe('request helpers', () => {
  it('idempotencyKeyOf: required, 1 to 255 characters, trimmed', () => {
    assert.equal(idempotencyKeyOf(request({ 'idempotency-key': '  order-1 ' })), 'order-1');
    assert.equal(idempotencyKeyOf(request({ 'idempotency-key': 'k'.repeat(255) })), 'k'.repeat(255));
    assert.equal(
      problemName(() => idempotencyKeyOf(request({}))),
      '400 idempotency-key-missing',
    );
    assert.equal(
      problemName(() => idempotencyKeyOf(request({ 'idempotency-key': '   ' }))),
      '400 idempotency-key-missing',
    );
    assert.equal(
      problemName(() => idempotencyKeyOf(request({ 'idempotency-key': 'k'.repeat(256) }))),
      '400 idempotency-key-invalid',
    );
    assert.equal(
      problemName(() => idempotencyKeyOf(request({ 'idempotency-key': 'caf\u00e9' }))),
      '400 idempotency-key-invalid',
      'printable ASCII only',
    );
  });

  it('callerOf: the verified principal, or 401', () => {
    const principal = { kind: 'user' as const, userId: 'u1', roles: [], scopes: [] };
    assert.equal(callerOf(request({}, principal)), principal);
    assert.equal(
      problemName(() => callerOf(request({}))),
      '401 unauthorized',
    );
  });
});
