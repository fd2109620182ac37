import { SERVICE_CLIENTS } from '@faultline/contracts';
import { stringify } from 'yaml';
import type { LabConfig } from '../config.js';
import { formatJson } from '../format-json.js';
import { ADMIN_PASSWORD_VARIABLE, clientSecretVariable } from '../topology/admin.js';
import { JWT_AUDIENCE, JWT_ISSUER, LAB_AUTH_LIMIT_PER_ADDRESS } from '../topology/environment.js';
import { type Edge, edge, edges, SERVICE_NAMES, SERVICES, type ServiceName } from '../topology/topology.js';
import { composeReadme } from './docs.js';
import { ELK_FILES, ELK_VOLUMES, elkServices, elkSetupScript, filebeatConfig } from './elk.js';
import { grafanaDatasources } from './grafana.js';
import { kibanaNdjson } from './kibana.js';
import { logIndexTemplate } from './log-index.js';
import { OFFLINE_FILE, offlineComposeFile } from './offline.js';
import { GENERATED_HEADER, IMAGES, PUBLISHED_PORTS as PORTS, SERVICE_LOG_DIR, SERVICE_LOG_VOLUME } from './stack.js';

const upstreamHost = (e: Edge, cfg: LabConfig) =>
  e.to === 'postgres' ? 'postgres:5432' : e.to === 'rabbitmq' ? 'rabbitmq:5672' : `${e.to}:${cfg.ports[e.to as ServiceName]}`;

/** Toxiproxy's `-config` file for compose: every edge listening on all interfaces of the container. */
export function composeProxies(cfg: LabConfig) {
  return edges(cfg.ports['proxy-base']).map((e) => ({ name: e.name, listen: `0.0.0.0:${e.listenPort}`, upstream: upstreamHost(e, cfg), enabled: true }));
}

export function serviceEnv(cfg: LabConfig, name: ServiceName): Record<string, string> {
  const spec = SERVICES[name];
  const via = (to: Parameters<typeof edge>[2]) => edge(cfg.ports['proxy-base'], name, to)?.listenPort;
  const env: Record<string, string> = {
    SERVICE_NAME: name,
    HOST: '0.0.0.0',
    PORT: String(cfg.ports[name]),
    RESILIENCE_MODE: '${RESILIENCE_MODE:-on}',
    OTEL_SERVICE_NAME: name,
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://jaeger:4318',
    JWT_ISSUER,
    JWT_AUDIENCE,
  };
  if (spec.database) env.DATABASE_URL = `postgres://${name}:${name}-password@toxiproxy:${via('postgres')}/${name}`;
  if (spec.broker) env.AMQP_URL = `amqp://faultline:faultline@toxiproxy:${via('rabbitmq')}`;
  for (const dependency of spec.calls) env[`${dependency.toUpperCase()}_URL`] = `http://toxiproxy:${via(dependency)}`;
  if (spec.calls.includes('user')) env.JWKS_URL = `http://toxiproxy:${via('user')}/.well-known/jwks.json`;
  if (name === 'user') Object.assign(env, { ADMIN_EMAIL: 'admin@faultline.test', ADMIN_PASSWORD: `\${${ADMIN_PASSWORD_VARIABLE}:-change-me-please}` });
  // Service credentials: faultline passes the lab's own (labSecretsEnv); by hand, set FAULTLINE_CLIENT_SECRET_<CLIENT> (16+ characters).
  const secret = (client: string) => `\${${clientSecretVariable(client)}:-${client}-client-change-me}`;
  if (name === 'user')
    Object.assign(env, {
      SERVICE_CLIENTS: JSON.stringify(Object.fromEntries(SERVICE_CLIENTS.map((client) => [client, secret(client)]))),
      // Every request reaches the services from the gateway's container address.
      AUTH_LIMIT_PER_ADDRESS: `\${FAULTLINE_AUTH_LIMIT_PER_ADDRESS:-${LAB_AUTH_LIMIT_PER_ADDRESS}}`,
    });
  if ((SERVICE_CLIENTS as readonly string[]).includes(name) && spec.calls.includes('user'))
    Object.assign(env, { SERVICE_TOKEN_URL: `http://toxiproxy:${via('user')}/v1/oauth/token`, SERVICE_CLIENT_SECRET: secret(name) });
  return env;
}

// mem_limit: honoured by docker-compose v1 and by docker compose v2 alike.
const limits = (memory: string) => ({ mem_limit: memory });

