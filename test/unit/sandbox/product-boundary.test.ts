import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * What the product (main/, shared/, renderer/, outside main/sandbox) may take from the sandbox:
 * types, and `startDefaultSandbox` through a dynamic import of the entry (main/sandbox/index.ts),
 * so that the sandbox's code is loaded only when it starts one and its fault hooks (the `Sandbox`
 * of `startSandbox`) are out of the app's reach. The lint rule (eslint.config.js) checks the
 * paths of static imports; this checks what the lint rule cannot: dynamic imports, and the names
 * taken.
 */

const root = path.resolve(import.meta.dirname, '../../..');
const sandboxDir = path.join(root, 'main', 'sandbox');
const ENTRY = ['', 'index', 'index.ts', 'index.js'];
const PRODUCT_MAY_START = ['startDefaultSandbox'];

/** The names a dynamic import's result is destructured into, or null where it is kept whole. */
function destructured(call: ts.CallExpression): string[] | null {
  const names = (pattern: ts.BindingName | undefined) =>
    pattern && ts.isObjectBindingPattern(pattern)
      ? pattern.elements.map((e) => (e.propertyName ?? e.name).getText())
      : null;
  const parent = call.parent;
  // const { a } = await import('...')
  if (ts.isAwaitExpression(parent) && ts.isVariableDeclaration(parent.parent)) {
    return names(parent.parent.name);
  }
  // import('...').then(({ a }) => ...)
  if (ts.isPropertyAccessExpression(parent) && parent.name.text === 'then') {
    const then = parent.parent;
    const callback = ts.isCallExpression(then) ? then.arguments[0] : undefined;
    if (callback && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) {
      return names(callback.parameters[0]?.name);
    }
  }
  return null;
}

/** What is wrong with how a product module at `file` (relative to the root) uses the sandbox. */
function sandboxViolations(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const problems: string[] = [];
  const where = (node: ts.Node) =>
    `${file}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  /** The module's path inside main/sandbox, or null where the specifier lands elsewhere. */
  const intoSandbox = (specifier: string): string | null => {
    if (!specifier.startsWith('.')) return null;
    const target = path.relative(sandboxDir, path.resolve(root, path.dirname(file), specifier));
    return target.startsWith('..') || path.isAbsolute(target) ? null : target;
  };
  const checkPath = (node: ts.Node, target: string) => {
    if (!ENTRY.includes(target)) {
      problems.push(`${where(node)}: imports main/sandbox/${target}, not the entry (index.ts)`);
    }
  };

  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const target = intoSandbox(node.moduleSpecifier.text);
      if (target !== null) {
        checkPath(node, target);
        const typeOnly = ts.isImportDeclaration(node)
          ? node.importClause?.isTypeOnly === true ||
            (node.importClause?.name === undefined &&
              node.importClause?.namedBindings !== undefined &&
              ts.isNamedImports(node.importClause.namedBindings) &&
              node.importClause.namedBindings.elements.every((e) => e.isTypeOnly))
          : node.isTypeOnly;
        if (!typeOnly) {
          problems.push(`${where(node)}: loads the sandbox statically (import types only)`);
        }
      }
    }
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      const target = intoSandbox(node.arguments[0].text);
      if (target !== null) {
        checkPath(node, target);
        const names = destructured(node);
        const beyond = names?.filter((n) => !PRODUCT_MAY_START.includes(n));
        if (names === null || (beyond && beyond.length > 0)) {
          problems.push(
            `${where(node)}: takes ${names === null ? 'the whole sandbox module' : beyond?.join(', ')}; the product may take only ${PRODUCT_MAY_START.join(', ')}`,
          );
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return problems;
}

function productFiles(): string[] {
  return ['main', 'shared', 'renderer']
    .flatMap((folder) =>
      readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' }).map((f) =>
        path.join(folder, f),
      ),
    )
    .filter((file) => /\.(ts|tsx)$/.test(file) && !file.endsWith('.d.ts'))
    .filter((file) => !file.startsWith(path.join('main', 'sandbox') + path.sep));
}

describe('the product and the sandbox', () => {
  it('the product takes only types and, loaded when needed, startDefaultSandbox from the entry', () => {
    const problems = productFiles().flatMap((file) => {
      const source = readFileSync(path.join(root, file), 'utf8');
      // Parsing is the slow part: a module that never says "sandbox" cannot import it.
      return source.includes('sandbox') ? sandboxViolations(file, source) : [];
    });
    expect(problems).toEqual([]);
  });

  it('sees how services.ts starts the sandbox: taking startSandbox there would be flagged', () => {
    const services = readFileSync(path.join(root, 'main', 'services.ts'), 'utf8');
    const tampered = services.replaceAll('startDefaultSandbox', 'startSandbox');
    expect(tampered).not.toBe(services);
    expect(sandboxViolations(path.join('main', 'services.ts'), tampered)).toEqual([
      expect.stringMatching(/^main\/services\.ts:\d+: takes startSandbox; /),
    ]);
  });

  it('flags a static load, an internal module, and a product taking the fault hooks', () => {
    const source = `
      import { startDefaultSandbox } from './sandbox/index';
      import type { SandboxFaults } from './sandbox/faults';
      import type { DefaultSandbox } from './sandbox';
      const { startSandbox, startDefaultSandbox: start } = await import('./sandbox/index');
      const whole = await import('./sandbox');
      import('./sandbox/index').then(({ startDefaultSandbox }) => startDefaultSandbox('k'));
      import('./sandbox/sandbox-cluster').then(({ startSandbox }) => startSandbox());
    `;
    expect(sandboxViolations(path.join('main', 'some-product-module.ts'), source)).toEqual([
      'main/some-product-module.ts:2: loads the sandbox statically (import types only)',
      'main/some-product-module.ts:3: imports main/sandbox/faults, not the entry (index.ts)',
      'main/some-product-module.ts:5: takes startSandbox; the product may take only startDefaultSandbox',
      'main/some-product-module.ts:6: takes the whole sandbox module; the product may take only startDefaultSandbox',
      'main/some-product-module.ts:8: imports main/sandbox/sandbox-cluster, not the entry (index.ts)',
      'main/some-product-module.ts:8: takes startSandbox; the product may take only startDefaultSandbox',
    ]);
    // From elsewhere in main/, the same paths reach the same folder.
    expect(
      sandboxViolations(
        path.join('main', 'web', 'cli.ts'),
        "const { startSandbox } = await import('../sandbox/index');",
      ),
    ).toEqual([
      'main/web/cli.ts:1: takes startSandbox; the product may take only startDefaultSandbox',
    ]);
  });
});
