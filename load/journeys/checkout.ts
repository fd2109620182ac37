import { check } from 'k6';
import exec from 'k6/execution';
import http from 'k6/http';
import { authHeaders, type Session } from '../lib/auth.ts';
import { API, cardToken } from '../lib/config.ts';

/** Put one product in the cart and check out with an idempotency key; 201 (done) or 202 (pending) both count. */
export function checkout(session: Session, productIds: string[]): void {
  const tags = { journey: 'checkout' };
  const productId = productIds[Math.floor(Math.random() * productIds.length)];
  if (!productId) return;
  const headers = authHeaders(session);
  const cart = http.put(`${API}/cart/items/${productId}`, JSON.stringify({ quantity: 1 }), { headers, tags: { ...tags, name: 'add to cart' } });
  check(cart, { 'added to cart (200)': (r) => r.status === 200 });
  const key = `k6-${__VU}-${__ITER}-${Date.now()}`;
  const card = cardToken(exec.instance.currentTestRunDuration / 1000);
  const order = http.post(`${API}/orders`, JSON.stringify({ cardToken: card }), {
    headers: { ...headers, 'idempotency-key': key },
    tags: { ...tags, name: 'place order' },
  });
  check(order, { 'order accepted (201/202)': (r) => r.status === 201 || r.status === 202 });
}