/**
 * docker-compose.yml as an object, from the same topology as the native lab: every service reaches
 * its database, RabbitMQ and the services it calls through the `toxiproxy` container, on the same
 * edge names and ports as natively. The log pipeline (profile `elk`) is in elk.ts.
 */
export function composeFile(cfg: LabConfig): Record<string, unknown> {
  const services: Record<string, unknown> = {
    postgres: {
      image: IMAGES.postgres,
      environment: { POSTGRES_PASSWORD: '${POSTGRES_PASSWORD:-faultline}' },
      volumes: ['./postgres-init.sql:/docker-entrypoint-initdb.d/init.sql:ro', 'postgres-data:/var/lib/postgresql/data'],
      healthcheck: { test: ['CMD', 'pg_isready', '-U', 'postgres'], interval: '5s', retries: 20 },
      ...limits('512m'),
    },
    rabbitmq: {
      image: IMAGES.rabbitmq,
      environment: { RABBITMQ_DEFAULT_USER: 'faultline', RABBITMQ_DEFAULT_PASS: 'faultline' },
      volumes: ['./rabbitmq-plugins:/etc/rabbitmq/enabled_plugins:ro'],
      ports: [`${PORTS.rabbitmq}:15672`],
      healthcheck: { test: ['CMD', 'rabbitmq-diagnostics', '-q', 'ping'], interval: '10s', retries: 20 },
      ...limits('512m'),
    },
    toxiproxy: {
      image: IMAGES.toxiproxy,
      command: ['-host=0.0.0.0', '-config=/config/toxiproxy.json', '-proxy-metrics', '-runtime-metrics'],
      volumes: ['./toxiproxy.json:/config/toxiproxy.json:ro'],
      ports: [`${PORTS.toxiproxy}:8474`],
      ...limits('256m'),
    },
    jaeger: { image: IMAGES.jaeger, ports: [`${PORTS.jaeger}:16686`], ...limits('512m') },
    prometheus: {
      image: IMAGES.prometheus,
      command: ['--config.file=/etc/prometheus/prometheus.yml', '--web.enable-remote-write-receiver', '--enable-feature=exemplar-storage'],
      volumes: ['./prometheus.yml:/etc/prometheus/prometheus.yml:ro', '../dashboards/prometheus:/etc/prometheus/rules:ro'],
      ports: [`${PORTS.prometheus}:9090`],
      ...limits('512m'),
    },
    grafana: {
      image: IMAGES.grafana,
      environment: { GF_AUTH_ANONYMOUS_ENABLED: 'true', GF_AUTH_ANONYMOUS_ORG_ROLE: 'Admin' },
      volumes: ['./grafana/provisioning:/etc/grafana/provisioning:ro', '../dashboards:/var/lib/grafana/dashboards:ro'],
      ports: [`${PORTS.grafana}:3000`],
      ...limits('256m'),
    },
    kong: {
      image: IMAGES.kong,
      environment: { KONG_DATABASE: 'off', KONG_DECLARATIVE_CONFIG: '/kong/kong.yml', KONG_PROXY_LISTEN: '0.0.0.0:8000', KONG_ADMIN_LISTEN: '0.0.0.0:8001' },
      volumes: ['./kong.yml:/kong/kong.yml:ro'],
      ports: [`${PORTS.gateway}:8000`],
      ...limits('512m'),
    },
    ...elkServices(),
    k6: {
      image: IMAGES.k6,
      profiles: ['load'],
      // k6 runs the TypeScript suite natively; the profile is chosen by K6_PROFILE (ambient by default).
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own variable syntax
      command: ['run', '--out', 'experimental-prometheus-rw', '--tag', 'profile=${K6_PROFILE:-ambient}', '/load/shop.ts'],
      environment: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own variable syntax
        PROFILE: '${K6_PROFILE:-ambient}',
        K6_PROMETHEUS_RW_SERVER_URL: 'http://prometheus:9090/api/v1/write',
        K6_PROMETHEUS_RW_TREND_STATS: 'p(50),p(95),p(99),max',
        // k6 shares Kong's network namespace: the load still targets a loopback address only.
        BASE_URL: 'http://127.0.0.1:8000',
      },
      network_mode: 'service:kong',
      volumes: ['../load:/load:ro'],
      ...limits('512m'),
    },
  };
  for (const name of SERVICE_NAMES) {
    services[name] = {
      build: { context: '..', dockerfile: 'compose/Dockerfile', args: { SERVICE: name } },
      environment: { ...serviceEnv(cfg, name), LOG_FILE: `${SERVICE_LOG_DIR}/${name}.log` },
      volumes: [`${SERVICE_LOG_VOLUME}:${SERVICE_LOG_DIR}`],
      depends_on: {
        toxiproxy: { condition: 'service_started' },
        postgres: { condition: 'service_healthy' },
        ...(SERVICES[name].broker ? { rabbitmq: { condition: 'service_healthy' } } : {}),
      },
      healthcheck: {
        test: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${cfg.ports[name]}/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`],
        interval: '5s',
        retries: 30,
      },
      ...limits('384m'),
    };
  }
  const volumes = Object.fromEntries(['postgres-data', SERVICE_LOG_VOLUME, ...ELK_VOLUMES].map((volume) => [volume, {}]));
  return { services, volumes };
}

/** Kong DB-less declarative config: the same public routes as the native gateway. */
export function kongConfig(cfg: LabConfig): Record<string, unknown> {
  const services = SERVICE_NAMES.flatMap((name) =>
    SERVICES[name].routes.map((prefix) => ({
      name: `${name}-${prefix.replaceAll('/', '-')}`,
      // Kong strips the matched /api/<prefix> and appends the rest to this path.
      url: `http://toxiproxy:${edge(cfg.ports['proxy-base'], 'gateway', name)?.listenPort}/v1/${prefix}`,
      routes: [{ name: `${name}-${prefix.replaceAll('/', '-')}`, paths: [`/api/${prefix}`], strip_path: true }],
    })),
  );
  return {
    _format_version: '3.0',
    services,
    plugins: [
      { name: 'correlation-id', config: { header_name: 'X-Request-Id', generator: 'uuid', echo_downstream: true } },
      { name: 'rate-limiting', config: { second: 2000, policy: 'local' } },
    ],
  };
}

