import type {
  EventName,
  EventPayload,
  OperationInput,
  OperationName,
  OperationOutput,
  ScaleDeskBridge,
} from '../../../shared/contract';
import type { App } from '../../../shared/app-model';
import type { ContractError, Result } from '../../../shared/errors';
import { makeActivity, makeSettings } from './fixtures';

type Handler<N extends OperationName> = (
  input: OperationInput<N>,
) => Result<OperationOutput<N>> | Promise<Result<OperationOutput<N>>>;

/**
 * A bridge with main's side played by the test: answers from the handlers given (sensible
 * defaults otherwise), records every invocation, and emits events on demand.
 */
export class FakeBridge implements ScaleDeskBridge {
  readonly calls: Array<{ operation: OperationName; input: unknown }> = [];
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  private readonly handlers = new Map<OperationName, Handler<OperationName>>();

  constructor(public apps: App[] = []) {}

  on<N extends OperationName>(operation: N, handler: Handler<N>): this {
    this.handlers.set(operation, handler as unknown as Handler<OperationName>);
    return this;
  }

  /** Makes the next calls of `operation` fail with `error`. */
  fail(operation: OperationName, error: ContractError): this {
    this.handlers.set(operation, () => ({ ok: false, error }));
    return this;
  }

  callsOf<N extends OperationName>(operation: N): Array<OperationInput<N>> {
    return this.calls
      .filter((call) => call.operation === operation)
      .map((call) => call.input as OperationInput<N>);
  }

  async invoke<N extends OperationName>(
    operation: N,
    input: OperationInput<N>,
  ): Promise<Result<OperationOutput<N>>> {
    this.calls.push({ operation, input });
    const handler = this.handlers.get(operation) as Handler<N> | undefined;
    if (handler) return handler(input);
    return { ok: true, value: this.defaultAnswer(operation, input) as OperationOutput<N> };
  }

  subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as (payload: unknown) => void);
    return () => set.delete(listener as (payload: unknown) => void);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners.get(event) ?? []) listener(payload);
  }

  private operationCount = 0;

  private defaultAnswer(operation: OperationName, input: unknown): unknown {
    switch (operation) {
      case 'app.info':
        return { name: 'ScaleDesk', version: '0.1.0', mode: 'browser', platform: 'linux' };
      case 'apps.list':
        return this.apps;
      case 'apps.history':
        return [];
      case 'cluster.connection':
        return {
          state: 'live',
          context: 'sandbox',
          namespace: null,
          source: 'sandbox',
          kubeconfigPaths: [],
          server: 'https://127.0.0.1:6443',
          error: null,
          syncedAt: '2026-01-01T10:00:00Z',
        };
      case 'cluster.contexts':
        return {
          contexts: [
            { name: 'sandbox', cluster: 'sandbox', server: '', user: 'admin', namespace: null },
          ],
          current: 'sandbox',
          source: 'sandbox',
          kubeconfigPaths: [],
        };
      case 'cluster.namespaces':
        return [...new Set(this.apps.map((app) => app.namespace))];
      case 'settings.get':
        return makeSettings();
      case 'activity.list':
        return [];
      case 'process.setReplicas':
      case 'process.setWorkers':
      case 'app.restart':
      case 'app.start':
      case 'activity.undo': {
        const id = `op-${++this.operationCount}`;
        const ref = input as { app?: string; process?: string };
        return {
          operationId: id,
          activity: makeActivity({
            id: `activity-${id}`,
            app: ref.app ?? 'shop',
            process: ref.process ?? null,
            result: 'pending',
          }),
          warnings: [],
        };
      }
      default:
        return {};
    }
  }
}
