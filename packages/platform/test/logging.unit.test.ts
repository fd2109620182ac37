import assert from 'node:assert/strict';
import { redactText } from '../src/index.js';
import { capturingLogger } from './support.js';

describe('structured logs', () => {
  it('writes one ECS JSON object per line with the service and the fields', () => {
    const { logger, lines } = capturingLogger('order');
    logger.info('order placed', { orderId: 'o-1', items: 2 });
    assert.equal(lines.length, 1);
    const line = lines[0] as Record<string, unknown>;
    assert.equal(line.message, 'order placed');
    assert.equal(line['log.level'], 'info');
    assert.deepEqual(line.service, { name: 'order' });
    assert.equal(line.orderId, 'o-1');
    assert.match(String(line['@timestamp']), /^\d{4}-\d\d-\d\dT/);
    assert.ok(line['ecs.version']);
  });

  it('never writes secrets or card numbers', () => {
    const { logger, raw } = capturingLogger('payment');
    const card = '4111 1111 1111 1111';
    logger.warn('charge attempt for card 4242424242424242 failed', {
      headers: { authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl', 'content-type': 'application/json' },
      user: { email: 'a@b.c', password: 'hunter2' },
      token: 'abc.def.ghi',
      cardNumber: card,
      note: `customer typed ${card} into the comment`,
      orderNumber: '1234567890123', // not Luhn-valid: an ordinary number stays
    });
    const text = raw.join('\n');
    for (const secret of ['hunter2', 'eyJhbGciOiJSUzI1NiJ9', 'abc.def.ghi', '4111 1111 1111 1111', '4242424242424242'])
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    assert.match(text, /\[REDACTED\]1111/);
    assert.match(text, /"content-type":"application\/json"/);
    assert.match(text, /1234567890123/);
  });

  it('masks bearer tokens and key=value secrets in free text', () => {
    assert.equal(redactText('sent Authorization: Bearer abc123.def'), 'sent Authorization: Bearer [REDACTED]');
    assert.equal(redactText('connect failed: password=hunter2 user=shop'), 'connect failed: password=[REDACTED] user=shop');
  });

  it('records errors under error.* without losing the message', () => {
    const { logger, lines } = capturingLogger();
    logger.error('request failed', { error: new Error('socket hang up') });
    const error = (lines[0] as { error: { type: string; message: string; stack_trace: string } }).error;
    assert.equal(error.type, 'Error');
    assert.equal(error.message, 'socket hang up');
    assert.match(error.stack_trace, /logging\.unit\.test\.ts/);
  });
});
