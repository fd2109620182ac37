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
  // The breaker verdicts against the stack: intact they pass, with the breaker knocked out they fail.
  prove: ['chaos', 'prove', 'payment-provider-outage', '--compose', '--scale', '0.9', '--only', 'breaker payment→providers'],
  audit: ['audit', '--compose'],
  down: ['down', '--compose', '--engine'],
} as const;

/** A step as the template's shell line writes it (an argument with a space in double quotes). */
export const ciCommand = (args: readonly string[]) => args.map((a) => (/\s/.test(a) ? `"${a}"` : a)).join(' ');
