export type { ExpectationResult, Journal } from './journal.js';
export { ExperimentFileError, experimentsDir, loadExperiments, parseExperiment } from './load-file.js';
export { plan, type RunOptions, runExperiment, scaled } from './runner.js';
export { type Expectation, type Experiment, experimentSchema, type Fault } from './schema.js';
