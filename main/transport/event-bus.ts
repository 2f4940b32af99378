import { eventNames, type EventName, type EventPayload } from '../../shared/contract';
import { outboundValue } from './redaction';

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

interface Subscription {
  listener: Listener<EventName>;
  /** Forwards out of main: gets the payload as redaction.ts lets it leave. */
  outbound: boolean;
}

/**
 * The one place main's services publish contract events. The IPC glue and the browser-mode
 * server each subscribe once, with `onAny`, and forward to their clients: what `onAny` hands out
 * is the payload redacted of secrets (redaction.ts), so no transport can forward one. `on` is
 * for main's own listeners, which get the payload as emitted.
 */
export class EventBus {
  private readonly subscriptions = new Map<EventName, Set<Subscription>>();

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    // Redacted once per event, however many transports forward it, and only if one does.
    let outbound: EventPayload<E> | undefined;
    for (const subscription of this.subscriptions.get(event) ?? []) {
      try {
        if (subscription.outbound) outbound ??= outboundValue(payload);
        (subscription.listener as Listener<E>)(subscription.outbound ? outbound! : payload);
      } catch (error) {
        // A faulty subscriber must not stop the others, nor the service that emitted.
        console.error(`scaledesk: listener for "${event}" failed`, error);
      }
    }
  }

  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    return this.subscribe(event, { listener: listener as Listener<EventName>, outbound: false });
  }

  /** Every event, redacted for leaving main: for the transports that forward all of them. */
  onAny(listener: <E extends EventName>(event: E, payload: EventPayload<E>) => void): () => void {
    const offs = eventNames.map((event) =>
      this.subscribe(event, { listener: (payload) => listener(event, payload), outbound: true }),
    );
    return () => offs.forEach((off) => off());
  }

  private subscribe(event: EventName, subscription: Subscription): () => void {
    let set = this.subscriptions.get(event);
    if (!set) {
      set = new Set();
      this.subscriptions.set(event, set);
    }
    set.add(subscription);
    return () => set.delete(subscription);
  }
}
