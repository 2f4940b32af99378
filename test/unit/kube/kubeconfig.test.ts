import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { thrownScaleDeskError } from '../../fixtures/scaledesk-error';
import { toClusterError } from '../../../main/kube/cluster-errors';
import {
  kubeConfigForContext,
  kubeconfigPaths,
  kubeconfigSecrets,
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
    const error = thrownScaleDeskError(() => loadKubeconfig([good, broken]));
    expect(error.code).toBe('KUBECONFIG');
    expect(error.message).toContain(broken);
    expect(error.details).toMatchObject({ file: broken });
  });

  it('names the missing field of a cluster without a server', () => {
    const file = write(
      'noserver.yaml',
      'clusters:\n- name: c\n  cluster: {}\ncontexts: []\nusers: []\n',
    );
    const error = thrownScaleDeskError(() => loadKubeconfig([file]));
    expect(error.code).toBe('KUBECONFIG');
    expect(error.message).toMatch(/server is missing/);
    expect(error.message).toContain(file);
  });

  it('says the file does not exist when an explicit path is wrong', () => {
    const file = path.join(dir, 'nope.yaml');
    expect(kubeconfigPaths({ explicitPath: file })).toEqual([file]);
    const error = thrownScaleDeskError(() => loadKubeconfig([file]));
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
    const error = thrownScaleDeskError(() => kubeConfigForContext(kc, 'y', [file]));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('"y"');
  });

  it('lists a server without the user and password of its URL', () => {
    const file = write(
      'userinfo.yaml',
      config({ cluster: 'c', server: 'https://alice:pa55word@c:6443', user: 'u', context: 'x' }),
    );
    expect(listContexts(loadKubeconfig([file]))[0]?.server).toBe('https://c:6443');
  });
});

describe('the secrets of a kubeconfig', () => {
  it('lists tokens, passwords, client keys and certificates, exec env values and URL passwords', () => {
    const file = write(
      'secrets.yaml',
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: c',
        '  cluster:',
        '    server: https://alice:url%2Fpassword@c:6443',
        '    proxy-url: http://p:proxy-password@proxy:3128',
        'users:',
        '- name: t',
        '  user:',
        '    token: the-token',
        '- name: b',
        '  user:',
        '    username: bob',
        '    password: the-password',
        '- name: k',
        '  user:',
        '    client-certificate-data: Y2VydA==',
        '    client-key-data: a2V5',
        '- name: e',
        '  user:',
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1',
        '      command: kubelogin',
        '      env:',
        '      - name: AZURE_CLIENT_SECRET',
        '        value: the-env-secret',
        '- name: o',
        '  user:',
        '    auth-provider:',
        '      name: oidc',
        '      config:',
        '        client-id: not-a-secret',
        '        id-token: the-id-token',
        '        refresh-token: the-refresh-token',
        'contexts: []',
        '',
      ].join('\n'),
    );
    const secrets = kubeconfigSecrets(loadKubeconfig([file]));
    expect(secrets).toEqual(
      expect.arrayContaining([
        'the-token',
        'the-password',
        'Y2VydA==',
        'a2V5',
        'the-env-secret',
        'the-id-token',
        'the-refresh-token',
        'url/password',
        'proxy-password',
      ]),
    );
    expect(secrets).not.toContain('not-a-secret');
    expect(secrets).not.toContain('bob');
  });
});

describe('a context whose user is an exec credential plugin', () => {
  it("marks the plugin's failure, so only the first line of its stderr is shown", async () => {
    const plugin = write(
      'plugin.cjs',
      "process.stderr.write('login failed: token=SECRET-FROM-PLUGIN\\nsecond line SECRET-2\\n'); process.exit(1);\n",
    );
    const file = write(
      'exec.yaml',
      [
        'apiVersion: v1',
        'kind: Config',
        'current-context: x',
        'clusters:',
        '- name: c',
        '  cluster:',
        '    server: https://127.0.0.1:1',
        'users:',
        '- name: u',
        '  user:',
        '    exec:',
        '      apiVersion: client.authentication.k8s.io/v1',
        `      command: ${JSON.stringify(process.execPath)}`,
        `      args: [${JSON.stringify(plugin)}]`,
        'contexts:',
        '- name: x',
        '  context: {cluster: c, user: u}',
        '',
      ].join('\n'),
    );
    const own = kubeConfigForContext(loadKubeconfig([file]), 'x', [file]);
    const failure = await own.applyToFetchOptions({}).then(
      () => new Error('expected the plugin to fail'),
      (error: unknown) => error,
    );
    const mapped = toClusterError(failure, { verb: 'list', resource: 'pods', namespace: null });
    expect(mapped.code).toBe('UNAUTHORIZED');
    expect(mapped.details?.['cause']).toBe('login failed: token=[redacted]');
    expect(JSON.stringify(mapped.toContract())).not.toContain('SECRET');
  });
});
