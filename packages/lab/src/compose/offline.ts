import type { LabConfig } from '../config.js';
import { IMAGE_SPECS, imageTag } from '../images/specs.js';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../topology/topology.js';
import { serviceEnv } from './generate.js';
import { CONTAINER_PORTS } from './offline-configs.js';
import { OFFLINE_PUBLISHED, OFFLINE_SERVICE_PORT_BASE, SERVICE_LOG_DIR, SERVICE_LOG_VOLUME } from './stack.js';

/** The compose project name of the offline stack (containers, network and volumes carry it). */
export const OFFLINE_PROJECT = 'faultline';
export const OFFLINE_FILE = 'docker-compose.offline.yml';

const image = (cfg: LabConfig, name: string) => {
  const spec = IMAGE_SPECS.find((s) => s.name === name);
  if (!spec) throw new Error(`no image ${name}`);
  return imageTag(cfg, spec);
};
const curlCheck = (url: string, interval = '3s') => ({ test: ['CMD', 'curl', '-fsS', '-o', '/dev/null', url], interval, timeout: '3s', retries: 60 });
/** Published on the host's loopback only. */
const publish = (host: number, container: number) => [`127.0.0.1:${host}:${container}`];
const limits = (memory: string) => ({ mem_limit: memory });

/** Every service and the host port its own port is published on (see {@link OFFLINE_SERVICE_PORT_BASE}). */
export function publishedServices(cfg: LabConfig): { service: ServiceName; hostPort: number; port: number }[] {
  return SERVICE_NAMES.map((service, i) => ({ service, hostPort: OFFLINE_SERVICE_PORT_BASE + i, port: cfg.ports[service] }));
}

/**
 * The offline variant of the compose stack, from the same topology as docker-compose.yml, on the
 * images `faultline images build` makes here. Grafana, Kong and the ELK pipeline cannot be built
 * without a registry, so they are left out; nginx stands in for Kong. The gateway, the UIs, the
 * Toxiproxy API and each service's own port are published, on 127.0.0.1 only.
 */
export function offlineComposeFile(cfg: LabConfig): Record<string, unknown> {
  const services: Record<string, unknown> = {
    postgres: {
      image: image(cfg, 'postgres'),
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own variable syntax
      environment: { POSTGRES_PASSWORD: '${POSTGRES_PASSWORD:-faultline}' },
      volumes: ['./postgres-init.sql:/docker-entrypoint-initdb.d/init.sql:ro', 'postgres-data:/var/lib/postgresql/data'],
      healthcheck: { test: ['CMD', 'pg_isready', '-h', '127.0.0.1', '-U', 'postgres'], interval: '2s', timeout: '3s', retries: 60 },
      ...limits('512m'),
    },
    rabbitmq: {
      image: image(cfg, 'rabbitmq'),
      ports: publish(OFFLINE_PUBLISHED.rabbitmq, CONTAINER_PORTS['rabbitmq-management']),
      healthcheck: { test: ['CMD', 'rabbitmq-diagnostics', '-q', 'check_port_connectivity'], interval: '5s', timeout: '10s', retries: 60 },
      ...limits('512m'),
    },
    toxiproxy: {
      image: image(cfg, 'toxiproxy'),
      command: ['-host=0.0.0.0', '-config=/config/toxiproxy.json', '-proxy-metrics', '-runtime-metrics'],
      volumes: ['./toxiproxy.json:/config/toxiproxy.json:ro'],
      ports: publish(OFFLINE_PUBLISHED.toxiproxy, CONTAINER_PORTS.toxiproxy),
      healthcheck: curlCheck(`http://127.0.0.1:${CONTAINER_PORTS.toxiproxy}/version`),
      ...limits('256m'),
    },
    jaeger: {
      image: image(cfg, 'jaeger'),
      ports: publish(OFFLINE_PUBLISHED.jaeger, CONTAINER_PORTS.jaeger),
      healthcheck: curlCheck(`http://127.0.0.1:${CONTAINER_PORTS['jaeger-health']}/status`),
      ...limits('512m'),
    },
    prometheus: {
      image: image(cfg, 'prometheus'),
      ports: publish(OFFLINE_PUBLISHED.prometheus, CONTAINER_PORTS.prometheus),
      healthcheck: curlCheck(`http://127.0.0.1:${CONTAINER_PORTS.prometheus}/-/ready`),
      ...limits('512m'),
    },
    gateway: {
      image: image(cfg, 'gateway'),
      ports: publish(OFFLINE_PUBLISHED.gateway, CONTAINER_PORTS.gateway),
      depends_on: { toxiproxy: { condition: 'service_healthy' } },
      healthcheck: curlCheck(`http://127.0.0.1:${CONTAINER_PORTS.gateway}/health`),
      ...limits('128m'),
    },
    k6: {
      image: image(cfg, 'k6'),
      profiles: ['load'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own variable syntax
      command: ['run', '--quiet', '--no-color', '--out', 'experimental-prometheus-rw', '--tag', 'profile=${K6_PROFILE:-ambient}', '/load/shop.ts'],
      environment: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own variable syntax
        PROFILE: '${K6_PROFILE:-ambient}',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own variable syntax
        DURATION_SCALE: '${K6_DURATION_SCALE:-1}',
        // k6 shares the gateway's network namespace: the load still targets a loopback address only.
        BASE_URL: `http://127.0.0.1:${CONTAINER_PORTS.gateway}`,
        K6_PROMETHEUS_RW_SERVER_URL: `http://prometheus:${CONTAINER_PORTS.prometheus}/api/v1/write`,
        K6_PROMETHEUS_RW_TREND_STATS: 'p(50),p(95),p(99),max',
        K6_PROMETHEUS_RW_PUSH_INTERVAL: '5s',
      },
      network_mode: 'service:gateway',
      depends_on: { gateway: { condition: 'service_healthy' } },
      ...limits('512m'),
    },
  };
  for (const { service: name, hostPort } of publishedServices(cfg)) {
    services[name] = {
      image: image(cfg, 'service'),
      environment: {
        SERVICE: name,
        ...serviceEnv(cfg, name),
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://jaeger:${CONTAINER_PORTS['jaeger-otlp-http']}`,
        LOG_FILE: `${SERVICE_LOG_DIR}/${name}.log`,
      },
      volumes: [`${SERVICE_LOG_VOLUME}:${SERVICE_LOG_DIR}`],
      ports: publish(hostPort, cfg.ports[name]),
      depends_on: {
        toxiproxy: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
        jaeger: { condition: 'service_healthy' },
        ...(SERVICES[name].broker ? { rabbitmq: { condition: 'service_healthy' } } : {}),
      },
      healthcheck: curlCheck(`http://127.0.0.1:${cfg.ports[name]}/health/ready`, '2s'),
      ...limits('384m'),
    };
  }
  return { services, volumes: { 'postgres-data': {}, [SERVICE_LOG_VOLUME]: {} } };
}
