import { useCallback, useRef, useState } from 'react';
import type { OperationInput, OperationName, OperationOutput } from '../../../shared/contract';
import type { ContractError, Result } from '../../../shared/errors';
import { useBridge } from './StoreContext';

export interface OperationState<N extends OperationName> {
  pending: boolean;
  error: ContractError | null;
  value: OperationOutput<N> | null;
  /** Sends the operation. The pending state is set before anything is awaited, so the click
   * shows in the same frame; the outcome on the cluster arrives later through the events. */
  run: (input: OperationInput<N>) => Promise<Result<OperationOutput<N>>>;
  clear: () => void;
}

export function useOperation<N extends OperationName>(operation: N): OperationState<N> {
  const bridge = useBridge();
  const [state, setState] = useState<{
    pending: boolean;
    error: ContractError | null;
    value: OperationOutput<N> | null;
  }>({ pending: false, error: null, value: null });
  const latest = useRef(0);

  const run = useCallback(
    async (input: OperationInput<N>) => {
      const call = ++latest.current;
      setState({ pending: true, error: null, value: null });
      let result: Result<OperationOutput<N>>;
      try {
        result = await bridge.invoke(operation, input);
      } catch (error) {
        // The bridge answers with Results; a throw is a transport failure.
        result = {
          ok: false,
          error: {
            code: 'UNREACHABLE',
            message: error instanceof Error ? error.message : String(error),
          },
        };
      }
      if (call === latest.current) {
        setState(
          result.ok
            ? { pending: false, error: null, value: result.value }
            : { pending: false, error: result.error, value: null },
        );
      }
      return result;
    },
    [bridge, operation],
  );

  const clear = useCallback(() => {
    latest.current++;
    setState({ pending: false, error: null, value: null });
  }, []);

  return { ...state, run, clear };
}
