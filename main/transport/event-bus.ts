import { eventNames, type EventName, type EventPayload } from '../../shared/contract';

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

/**
 * The one place main's services publish contract events. The IPC glue and the browser-mode
 * server each subscribe once and forward to their clients.
 */
export class EventBus {
  private readonly listeners = new Map<EventName, Set<Listener<EventName>>>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of this.listeners.get(event) ?? []) {
      try {
        (listener as Listener<E>)(payload);
      } catch (error) {
        // A faulty subscriber must not stop the others, nor the service that emitted.
        console.error(`scaledesk: listener for "${event}" failed`, error);
      }
    }
  }

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<EventName>);
    return () => set.delete(listener as Listener<EventName>);
  }

  /** Every event, for transports that forward all of them. */
  onAny(listener: <E extends EventName>(event: E, payload: EventPayload<E>) => void): () => void {
    const offs = eventNames.map((event) => this.on(event, (payload) => listener(event, payload)));
    return () => offs.forEach((off) => off());
  }
}
