import { type RuntimeConfig, runtimeConfigShape } from '@faultline/platform';

/** The providers' settings: a database only (no broker, no dependencies, no fault knobs — chaos comes through Toxiproxy). */
export const configShape = { ...runtimeConfigShape };

export type ProvidersConfig = RuntimeConfig;
