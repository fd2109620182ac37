import { type ProviderMessageRequest, providerMessageRequestSchema } from '@faultline/contracts';
import { serve } from '@faultline/lab/testing';

/** One request the stand-in received, with the headers that matter. */
export interface ReceivedMessage {
  message: ProviderMessageRequest;
  idempotencyKey: string | undefined;
}

/**
 * A minimal stand-in for the providers service's message sink, faithful to its contract:
 * POST /v1/messages with a `providerMessageRequestSchema` body answers 202; a resend with a known
 * `reference` is accepted again but delivered once. It can be told to fail with 503.
 */
export async function startProviderStandIn() {
  const received: ReceivedMessage[] = [];
  const delivered = new Map<string, ProviderMessageRequest>();
  let failures = 0;
  const script = { delayMs: 0 };

  const server = await serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const problem = (status: number, name: string, detail: string) => {
        res.writeHead(status, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ type: `urn:problem:${name}`, title: name, status, name, detail }));
      };
      if (req.method !== 'POST' || req.url !== '/v1/messages') return problem(404, 'route-not-found', `${req.method} ${req.url}`);
      if (script.delayMs > 0) return void setTimeout(() => respond(), script.delayMs);
      respond();
    });
    const respond = () => {
      const problem = (status: number, name: string, detail: string) => {
        res.writeHead(status, { 'content-type': 'application/problem+json' });
        res.end(JSON.stringify({ type: `urn:problem:${name}`, title: name, status, name, detail }));
      };
      if (failures !== 0) {
        failures -= 1;
        return problem(503, 'service-unavailable', 'the message sink is failing on purpose');
      }
      let json: unknown;
      try {
        json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return problem(400, 'malformed-json', 'the body is not JSON');
      }
      const parsed = providerMessageRequestSchema.safeParse(json);
      if (!parsed.success) return problem(400, 'validation-failed', parsed.error.message);
      const message = parsed.data;
      received.push({ message, idempotencyKey: req.headers['idempotency-key'] as string | undefined });
      if (!delivered.has(message.reference)) delivered.set(message.reference, message);
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ messageId: `msg_${message.reference}`, reference: message.reference, status: 'accepted' }));
    };
  });

  return {
    url: server.url,
    close: server.close,
    /** Every accepted request, resends included. */
    received,
    /** Answer every request only after `delayMs` (a slow provider). */
    script,
    /** Messages delivered, by reference (a resend is delivered once). */
    delivered,
    /** Answer the next `count` requests with 503 (Infinity: until told otherwise). */
    fail(count: number) {
      failures = count;
    },
    reset() {
      received.length = 0;
      delivered.clear();
      failures = 0;
      script.delayMs = 0;
    },
  };
}

export type ProviderStandIn = Awaited<ReturnType<typeof startProviderStandIn>>;
