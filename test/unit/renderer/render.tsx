import { render } from '@testing-library/react';
import { Store } from '../../../renderer/src/state/store';
import { StoreProvider } from '../../../renderer/src/state/StoreContext';
import { App } from '../../../renderer/src/App';
import type { FakeBridge } from './fake-bridge';

// jsdom has no layout: charts and the virtual list are given what they ask for.
class NoResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver ??= NoResizeObserver as unknown as typeof ResizeObserver;
Element.prototype.scrollIntoView ??= function scrollIntoView() {};
// The app list's scroll box is given a window's height, so the virtual list has rows to show.
Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
  configurable: true,
  get(this: HTMLElement) {
    return this.classList.contains('app-list') ? 800 : 0;
  },
});

/** The whole renderer against a fake bridge, as main.tsx mounts it. */
export function renderApp(bridge: FakeBridge) {
  const store = new Store(bridge);
  store.start();
  const view = render(
    <StoreProvider store={store}>
      <App />
    </StoreProvider>,
  );
  return { ...view, store };
}
