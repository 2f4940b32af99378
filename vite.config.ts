import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Third-party code in a few stable chunks, each under Vite's 500 kB warning: React, and the
 * charts (recharts with the d3 and redux parts it is built on). The app's own code stays apart. */
const VENDOR_CHUNKS: ReadonlyArray<{ name: string; test: RegExp }> = [
  { name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
  {
    name: 'charts',
    test: /[\\/]node_modules[\\/](recharts|d3-[^\\/]+|victory-vendor|@reduxjs|redux|react-redux|immer|reselect|es-toolkit|decimal\.js-light|eventemitter3|internmap|tiny-invariant|use-sync-external-store|clsx)[\\/]/,
  },
];

export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // No inline scripts or eval: the CSP forbids them.
    modulePreload: { polyfill: false },
    sourcemap: false,
    rolldownOptions: {
      output: {
        codeSplitting: { groups: [...VENDOR_CHUNKS] },
      },
    },
  },
});
