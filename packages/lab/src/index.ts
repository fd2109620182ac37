export { type LabConfig, loadConfig, userPath } from './config.js';
export { LabError } from './errors.js';
export { fetchJson } from './fetch-json.js';
export { formatJson } from './format-json.js';
export { jaegerOtlpUrl, jaegerQueryUrl, jaegerThriftUrl } from './infra/components/jaeger.js';
export { postgresUrl } from './infra/components/postgres.js';
export { prometheusTargetsDir, prometheusUrl } from './infra/components/prometheus.js';
export { rabbitmqAuth, rabbitmqAuthOf, rabbitmqManagementUrl, rabbitmqUrl } from './infra/components/rabbitmq.js';
export { toxiproxyUrl } from './infra/components/toxiproxy.js';
export {
  type ActiveAlert,
  activeAlerts,
  alertKey,
  matchesAlert,
  promRangePoints,
  promScalar,
  promVector,
  reloadRules,
  withRange,
} from './infra/prometheus-api.js';
export { COMPONENTS, componentStatus, infraDown, infraStatus, infraUp, startComponent, stopComponent } from './infra/runtime.js';
export { addToxic, type EdgeState, edgeState, edgeStates, removeToxic, setEdgeEnabled, type ToxicSpec } from './infra/toxiproxy-client.js';
export { PORT_TABLE, type PortName, type Ports, portEnvVar } from './ports.js';
export { composeTarget } from './target/compose.js';
export { nativeTarget } from './target/native.js';
export { type AccessLogMark, type LabTarget, restartedServices } from './target/target.js';
export { binPath } from './toolchain/go-tools.js';
export { GO_TOOLS, PYTHON_TOOLS } from './toolchain/pins.js';
export { pythonToolPath } from './toolchain/python-tools.js';
export { type AuditReport, adminToken, audit, ordersPlacedBetween, refundRepeatedCharges, undoUncompensatedSagas } from './topology/audit.js';
export { type AuditedOrder, type AuditSnapshot, findViolations, type Violation } from './topology/audit-rules.js';
export { gateway, gatewayUrl } from './topology/gateway.js';
export { servicesDown, servicesStatus, servicesUp } from './topology/lab.js';
export { type LoadProfile, runLoad } from './topology/load.js';
export {
  allMechanisms,
  formatRef,
  knockoutValue,
  MECHANISM_NAMES,
  MECHANISMS,
  type Mechanism,
  type MechanismRef,
  parseRef,
  targetsOf,
} from './topology/mechanisms.js';
export { applyProxies, proxyConfig } from './topology/proxies.js';
export { type ServiceSettings, serviceComponent, serviceUrl } from './topology/services.js';
export { activeFaults, type MetricsSnapshot, metricsSnapshot, queueStates } from './topology/status.js';
export { edges, SERVICE_NAMES, SERVICES, type ServiceName } from './topology/topology.js';
