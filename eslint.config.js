import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/**
 * The layering, enforced here (docs/architecture.md repeats it):
 * - shared/ is pure: no Node, no Electron, nothing from main/ or renderer/.
 * - renderer/ speaks to main only through the contract in shared/: no Node, no Electron, no main/.
 * - The core of main (kube, model, session, operations, store, transport, services.ts) runs under
 *   both hosts, main/electron/ and main/web/, so it imports neither; the two hosts do not import
 *   each other, and only main/electron/ (and its unit tests) imports 'electron'.
 * - main/sandbox/ is entered through main/sandbox/index only (its unit tests excepted), and its
 *   packages (node-forge, protobufjs, fast-json-patch) are imported only there and in its tests.
 * - client-node is imported from its root; its internals (`@kubernetes/client-node/dist/...`)
 *   only in main/kube/client-node.ts, so an upgrade that moves them breaks one file.
 * - No `{ ... } as T`: type the variable or use `satisfies`, so a missing field is an error.
 *
 * `no-restricted-imports` takes the options of the LAST block that matches a file, so each block
 * below lists every restriction of its folder, specific folders after general ones. It reads
 * imports as written (static `import`/`export ... from`, not `import()`), hence the relative
 * patterns of intoMain.
 */

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

/**
 * A relative import that lands in the folder `main/<name>`: `./<name>/…` from main/services.ts,
 * `../<name>/…` from a sibling folder, `../../main/<name>/…` from test/ or scripts/.
 */
const intoMain = (name, rest = '(/|$)') => `^(\\.\\.?/)+(main/)?${name}${rest}`;

/** Each restriction adds `paths` and `patterns` to no-restricted-imports. */
const restrict = {
  electron: {
    paths: [{ name: 'electron', message: 'Only main/electron/ imports electron.' }],
    patterns: [{ regex: '^electron/', message: 'Only main/electron/ imports electron.' }],
  },
  node: {
    paths: nodeBuiltins
      .flatMap((m) => [m, `node:${m}`])
      .map((name) => ({ name, message: 'No Node here: this code also runs in the browser.' })),
    patterns: [
      {
        regex: `^(node:)?(${nodeBuiltins.join('|')})/`,
        message: 'No Node here: this code also runs in the browser.',
      },
    ],
  },
  main: {
    patterns: [
      { regex: '^(\\.\\.?/)+main(/|$)', message: 'Nothing from main/: go through the contract.' },
    ],
  },
  renderer: {
    patterns: [{ regex: '^(\\.\\.?/)+renderer(/|$)', message: 'shared/ depends on nothing.' }],
  },
  electronFolder: {
    patterns: [
      {
        regex: intoMain('electron'),
        message:
          'main/electron/ is a host on top of the core: nothing below or beside it imports it.',
      },
    ],
  },
  webFolder: {
    patterns: [
      {
        regex: intoMain('web'),
        message: 'main/web/ is a host on top of the core: nothing below or beside it imports it.',
      },
    ],
  },
  sandboxInternals: {
    patterns: [
      {
        regex: intoMain('sandbox', '/(?!index(\\.[jt]s)?$)'),
        message: 'The sandbox is entered through main/sandbox/index only.',
      },
    ],
  },
  sandboxPackages: {
    patterns: [
      {
        regex: '^(node-forge|protobufjs|fast-json-patch)(/|$)',
        message:
          'node-forge, protobufjs and fast-json-patch are the sandbox’s own: use them under main/sandbox/.',
      },
    ],
  },
  clientNodeInternals: {
    patterns: [
      {
        regex: '^@kubernetes/client-node/',
        message:
          'client-node’s internals are not its API: import them from main/kube/client-node.ts.',
      },
    ],
  },
};

/** Applies everywhere unless a folder's block says otherwise. */
const everywhere = ['sandboxInternals', 'sandboxPackages', 'clientNodeInternals'];

/** The no-restricted-imports setting made of the named restrictions. */
function noImports(...names) {
  const chosen = [...new Set(names)].map((name) => restrict[name]);
  return [
    'error',
    {
      paths: chosen.flatMap((r) => r.paths ?? []),
      patterns: chosen.flatMap((r) => r.patterns ?? []),
    },
  ];
}

const anyFile = '**/*.{ts,tsx,js,mjs,cjs}';
const core = ['kube', 'model', 'session', 'operations', 'store', 'transport'];

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
      '@typescript-eslint/consistent-type-assertions': [
        'error',
        { assertionStyle: 'as', objectLiteralTypeAssertions: 'never' },
      ],
      'no-restricted-imports': noImports('electron', ...everywhere),
    },
  },
  {
    files: [...core.map((folder) => `main/${folder}/${anyFile}`), 'main/services.ts'],
    rules: {
      'no-restricted-imports': noImports('electron', 'electronFolder', 'webFolder', ...everywhere),
    },
  },
  {
    files: ['main/kube/client-node.ts', 'test/unit/kube/client-node.test.ts'],
    rules: {
      'no-restricted-imports': noImports(
        'electron',
        'electronFolder',
        'webFolder',
        'sandboxInternals',
        'sandboxPackages',
      ),
    },
  },
  {
    files: [`main/web/${anyFile}`],
    rules: { 'no-restricted-imports': noImports('electron', 'electronFolder', ...everywhere) },
  },
  {
    files: [`main/electron/${anyFile}`],
    rules: { 'no-restricted-imports': noImports('webFolder', ...everywhere) },
  },
  {
    // Electron's glue is unit-tested against a fake `electron` module.
    files: [`test/unit/electron/${anyFile}`],
    rules: { 'no-restricted-imports': noImports(...everywhere) },
  },
  {
    files: [`main/sandbox/${anyFile}`],
    rules: { 'no-restricted-imports': noImports('electron', 'clientNodeInternals') },
  },
  {
    // The sandbox's unit tests reach its internals; its integration tests only its packages.
    files: [`test/unit/sandbox/${anyFile}`],
    rules: { 'no-restricted-imports': noImports('electron', 'clientNodeInternals') },
  },
  {
    files: [`test/integration/sandbox/${anyFile}`],
    rules: {
      'no-restricted-imports': noImports('electron', 'sandboxInternals', 'clientNodeInternals'),
    },
  },
  {
    files: [`shared/${anyFile}`],
    rules: {
      'no-restricted-imports': noImports('electron', 'node', 'main', 'renderer', ...everywhere),
    },
  },
  {
    files: [`renderer/${anyFile}`],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      'no-restricted-imports': noImports('electron', 'node', 'main', ...everywhere),
    },
  },
);
