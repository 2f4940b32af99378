import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScaleDeskError } from '../../../shared/errors';
import {
  kubeConfigForContext,
  kubeconfigPaths,
  listContexts,
  loadKubeconfig,
} from '../../../main/kube/kubeconfig';

let dir: string;

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function config(opts: {
  cluster: string;
  server: string;
  user: string;
  context: string;
  namespace?: string;
  current?: string;
}): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    `current-context: ${opts.current ?? opts.context}`,
    'clusters:',
    `- name: ${opts.cluster}`,
    '  cluster:',
    `    server: ${opts.server}`,
    '    certificate-authority: ca.crt',
    'users:',
    `- name: ${opts.user}`,
    '  user:',
    '    token: secret-token',
    'contexts:',
    `- name: ${opts.context}`,
    '  context:',
    `    cluster: ${opts.cluster}`,
    `    user: ${opts.user}`,
    ...(opts.namespace ? [`    namespace: ${opts.namespace}`] : []),
    '',
  ].join('\n');
}

function caught(fn: () => unknown): ScaleDeskError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ScaleDeskError) return error;
    throw error;
  }
  throw new Error('expected a ScaleDeskError');
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-kubeconfig-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('kubeconfig as kubectl reads it', () => {
  it('merges every KUBECONFIG path, the first file winning the current context and duplicate names', () => {
    const prod = write(
      'prod.yaml',
      config({
        cluster: 'prod',
        server: 'https://prod:6443',
        user: 'alice',
        context: 'prod',
        namespace: 'sales',
      }),
    );
    const staging = write(
      'staging.yaml',
      config({
        cluster: 'staging',
        server: 'https://staging:6443',
        user: 'bob',
        context: 'staging',
      }) + '', // its own current-context "staging" loses to the first file's
    );
    const shadow = write(
      'shadow.yaml',
      config({ cluster: 'prod', server: 'https://elsewhere:6443', user: 'eve', context: 'prod' }),
    );
    const missing = path.join(dir, 'gone.yaml');
    const paths = kubeconfigPaths({
      env: { KUBECONFIG: [prod, missing, staging, shadow].join(path.delimiter) },
    });
    expect(paths).toEqual([prod, staging, shadow]);

    const kc = loadKubeconfig(paths);
    expect(kc.getCurrentContext()).toBe('prod');
    expect(listContexts(kc)).toEqual([
      {
        name: 'prod',
        cluster: 'prod',
        server: 'https://prod:6443',
        user: 'alice',
        namespace: 'sales',
      },
      {
        name: 'staging',
        cluster: 'staging',
        server: 'https://staging:6443',
        user: 'bob',
        namespace: null,
      },
    ]);
    // Relative certificate paths are resolved against the file that names them.
    expect(kc.getCluster('prod')?.caFile).toBe(path.join(dir, 'ca.crt'));
  });

  it('falls back to ~/.kube/config, and to nothing at all', () => {
    expect(kubeconfigPaths({ env: {}, home: dir })).toEqual([]);
    fs.mkdirSync(path.join(dir, '.kube'));
    const file = path.join(dir, '.kube', 'config');
    fs.writeFileSync(file, config({ cluster: 'c', server: 'https://c', user: 'u', context: 'x' }));
    expect(kubeconfigPaths({ env: {}, home: dir })).toEqual([file]);
  });

  it('names the file and the problem when a kubeconfig is malformed', () => {
    const good = write(
      'good.yaml',
      config({ cluster: 'c', server: 'https://c', user: 'u', context: 'x' }),
    );
    const broken = write('broken.yaml', 'clusters: [\n  - name: "oops\n');
    const error = caught(() => loadKubeconfig([good, broken]));
    expect(error.code).toBe('KUBECONFIG');
    expect(error.message).toContain(broken);
    expect(error.details).toMatchObject({ file: broken });
  });

  it('names the missing field of a cluster without a server', () => {
    const file = write(
      'noserver.yaml',
      'clusters:\n- name: c\n  cluster: {}\ncontexts: []\nusers: []\n',
    );
    const error = caught(() => loadKubeconfig([file]));
    expect(error.code).toBe('KUBECONFIG');
    expect(error.message).toMatch(/server is missing/);
    expect(error.message).toContain(file);
  });

  it('says the file does not exist when an explicit path is wrong', () => {
    const file = path.join(dir, 'nope.yaml');
    expect(kubeconfigPaths({ explicitPath: file })).toEqual([file]);
    const error = caught(() => loadKubeconfig([file]));
    expect(error.code).toBe('KUBECONFIG');
    expect(error.message).toMatch(/does not exist/);
  });

  it('gives each context a kubeconfig of its own, and refuses an unknown context', () => {
    const file = write(
      'two.yaml',
      config({ cluster: 'c', server: 'https://c', user: 'u', context: 'x' }),
    );
    const kc = loadKubeconfig([file]);
    const own = kubeConfigForContext(kc, 'x', [file]);
    expect(own.getCurrentContext()).toBe('x');
    expect(own.getCurrentUser()?.token).toBe('secret-token');
    const error = caught(() => kubeConfigForContext(kc, 'y', [file]));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('"y"');
  });
});
