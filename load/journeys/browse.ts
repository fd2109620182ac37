import { check } from 'k6';
import http from 'k6/http';
import { API, RUN_HEADERS } from '../lib/config.ts';

const SEARCHES = ['mug', 'backpack', 'plush', 'breaker', 'retry'];

/** Browse the catalog: a page, a search, one product. Returns the product ids seen. */
export function browse(): string[] {
  const tags = { journey: 'browse' };
  const page = http.get(`${API}/products?limit=12`, { headers: RUN_HEADERS, tags: { ...tags, name: 'list products' } });
  check(page, { 'catalog page (200)': (r) => r.status === 200 });
  const query = SEARCHES[Math.floor(Math.random() * SEARCHES.length)];
  const search = http.get(`${API}/products?limit=12&q=${encodeURIComponent(query ?? '')}`, {
    headers: RUN_HEADERS,
    tags: { ...tags, name: 'search products' },
  });
  check(search, { 'search (200)': (r) => r.status === 200 });
  const items = (page.json('items') as { id: string }[] | undefined) ?? [];
  const first = items[Math.floor(Math.random() * Math.max(1, items.length))];
  if (first) {
    const one = http.get(`${API}/products/${first.id}`, { headers: RUN_HEADERS, tags: { ...tags, name: 'get product' } });
    check(one, { 'product (200)': (r) => r.status === 200 });
  }
  return items.map((i) => i.id);
}
