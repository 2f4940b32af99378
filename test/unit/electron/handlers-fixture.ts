import { vi } from 'vitest';
import type { Handlers } from '../../../main/handlers';
import { operationNames } from '../../../shared/contract';
import { ScaleDeskError } from '../../../shared/errors';

/**
 * Handlers for transport tests: every operation a spy; app.info and process.setReplicas
 * answer, the rest fail as "not connected". The transports must not care what the services do.
 */
export function fakeHandlers() {
  const handlers = Object.fromEntries(
    operationNames.map((name) => [
      name,
      vi.fn(async () => {
        throw new ScaleDeskError('NOT_CONNECTED', `${name}: not connected.`);
      }),
    ]),
  ) as unknown as { [N in keyof Handlers]: ReturnType<typeof vi.fn> & Handlers[N] };
  handlers['app.info'].mockImplementation(async () => ({
    name: 'ScaleDesk',
    version: '9.9.9',
    mode: 'desktop',
    platform: 'linux',
  }));
  return handlers;
}
