import { LOG_INDEX, LOG_INDEX_PATTERN, LOG_TEMPLATE_NAME } from './log-index.js';
import { GENERATED_HEADER, IMAGES, PUBLISHED_PORTS, SERVICE_LOG_DIR, SERVICE_LOG_VOLUME } from './stack.js';

/**
 * The log pipeline of compose profile `elk`: the services' ECS files → Filebeat → Elasticsearch
 * (our index template) → Kibana (data view, saved searches). `elk-setup` installs the template
 * and the saved objects once both are up; Filebeat starts only after it, so no index is ever
 * created with guessed mappings.
 */

/** Where `compose/elk/` is mounted in the `elk-setup` container. */
export const ELK_MOUNT = '/elk';
/** Files of `compose/elk/`, relative to it. */
export const ELK_FILES = { template: 'index-template.json', savedObjects: 'kibana.ndjson', setup: 'setup.sh' } as const;

const ES_URL = `http://elasticsearch:${PUBLISHED_PORTS.elasticsearch}`;
const KIBANA_URL = `http://kibana:${PUBLISHED_PORTS.kibana}`;

/** The compose services of the `elk` profile. */
export function elkServices(): Record<string, unknown> {
  return {
    elasticsearch: {
      image: IMAGES.elasticsearch,
      profiles: ['elk'],
      environment: {
        'discovery.type': 'single-node',
        // A local lab: no TLS and no users, so Kibana, Filebeat and Grafana connect without secrets.
        // Hence the ports below are published on loopback only. Never do this outside a lab.
        'xpack.security.enabled': 'false',
        // A laptop's nearly full disk must not turn the log indices read-only.
        'cluster.routing.allocation.disk.threshold_enabled': 'false',
        ES_JAVA_OPTS: '-Xms512m -Xmx512m',
      },
      volumes: ['elasticsearch-data:/usr/share/elasticsearch/data'],
      ports: [`127.0.0.1:${PUBLISHED_PORTS.elasticsearch}:9200`],
      healthcheck: {
        test: ['CMD', 'curl', '-fsS', 'http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=5s'],
        interval: '10s',
        timeout: '10s',
        retries: 30,
      },
      mem_limit: '1g',
    },
    kibana: {
      image: IMAGES.kibana,
      profiles: ['elk'],
      environment: { ELASTICSEARCH_HOSTS: ES_URL, SERVER_PUBLICBASEURL: `http://localhost:${PUBLISHED_PORTS.kibana}` },
      ports: [`127.0.0.1:${PUBLISHED_PORTS.kibana}:5601`],
      depends_on: { elasticsearch: { condition: 'service_healthy' } },
      // /api/status answers 200 once Kibana is available (or degraded), 503 before.
      healthcheck: { test: ['CMD', 'curl', '-fsS', '-o', '/dev/null', 'http://127.0.0.1:5601/api/status'], interval: '10s', timeout: '10s', retries: 30 },
      mem_limit: '1g',
    },
    'elk-setup': {
      image: IMAGES.curl,
      profiles: ['elk'],
      entrypoint: ['/bin/sh', `${ELK_MOUNT}/${ELK_FILES.setup}`],
      environment: { ELASTICSEARCH_URL: ES_URL, KIBANA_URL },
      volumes: [`./elk:${ELK_MOUNT}:ro`],
      depends_on: { elasticsearch: { condition: 'service_healthy' }, kibana: { condition: 'service_started' } },
      restart: 'no',
      mem_limit: '64m',
    },
    filebeat: {
      image: IMAGES.filebeat,
      profiles: ['elk'],
      // Root reads the services' files whatever their owner; --strict.perms=false because the
      // bind-mounted config belongs to the host user, which Filebeat otherwise refuses. The image's
      // entrypoint runs `filebeat` with these flags (the first two are its default command).
      user: 'root',
      command: ['-environment', 'container', '--strict.perms=false'],
      volumes: [
        './filebeat.yml:/usr/share/filebeat/filebeat.yml:ro',
        `${SERVICE_LOG_VOLUME}:${SERVICE_LOG_DIR}:ro`,
        // The registry: a restarted Filebeat goes on where it stopped instead of shipping every line again.
        'filebeat-data:/usr/share/filebeat/data',
      ],
      depends_on: { 'elk-setup': { condition: 'service_completed_successfully' }, elasticsearch: { condition: 'service_healthy' } },
      mem_limit: '256m',
    },
  };
}

