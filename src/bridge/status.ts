import type { CloudError } from '../cloud/errors.js';
import type { CloudStatus } from './sources.js';

type Listener = (status: CloudStatus, error?: CloudError) => void;

/** A tiny listener list, so sources need not be EventEmitters themselves. */
export function statusListeners(): { add(listener: Listener): void; emit(status: CloudStatus, error?: unknown): void } {
  const listeners: Listener[] = [];
  return {
    add: (listener) => listeners.push(listener),
    emit: (status, error) => {
      for (const listener of listeners) listener(status, error as CloudError | undefined);
    },
  };
}
