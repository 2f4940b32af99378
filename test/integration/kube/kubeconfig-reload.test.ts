import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Connection, EventPayload } from '../../../shared/contract';
import type { Sandbox } from '../../../main/sandbox';
import { connectServices, fastSandbox, until, type Harness } from '../../fixtures/services';

/**
 * The kubeconfig files are watched: a fresh login (a new token in the file) is picked up
 * without a restart, the session reconnecting to the same context and namespace; a new context
 * reaches the UI's list. Real files in a temp dir, replaced as editors and login tools do.
 */

let sandbox: Sandbox;
let dir: string;
let harness: Harness | undefined;

beforeAll(async () => {
  sandbox = await fastSandbox();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scaledesk-reload-'));
});
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});
afterAll(async () => {
  await sandbox?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface KubeconfigDoc {
  clusters: { name: string; cluster: Record<string, unknown> }[];
  users: { name: string; user: { token?: string } }[];
  contexts: { name: string; context: object }[];
}

/** The sandbox's kubeconfig, changed by `edit`, written over `file` as an editor does (rename). */
function writeKubeconfig(file: string, edit: (doc: KubeconfigDoc) => void): void {
  const doc = JSON.parse(fs.readFileSync(sandbox.kubeconfigPath, 'utf8')) as KubeconfigDoc;
  edit(doc);
  const temp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temp, JSON.stringify(doc));
  fs.renameSync(temp, file);
}

function setAdminToken(doc: KubeconfigDoc, token: string): void {
  const admin = doc.users.find((u) => u.name === 'admin');
  if (admin) admin.user.token = token;
}

async function connection(h: Harness): Promise<Connection> {
  return h.services.handlers['cluster.connection']({});
}

describe('a watched kubeconfig', () => {
  it('reconnects to the same context and namespace once a fresh login is written into it', async () => {
    const file = path.join(dir, 'expired-login');
    writeKubeconfig(file, (doc) => setAdminToken(doc, 'expired-token-0123456789'));
    harness = await connectServices(file);
    const h = harness;
    await h.services.ready;
    await h.services.handlers['cluster.connect']({ context: 'sandbox', namespace: 'analytics' });
    await until('the expired login is refused', async () => {
      return (await connection(h)).error?.code === 'UNAUTHORIZED';
    });

    writeKubeconfig(file, (doc) => setAdminToken(doc, sandbox.tokens.admin));
    const live = await until('the session is live again', async () => {
      const now = await connection(h);
      return now.state === 'live' ? now : undefined;
    });
    expect(live).toMatchObject({ context: 'sandbox', namespace: 'analytics', error: null });
  });

  it('reconnects once the CA that signs the server is written into the file', async () => {
    const file = path.join(dir, 'new-ca');
    const withoutCa = (doc: KubeconfigDoc) => {
      for (const { cluster } of doc.clusters) delete cluster['certificate-authority-data'];
    };
    writeKubeconfig(file, withoutCa);
    harness = await connectServices(file);
    const h = harness;
    await h.services.ready;
    await until('the server certificate is not trusted', async () => {
      return (await connection(h)).error?.code === 'TLS';
    });

    writeKubeconfig(file, () => undefined);
    await until('live with the new CA', async () => (await connection(h)).state === 'live');
    expect(await connection(h)).toMatchObject({ context: 'sandbox', namespace: 'demo' });
  });

  it('lists a context added to the file, and keeps a session whose context did not change', async () => {
    const file = path.join(dir, 'new-context');
    writeKubeconfig(file, () => undefined);
    harness = await connectServices(file);
    const h = harness;
    expect(await h.services.ready).toMatchObject({ state: 'live', context: 'sandbox' });
    const before = h.services.session();

    writeKubeconfig(file, (doc) => {
      doc.contexts.push({
        name: 'added-later',
        context: { cluster: 'sandbox', user: 'viewer', namespace: 'demo' },
      });
    });
    const listed = await until('the contexts event lists the new context', () => {
      const events = h.events.filter((e) => e.name === 'contexts');
      const last = events.at(-1)?.payload as EventPayload<'contexts'> | undefined;
      return last?.contexts.some((c) => c.name === 'added-later') ? last : undefined;
    });
    expect(listed.current).toBe('sandbox');
    expect(h.services.session()).toBe(before);
  });

  it("reconnects a live session when its user's credentials change in the file", async () => {
    const file = path.join(dir, 'rotated');
    writeKubeconfig(file, () => undefined);
    harness = await connectServices(file);
    const h = harness;
    await h.services.ready;
    await h.services.handlers['cluster.connect']({ context: 'sandbox', namespace: 'demo' });
    const before = h.services.session();

    // The same login written again (a tool rewriting the file, formatted anew): no reconnect.
    writeKubeconfig(file, (doc) => setAdminToken(doc, sandbox.tokens.admin));
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(h.services.session()).toBe(before);
    // A new token for the context's user (here another valid one the sandbox knows).
    writeKubeconfig(file, (doc) => setAdminToken(doc, sandbox.tokens.viewer));
    await until('a new session', () => h.services.session() !== before);
    await until('live again', async () => (await connection(h)).state === 'live');
    expect(await connection(h)).toMatchObject({ context: 'sandbox', namespace: 'demo' });
  });
});
