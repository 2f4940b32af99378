/**
 * The sandbox's one entry: nothing outside main/sandbox/ imports any other module of it (a lint
 * rule checks; unit tests of its internals under test/unit/sandbox are the exception). Two ways
 * in, for two kinds of caller:
 *
 * - `startDefaultSandbox`: the product's (main/services.ts), where there is no kubeconfig. Its
 *   handle is a kubeconfig path and stop(), nothing more: the app cannot reach the fault hooks.
 *   The product loads this module only then, with a dynamic import; in the desktop bundle it is
 *   dist/main/sandbox.cjs, apart from main.cjs (scripts/build-main.mjs).
 * - `startSandbox`: tests, the bench and the CLI (cli.ts). Its handle carries the fault hooks:
 *   `faults`, `triggerOom`, `scrapeMetrics`, `restart`.
 */
export { startSandbox, type Sandbox, type SandboxOptions } from './sandbox-cluster';
export type { SandboxFaults } from './faults';
export { startDefaultSandbox, type DefaultSandbox } from './default-sandbox';
