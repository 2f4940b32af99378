import path from 'node:path';
import { parseArgs } from 'node:util';

/** The command line of browser mode, checked before anything starts. */

export const USAGE =
  'Usage: npm run web -- [--port P] [--kubeconfig PATH] [--context NAME] [--data-dir DIR]';

export interface WebArgs {
  port: number;
  kubeconfigPath?: string;
  context?: string;
  dataDir?: string;
  help: boolean;
}

export class UsageError extends Error {}

export function parseWebArgs(argv: string[]): WebArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  let port = 0;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(values.port) || port > 65535) {
      throw new UsageError(`--port must be a whole number from 0 to 65535, not "${values.port}".`);
    }
  }
  for (const option of ['kubeconfig', 'context', 'data-dir'] as const) {
    if (values[option] === '') throw new UsageError(`--${option} needs a value.`);
  }
  const args: WebArgs = { port, help: values.help ?? false };
  if (values.kubeconfig !== undefined) args.kubeconfigPath = path.resolve(values.kubeconfig);
  if (values.context !== undefined) args.context = values.context;
  if (values['data-dir'] !== undefined) args.dataDir = path.resolve(values['data-dir']);
  return args;
}
