/**
 * The one port table of the native lab. Every listener binds 127.0.0.1; every
 * port can be overridden with `FAULTLINE_PORT_<NAME>` (name upper-cased, `-` → `_`).
 * The README's port table is generated from this list (`faultline ports --markdown`).
 */
export interface PortSpec {
  readonly name: string;
  readonly port: number;
  readonly component: string;
  readonly protocol: 'tcp' | 'udp';
  readonly description: string;
}

export const PORT_TABLE = [
  { name: 'postgres', port: 17432, component: 'postgres', protocol: 'tcp', description: 'PostgreSQL' },
  { name: 'rabbitmq-amqp', port: 17672, component: 'rabbitmq', protocol: 'tcp', description: 'RabbitMQ AMQP 0-9-1' },
  { name: 'rabbitmq-management', port: 17673, component: 'rabbitmq', protocol: 'tcp', description: 'RabbitMQ management UI and HTTP API (guest/guest)' },
  { name: 'rabbitmq-prometheus', port: 17692, component: 'rabbitmq', protocol: 'tcp', description: 'RabbitMQ Prometheus metrics' },
  { name: 'rabbitmq-dist', port: 17671, component: 'rabbitmq', protocol: 'tcp', description: 'Erlang distribution of the RabbitMQ node' },
  { name: 'epmd', port: 17369, component: 'rabbitmq', protocol: 'tcp', description: 'Erlang port mapper for the private node' },
  { name: 'prometheus', port: 17090, component: 'prometheus', protocol: 'tcp', description: 'Prometheus UI, API and remote-write receiver' },
  { name: 'toxiproxy', port: 17474, component: 'toxiproxy', protocol: 'tcp', description: 'Toxiproxy API and /metrics' },
  {
    name: 'jaeger-query',
    port: 17686,
    component: 'jaeger',
    protocol: 'tcp',
    description: 'Jaeger query API (natively no UI: `faultline trace <id>`; the UI only in compose)',
  },
  { name: 'jaeger-query-grpc', port: 17685, component: 'jaeger', protocol: 'tcp', description: 'Jaeger query gRPC API' },
  { name: 'jaeger-otlp-grpc', port: 17317, component: 'jaeger', protocol: 'tcp', description: 'OTLP/gRPC trace receiver' },
  { name: 'jaeger-otlp-http', port: 17318, component: 'jaeger', protocol: 'tcp', description: 'OTLP/HTTP trace receiver (/v1/traces)' },
  { name: 'jaeger-thrift-http', port: 17268, component: 'jaeger', protocol: 'tcp', description: 'Jaeger Thrift over HTTP receiver (/api/traces)' },
  { name: 'jaeger-thrift-compact', port: 17831, component: 'jaeger', protocol: 'udp', description: 'Jaeger Thrift compact (agent) UDP receiver' },
  { name: 'jaeger-health', port: 17133, component: 'jaeger', protocol: 'tcp', description: 'Jaeger health check' },
  { name: 'jaeger-metrics', port: 17888, component: 'jaeger', protocol: 'tcp', description: "Jaeger's own Prometheus metrics" },
  { name: 'gateway', port: 17080, component: 'gateway', protocol: 'tcp', description: 'nginx gateway: /api/... to every service' },
  { name: 'user', port: 17101, component: 'services', protocol: 'tcp', description: 'user service' },
  { name: 'product', port: 17102, component: 'services', protocol: 'tcp', description: 'product service' },
  { name: 'order', port: 17103, component: 'services', protocol: 'tcp', description: 'order service' },
  { name: 'payment', port: 17104, component: 'services', protocol: 'tcp', description: 'payment service' },
  { name: 'notification', port: 17105, component: 'services', protocol: 'tcp', description: 'notification service' },
  { name: 'providers', port: 17106, component: 'services', protocol: 'tcp', description: 'providers (the outside world: card processor, message sink)' },
  {
    name: 'proxy-base',
    port: 17200,
    component: 'proxies',
    protocol: 'tcp',
    description: 'first Toxiproxy edge port; edges count up from here (`faultline edges` lists them)',
  },
] as const satisfies readonly PortSpec[];

export type PortName = (typeof PORT_TABLE)[number]['name'];
export type Ports = Readonly<Record<PortName, number>>;

/** The environment variable that overrides a port. */
export function portEnvVar(name: PortName): string {
  return `FAULTLINE_PORT_${name.toUpperCase().replaceAll('-', '_')}`;
}

/** The port table as a Markdown table (for the README). */
export function portsMarkdown(ports: Ports): string {
  const rows = PORT_TABLE.map(
    (p) => `| ${p.component} | ${p.description} | ${ports[p.name]}${p.protocol === 'udp' ? '/udp' : ''} | \`${portEnvVar(p.name)}\` |`,
  );
  return ['| component | what | port | override |', '|---|---|---|---|', ...rows].join('\n');
}
