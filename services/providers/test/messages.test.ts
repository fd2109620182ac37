import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { postJson, startProviders } from './support.js';

interface Message {
  messageId: string;
  channel: string;
  to: string;
  subject?: string;
  body: string;
  reference: string;
  createdAt: string;
}

describe('providers: the message sink', () => {
  let providers: Awaited<ReturnType<typeof startProviders>>;
  before(async () => {
    providers = await startProviders();
  });
  after(() => providers?.stop());

  const send = (body: Record<string, unknown>) => postJson(`${providers.url}/v1/messages`, body);
  const read = async (query: string) => ((await (await fetch(`${providers.url}/v1/messages?${query}`)).json()) as { items: Message[] }).items;

  it('accepts a message (202) and reads it back by recipient and by reference', async () => {
    const to = `ada-${randomUUID()}@example.test`;
    const reference = `order-${randomUUID()}`;
    const accepted = await send({ channel: 'email', to, subject: 'Your order', body: 'Thanks!', reference });
    assert.equal(accepted.status, 202);
    const { messageId } = (await accepted.json()) as { messageId: string };
    assert.match(messageId, /^msg_/);

    const [byRecipient] = await read(`to=${encodeURIComponent(to)}`);
    assert.deepEqual(
      { ...byRecipient, createdAt: 'x' },
      { messageId, channel: 'email', to, subject: 'Your order', body: 'Thanks!', reference, createdAt: 'x' },
    );
    assert.deepEqual(
      (await read(`reference=${reference}`)).map((m) => m.messageId),
      [messageId],
    );
  });

  it('is idempotent by reference, recipient and channel: a resend returns the first message id', async () => {
    const to = `+4930${Math.floor(Math.random() * 1e7)}`;
    const reference = `order-${randomUUID()}`;
    const message = { channel: 'sms', to, body: 'Shipped', reference };
    const first = (await (await send(message)).json()) as { messageId: string };
    const again = await send(message);
    assert.equal(again.status, 202);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await again.json(), first);
    const other = (await (await send({ ...message, channel: 'email', to: 'x@example.test' })).json()) as { messageId: string };
    assert.notEqual(other.messageId, first.messageId);
    assert.equal((await read(`reference=${reference}&to=${encodeURIComponent(to)}`)).length, 1);
  });

  it('reads back newest first, at most `limit`', async () => {
    const to = `many-${randomUUID()}@example.test`;
    for (const n of [1, 2, 3]) await send({ channel: 'email', to, body: `message ${n}`, reference: `ref-${n}-${randomUUID()}` });
    assert.deepEqual(
      (await read(`to=${encodeURIComponent(to)}&limit=2`)).map((m) => m.body),
      ['message 3', 'message 2'],
    );
  });

  it('refuses an invalid message, naming the field', async () => {
    const refused = await send({ channel: 'pigeon', to: 'someone@example.test', body: 'hi', reference: 'r' });
    assert.equal(refused.status, 400);
    assert.match(((await refused.json()) as { detail: string }).detail, /channel/);
  });
});
