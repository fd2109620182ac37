/**
 * Every pinned version of the lab's toolchain, in one place.
 *
 * Go tools are built from their modules into `.tools/bin`:
 * - `install`: `go install module/package@version`;
 * - `copy`: the module is downloaded with `go mod download`, copied and built from that copy —
 *   for modules `go install` refuses (a replace directive in go.mod) or cannot resolve.
 */
export interface GoToolPin {
  /** Short name used in messages and stamp files. */
  readonly name: string;
  readonly module: string;
  readonly version: string;
  readonly method: 'install' | 'copy';
  /** Package path inside the module → binary name in `.tools/bin`. */
  readonly binaries: Readonly<Record<string, string>>;
  /** Why this version (and method), for the next person who bumps it. */
  readonly note: string;
}

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
