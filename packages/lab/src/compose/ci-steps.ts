/**
 * The faultline commands of the CI template (`chaos/ci/github-workflow.yml`), in its order. The
 * compose tests run exactly these (compose-engine.test.ts), and a test checks the template runs
 * nothing else, so the template is known to work.
 */
export const CI_STEPS = {
  setup: ['setup'],
  up: ['up', '--compose', '--detach', '--no-traffic'],
  status: ['status', '--compose'],
  smoke: ['load', 'smoke', '--compose'],
  audit: ['audit', '--compose'],
  down: ['down', '--compose', '--engine'],
} as const;
