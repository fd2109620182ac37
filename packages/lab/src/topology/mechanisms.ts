import { LabError } from '../errors.js';
import { SERVICE_NAMES, SERVICES, type ServiceName } from './topology.js';

/**
 * The resilience mechanisms a service can have, and what each one belongs to. The platform's
 * `FAULTLINE_KNOCKOUT` accepts exactly these (a test keeps the two lists equal).
 */
export const MECHANISMS = {
  breaker: 'dependency',
  retry: 'dependency',
  timeout: 'dependency',
  bulkhead: 'dependency',
  fallback: 'dependency',
  'idempotency-key': 'dependency',
  'dead-letter': 'consumer',
  idempotency: 'consumer',
  outbox: 'relay',
  compensation: 'saga',
} as const;

export type Mechanism = keyof typeof MECHANISMS;
export const MECHANISM_NAMES = Object.keys(MECHANISMS) as Mechanism[];

/** One mechanism of one service's dependency, consumer, relay or saga: `bulkhead order→product`, `outbox order`. */
export interface MechanismRef {
  readonly mechanism: Mechanism;
  readonly service: ServiceName;
  /** The dependency or consumer purpose; `relay` for the outbox, `saga` for compensation. */
  readonly target: string;
}

/** `bulkhead order→product`, `dead-letter notification→events`, `outbox order`, `compensation order`. */
export function formatRef(ref: MechanismRef): string {
  const kind = MECHANISMS[ref.mechanism];
  return kind === 'relay' || kind === 'saga' ? `${ref.mechanism} ${ref.service}` : `${ref.mechanism} ${ref.service}→${ref.target}`;
}

/** The targets `service` has for `mechanism`, from the topology. */
export function targetsOf(mechanism: Mechanism, service: ServiceName): string[] {
  const spec = SERVICES[service];
  switch (MECHANISMS[mechanism]) {
    case 'dependency':
      if (mechanism === 'fallback') return [...(spec.fallbacks ?? [])];
      if (mechanism === 'idempotency-key') return [...(spec.keyed ?? [])];
      return [...(spec.policies ?? [])];
    case 'consumer':
      return [...(spec.consumers ?? [])];
    case 'relay':
      return spec.outbox ? ['relay'] : [];
    case 'saga':
      return spec.sagas ? ['saga'] : [];
  }
}

/** Every mechanism of every service in the topology. */
export const allMechanisms = (): MechanismRef[] =>
  SERVICE_NAMES.flatMap((service) => MECHANISM_NAMES.flatMap((mechanism) => targetsOf(mechanism, service).map((target) => ({ mechanism, service, target }))));

const REF = /^([a-z-]+)\s+([a-z]+)(?:\s*(?:→|->)\s*([a-z][a-z0-9-]*))?$/;

/** Parse and check a reference against the topology; the error says what exists. */
export function parseRef(text: string): MechanismRef {
  const match = REF.exec(text.trim());
  const example = 'e.g. "bulkhead order→product", "dead-letter notification→events", "outbox order"';
  if (!match) throw new LabError(`"${text}" is not a mechanism reference`, { hint: `write <mechanism> <service>[→<target>], ${example}` });
  const [, mechanism = '', service = '', given] = match;
  if (!(mechanism in MECHANISMS)) throw new LabError(`unknown mechanism "${mechanism}" in "${text}"`, { hint: `choose from ${MECHANISM_NAMES.join(', ')}` });
  if (!SERVICE_NAMES.includes(service as ServiceName))
    throw new LabError(`unknown service "${service}" in "${text}"`, { hint: `choose from ${SERVICE_NAMES.join(', ')}` });
  const m = mechanism as Mechanism;
  const targets = targetsOf(m, service as ServiceName);
  const kind = MECHANISMS[m];
  const target = given ?? (kind === 'relay' || kind === 'saga' ? kind : '');
  if (!targets.includes(target))
    throw new LabError(`${service} has no ${m} ${given ? `for "${given}"` : `(name its ${kind})`} in the topology`, {
      hint: targets.length
        ? `its ${kind}s with a ${m}: ${targets.join(', ')}`
        : `${service} has no ${m}; mechanisms of the shop: ${allMechanisms().map(formatRef).join(', ')}`,
    });
  return { mechanism: m, service: service as ServiceName, target };
}

/** The service's `FAULTLINE_KNOCKOUT` value for a reference. */
export const knockoutValue = (ref: MechanismRef) => `${ref.mechanism}:${ref.target}`;