/** Prometheus config for compose: services, RabbitMQ, Toxiproxy, Jaeger. */
export function composePrometheus(cfg: LabConfig): Record<string, unknown> {
  return {
    global: { scrape_interval: '5s', evaluation_interval: '5s' },
    rule_files: ['/etc/prometheus/rules/*.yml'],
    scrape_configs: [
      { job_name: 'faultline', static_configs: SERVICE_NAMES.map((n) => ({ targets: [`${n}:${cfg.ports[n]}`], labels: { service: n } })) },
      { job_name: 'rabbitmq', static_configs: [{ targets: ['rabbitmq:15692'] }] },
      { job_name: 'toxiproxy', static_configs: [{ targets: ['toxiproxy:8474'] }] },
      { job_name: 'jaeger', static_configs: [{ targets: ['jaeger:8888'] }] },
    ],
  };
}

/** Roles and databases for compose's PostgreSQL (the native lab provisions the same at start). */
export function postgresInit(): string {
  return `${SERVICE_NAMES.filter((n) => SERVICES[n].database)
    .map(
      (n) =>
        `CREATE ROLE "${n}" LOGIN PASSWORD '${n}-password';\nCREATE DATABASE "${n}" OWNER "${n}";\nREVOKE CONNECT, TEMPORARY ON DATABASE "${n}" FROM PUBLIC;`,
    )
    .join('\n')}\n`;
}

/** Every generated compose file: path relative to `compose/` → content. */
export function composeFiles(cfg: LabConfig): Record<string, string> {
  return {
    // YAML 1.1 rules, as compose reads them: `off` and `on` get quoted instead of becoming booleans.
    'docker-compose.yml': GENERATED_HEADER + stringify(composeFile(cfg), { version: '1.1' }),
    [OFFLINE_FILE]: GENERATED_HEADER + stringify(offlineComposeFile(cfg), { version: '1.1' }),
    'toxiproxy.json': formatJson(composeProxies(cfg)),
    'kong.yml': GENERATED_HEADER + stringify(kongConfig(cfg), { version: '1.1' }),
    'prometheus.yml': GENERATED_HEADER + stringify(composePrometheus(cfg)),
    'postgres-init.sql': `-- generated from the topology; do not edit\n${postgresInit()}`,
    'rabbitmq-plugins': '[rabbitmq_management,rabbitmq_prometheus].\n',
    'filebeat.yml': GENERATED_HEADER + stringify(filebeatConfig()),
    [`elk/${ELK_FILES.template}`]: formatJson(logIndexTemplate()),
    [`elk/${ELK_FILES.savedObjects}`]: kibanaNdjson(),
    [`elk/${ELK_FILES.setup}`]: elkSetupScript(),
    'grafana/provisioning/datasources/datasources.yml': GENERATED_HEADER + stringify(grafanaDatasources()),
    'README.md': composeReadme(),
  };
}