/** Volumes the `elk` services use. */
export const ELK_VOLUMES = ['elasticsearch-data', 'filebeat-data'] as const;

/** filebeat.yml: every service's file, parsed as ECS NDJSON, into the daily index our template covers. */
export function filebeatConfig(): Record<string, unknown> {
  return {
    'filebeat.inputs': [
      {
        type: 'filestream',
        id: 'faultline-services',
        paths: [`${SERVICE_LOG_DIR}/*.log`],
        // host.name would name Filebeat's container, not the service (service.name does).
        'publisher_pipeline.disable_host': true,
        parsers: [
          {
            ndjson: {
              target: '',
              overwrite_keys: true,
              // `log.level` and `ecs.version` become objects next to Filebeat's own log.* and ecs.*.
              expand_keys: true,
              add_error_key: true,
              message_key: 'message',
            },
          },
        ],
      },
    ],
    'output.elasticsearch': { hosts: [ES_URL], index: LOG_INDEX },
    // The template is ours (installed by elk-setup); no Filebeat template, no ILM, no data stream.
    'setup.template.enabled': false,
    // Filebeat insists on a template name and pattern whenever the index is not its default, even
    // with template set-up off; they name ours.
    'setup.template.name': LOG_TEMPLATE_NAME,
    'setup.template.pattern': LOG_INDEX_PATTERN,
    'setup.ilm.enabled': false,
  };
}

/** The script `elk-setup` runs (POSIX sh, curl only). Waits are bounded: it fails rather than hangs. */
export function elkSetupScript(): string {
  return `#!/bin/sh
${GENERATED_HEADER}# Installs the log index template before any index exists, then Kibana's data view and saved
# searches. Filebeat starts only after this exits 0. Safe to run again: both are overwritten.
set -eu
here=$(dirname "$0")
es=\${ELASTICSEARCH_URL:-${ES_URL}}
kibana=\${KIBANA_URL:-${KIBANA_URL}}
attempts=\${SETUP_ATTEMPTS:-90}

wait_for() {
  what=$1
  shift
  i=0
  until "$@"; do
    i=$((i + 1))
    if [ "$i" -ge "$attempts" ]; then
      echo "elk-setup: $what is not up after $attempts attempts" >&2
      exit 1
    fi
    sleep 2
  done
  echo "elk-setup: $what is up"
}
es_healthy() { curl -fsS -o /dev/null "$es/_cluster/health?wait_for_status=yellow&timeout=5s" 2>/dev/null; }
kibana_available() { curl -fsS -o /dev/null "$kibana/api/status" 2>/dev/null; }

wait_for Elasticsearch es_healthy
curl -sS --fail-with-body -X PUT "$es/_index_template/${LOG_TEMPLATE_NAME}" \\
  -H 'Content-Type: application/json' --data-binary "@$here/${ELK_FILES.template}"
echo
echo "elk-setup: index template ${LOG_TEMPLATE_NAME} installed"

wait_for Kibana kibana_available
# The import answers 200 with "success":false when an object is refused: read the body, not the status.
result=$(curl -sS --fail-with-body -X POST "$kibana/api/saved_objects/_import?overwrite=true" \\
  -H 'kbn-xsrf: faultline' --form "file=@$here/${ELK_FILES.savedObjects}") || true
case $result in
  *'"success":true'*) echo "elk-setup: Kibana saved objects imported" ;;
  *)
    echo "elk-setup: Kibana import failed: $result" >&2
    exit 1
    ;;
esac
`;
}
