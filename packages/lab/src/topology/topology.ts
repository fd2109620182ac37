/**
 * The one topology of the shop: services, their ports and what each depends on. Everything else —
 * Toxiproxy proxies, service environment, Prometheus targets, gateway routes, compose files —
 * is generated from this, so the native lab and compose cannot drift.
 */
export const SERVICE_NAMES = ['user', 'product', 'order', 'payment', 'notification', 'providers'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface ServiceSpec {
  readonly name: ServiceName;
  /** Its own PostgreSQL database and role. */
  readonly database: boolean;
  /** Talks to RabbitMQ (publishes through its outbox and/or consumes). */
  readonly broker: boolean;
  /** Services it calls over HTTP, each through its own Toxiproxy edge. */
  readonly calls: readonly ServiceName[];
  /** Gateway path prefixes routed to it (`/api/<prefix>` → the service's `/v1/<prefix>`). */
  readonly routes: readonly string[];
  readonly description: string;
  /** The calls made under a resilience policy (timeout, retry, breaker, bulkhead): the knock-out targets. */
  readonly policies?: readonly ServiceName[];
  /** Dependencies whose failure the domain answers with a fallback (order accepts a checkout as pending). */
  readonly fallbacks?: readonly ServiceName[];
  /**
   * Dependencies whose keyed calls are retried under the same Idempotency-Key, where a new key would
   * visibly do the work twice (payment's charges at the card processor).
   */
  readonly keyed?: readonly ServiceName[];
  /** Message consumers, by purpose (queue `<service>.<purpose>`). */
  readonly consumers?: readonly string[];
  /** Publishes its events through the transactional outbox and its relay. */
  readonly outbox?: boolean;
  /** Runs sagas with compensations. */
  readonly sagas?: boolean;
}

export const SERVICES: Readonly<Record<ServiceName, ServiceSpec>> = {
  user: {
    name: 'user',
    database: true,
    broker: true,
    calls: [],
    outbox: true,
    routes: ['users', 'auth'],
    description: 'registration, login (RS256 JWT), profiles, roles, JWKS',
  },
  product: {
    name: 'product',
    database: true,
    broker: true,
    calls: ['user'],
    routes: ['products'],
    description: 'catalog and inventory reservations',
  },
  order: {
    name: 'order',
    database: true,
    broker: true,
    calls: ['product', 'payment', 'user'],
    policies: ['product', 'payment'],
    fallbacks: ['payment'],
    outbox: true,
    sagas: true,
    consumers: ['payments'],
    routes: ['cart', 'orders'],
    description: 'cart, checkout saga, event-sourced orders',
  },
  payment: {
    name: 'payment',
    database: true,
    broker: true,
    calls: ['providers', 'user'],
    policies: ['providers'],
    keyed: ['providers'],
    outbox: true,
    routes: ['payments/history', 'ledger'],
    description: 'charges, refunds, ledger',
  },
  notification: {
    name: 'notification',
    database: true,
    broker: true,
    calls: ['providers', 'user'],
    policies: ['providers'],
    consumers: ['events'],
    routes: ['notifications'],
    description: 'messages from domain events',
  },
  providers: { name: 'providers', database: true, broker: false, calls: [], routes: [], description: 'the outside world: card processor and message sink' },
};

export type EdgeTarget = ServiceName | 'postgres' | 'rabbitmq';
export type EdgeSource = ServiceName | 'gateway';

/** A network edge from a service (or the gateway) to a dependency; a Toxiproxy proxy named `<from>__<to>`. */
export interface Edge {
  readonly name: string;
  readonly from: EdgeSource;
  readonly to: EdgeTarget;
  /** Where the proxy listens (127.0.0.1). */
  readonly listenPort: number;
}

/** Every edge of the topology, in a stable order, with its proxy port counted up from `proxyBase`. */
export function edges(proxyBase: number): Edge[] {
  const list: Omit<Edge, 'listenPort'>[] = [];
  for (const name of SERVICE_NAMES) {
    const spec = SERVICES[name];
    for (const to of spec.calls) list.push({ name: `${name}__${to}`, from: name, to });
    if (spec.database) list.push({ name: `${name}__postgres`, from: name, to: 'postgres' });
    if (spec.broker) list.push({ name: `${name}__rabbitmq`, from: name, to: 'rabbitmq' });
  }
  // Ingress: the gateway reaches each public service through its own edge too.
  for (const name of SERVICE_NAMES) if (SERVICES[name].routes.length) list.push({ name: `gateway__${name}`, from: 'gateway', to: name });
  return list.map((edge, index) => ({ ...edge, listenPort: proxyBase + index }));
}

/** The edge `from__to`, or undefined when the topology has no such edge. */
export function edge(proxyBase: number, from: EdgeSource, to: EdgeTarget): Edge | undefined {
  return edges(proxyBase).find((e) => e.from === from && e.to === to);
}
