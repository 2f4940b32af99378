import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * main/sandbox/package.json names the packages that are the sandbox's own (docs/sandbox.md,
 * "Its own packages"). It is a manifest, not an install: the root package.json installs them.
 * These tests keep the two in step with what the code imports.
 */

const root = path.resolve(import.meta.dirname, '../../..');

interface Manifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const readManifest = (file: string): Manifest =>
  JSON.parse(readFileSync(path.join(root, file), 'utf8')) as Manifest;
const sandboxManifest = readManifest('main/sandbox/package.json');
const rootManifest = readManifest('package.json');
const own = Object.keys(sandboxManifest.dependencies ?? {}).sort();

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(ts|tsx|mjs|cjs|js)$/.test(file))
    .map((file) => path.join(folder, file));
}

/** The packages a file imports, by name (`@scope/name` or `name`); Node's own left out. */
function importedPackages(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const specifiers = [
    ...text.matchAll(
      /(?:\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)['"]([^'"]+)['"]/gm,
    ),
  ].map((m) => m[1] ?? '');
  return specifiers
    .filter((s) => !s.startsWith('.') && !s.startsWith('node:') && !builtinModules.includes(s))
    .map((s) =>
      s
        .split('/')
        .slice(0, s.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

const inSandbox = (file: string) => file.startsWith(`main${path.sep}sandbox${path.sep}`);
/** The sandbox's own tests may use its packages (protobuf bodies, patches) as it does. */
const sandboxTest = (file: string) =>
  ['unit', 'integration'].some((kind) =>
    file.startsWith(path.join('test', kind, 'sandbox') + path.sep),
  );

describe("the sandbox's own packages", () => {
  it('are exactly the packages its modules import and no other product module does', () => {
    const product = ['main', 'shared', 'renderer'].flatMap(sourceFiles);
    const bySandbox = new Set(product.filter(inSandbox).flatMap(importedPackages));
    const byTheRest = new Set(product.filter((f) => !inSandbox(f)).flatMap(importedPackages));
    expect(own).toEqual([...bySandbox].filter((name) => !byTheRest.has(name)).sort());
  });

  it('are imported nowhere outside the sandbox and its tests', () => {
    const elsewhere = ['main', 'shared', 'renderer', 'test', 'scripts']
      .flatMap(sourceFiles)
      .filter((file) => !inSandbox(file) && !sandboxTest(file))
      .flatMap((file) => importedPackages(file).map((name) => `${file}: ${name}`))
      .filter((use) => own.some((name) => use.endsWith(`: ${name}`)));
    expect(elsewhere).toEqual([]);
  });

  it('are installed by the root package.json, at the ranges the sandbox names', () => {
    for (const [field, names] of [
      ['dependencies', sandboxManifest.dependencies],
      ['devDependencies', sandboxManifest.devDependencies],
    ] as const) {
      for (const [name, range] of Object.entries(names ?? {})) {
        expect([field, name, rootManifest[field]?.[name]]).toEqual([field, name, range]);
      }
    }
  });
});
