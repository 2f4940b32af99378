import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = [
  'fs',
  'path',
  'os',
  'http',
  'https',
  'net',
  'tls',
  'crypto',
  'child_process',
  'url',
  'stream',
  'events',
  'util',
  'zlib',
  'dns',
  'worker_threads',
  'process',
  'buffer',
  'readline',
  'timers',
];
const noNode = nodeBuiltins.flatMap((m) => [m, `node:${m}`, `${m}/*`, `node:${m}/*`]);

/** The layering is enforced here: shared imports neither Electron nor Node; the renderer imports
 * nothing from main; only the files under main/electron import electron. */
export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'test-artifacts/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'electron', message: 'Only main/electron/ may import electron.' }] },
      ],
    },
  },
  {
    files: [
      'main/electron/**/*.ts',
      'test/unit/electron/**/*.ts',
      'test/fixtures/fake-electron.ts',
    ],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', ...noNode].map((name) => ({
            name,
            message: 'shared/ is pure: no Electron, no Node.',
          })),
          patterns: [
            { group: ['**/main/**', '**/renderer/**'], message: 'shared/ depends on nothing.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': [
        'error',
        {
          paths: ['electron', ...noNode].map((name) => ({
            name,
            message:
              'The renderer has no Node and no Electron: speak to main through the contract.',
          })),
          patterns: [
            { group: ['**/main/**'], message: 'The renderer imports nothing from main/.' },
          ],
        },
      ],
    },
  },
);
