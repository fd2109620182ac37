import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { serve } from '@faultline/lab/testing';

/** Small, contract-faithful stand-ins for product and payment: scriptable, and they record every call. */
export interface Call {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> | undefined;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
}

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

const problem = (res: ServerResponse, status: number, name: string, detail?: string) => {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: `https://faultline.dev/problems/${name}`, title: name, status, name, detail }));
};

async function standIn(handle: (call: Call, res: ServerResponse) => void | Promise<void>) {
  const calls: Call[] = [];
  const server = await serve((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const call: Call = { method: req.method ?? 'GET', path: `${url.pathname}${url.search}`, headers: req.headers, body: await readJson(req) };
      calls.push(call);
      await handle(call, res);
    })().catch(() => problem(res, 500, 'stand-in-failed'));
  });
  return { ...server, calls, callsTo: (method: string, pattern: RegExp) => calls.filter((c) => c.method === method && pattern.test(c.path)) };
}

export interface Line {
  productId: string;
  quantity: number;
  unitPrice: number;
}

/** product: reservations all-or-nothing and idempotent by id; commit and release idempotent. */
export async function productStandIn(catalog: Record<string, { stock: number; price: number }>) {
  const reservations = new Map<string, { reservationId: string; orderId: string; status: 'held' | 'committed' | 'released'; items: Line[] }>();
  const script = { down: false, refuseCommit: false };
  const server = await standIn((call, res) => {
    if (script.down) return problem(res, 503, 'service-unavailable');
    const action = call.path.match(/^\/v1\/reservations\/([^/]+)\/(commit|release)$/);
    if (call.method === 'POST' && call.path === '/v1/reservations') {
      const { reservationId, orderId, items } = call.body as { reservationId: string; orderId: string; items: { productId: string; quantity: number }[] };
      const existing = reservations.get(reservationId);
      if (existing) return json(res, 200, existing);
      for (const { productId, quantity } of items) {
        const product = catalog[productId];
        if (!product) return problem(res, 404, 'product-not-found', productId);
        if (product.stock < quantity) return problem(res, 409, 'out-of-stock', productId);
      }
      const priced = items.map(({ productId, quantity }) => {
        const product = catalog[productId] as { stock: number; price: number };
        product.stock -= quantity;
        return { productId, quantity, unitPrice: product.price };
      });
      const reservation = { reservationId, orderId, status: 'held' as const, items: priced };
      reservations.set(reservationId, reservation);
      return json(res, 201, reservation);
    }
    if (call.method === 'POST' && action) {
      const reservation = reservations.get(action[1] as string);
      if (!reservation) return problem(res, 404, 'reservation-not-found');
      if (action[2] === 'commit') {
        if (reservation.status === 'released' || script.refuseCommit) return problem(res, 409, 'reservation-expired');
        reservation.status = 'committed';
      } else if (reservation.status === 'held') {
        reservation.status = 'released';
        for (const line of reservation.items) (catalog[line.productId] as { stock: number }).stock += line.quantity;
      }
      return json(res, 200, reservation);
    }
    return problem(res, 404, 'route-not-found');
  });
  return { ...server, catalog, reservations, script };
}

type PaymentMode = 'capture' | 'decline' | 'unavailable' | 'slow' | 'hold';

/** payment: one charge per Idempotency-Key (the order id); GET ?orderId resolves unknown outcomes. */
export async function paymentStandIn() {
  const payments = new Map<string, Record<string, unknown>>();
  const script: { mode: PaymentMode; slowMs: number } = { mode: 'capture', slowMs: 1500 };
  const held: ServerResponse[] = [];
  const record = (body: Record<string, unknown>, status: 'captured' | 'declined') => {
    const payment = {
      paymentId: randomUUID(),
      ...body,
      status,
      createdAt: new Date().toISOString(),
      ...(status === 'declined' ? { declineReason: 'card declined' } : {}),
    };
    delete (payment as Record<string, unknown>).cardToken;
    payments.set(String(body.orderId), payment);
    return payment;
  };
  const server = await standIn(async (call, res) => {
    if (script.mode === 'unavailable') return problem(res, 503, 'processor-unavailable');
    const refund = call.path.match(/^\/v1\/payments\/([^/]+)\/refund$/);
    if (call.method === 'GET' && call.path.startsWith('/v1/payments?')) {
      const payment = payments.get(new URL(call.path, 'http://x').searchParams.get('orderId') ?? '');
      return payment ? json(res, 200, payment) : problem(res, 404, 'payment-not-found');
    }
    if (call.method === 'POST' && call.path === '/v1/payments') {
      const body = call.body as Record<string, unknown>;
      const existing = payments.get(String(call.headers['idempotency-key']));
      if (existing) return existing.status === 'declined' ? problem(res, 402, 'payment-declined') : json(res, 200, existing);
      if (script.mode === 'hold') return void held.push(res);
      if (script.mode === 'decline') {
        record(body, 'declined');
        return problem(res, 402, 'payment-declined', 'card declined');
      }
      const payment = record(body, 'captured');
      if (script.mode === 'slow') await new Promise((resolve) => setTimeout(resolve, script.slowMs));
      return json(res, 201, payment);
    }
    if (call.method === 'POST' && refund) {
      const payment = [...payments.values()].find((p) => p.paymentId === refund[1]);
      if (!payment) return problem(res, 404, 'payment-not-found');
      payment.status = 'refunded';
      return json(res, 200, payment);
    }
    return problem(res, 404, 'route-not-found');
  });
  /** Answer the held charges with 503 (nothing was recorded for them). */
  const releaseHeld = () => {
    for (const res of held.splice(0)) if (!res.writableEnded) problem(res, 503, 'processor-unavailable');
  };
  return { ...server, payments, script, releaseHeld, charges: () => server.callsTo('POST', /^\/v1\/payments$/) };
}
