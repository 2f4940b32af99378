// The base styles first: each component's own stylesheet, imported with it, refines them.
import './styles/tokens.css';
import './styles/base.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { getBridge } from './bridge';
import { Store } from './state/store';
import { StoreProvider } from './state/StoreContext';
import { App } from './App';

const store = new Store(getBridge());
store.start();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <StoreProvider store={store}>
      <App />
    </StoreProvider>
  </StrictMode>,
);
