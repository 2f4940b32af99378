import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AppsV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConnectionSchema,
  isOperationName,
  operations,
  SettingsSchema,
} from '../../../shared/contract';
import { ContractErrorSchema } from '../../../shared/errors';
import { isNamespaceName } from '../../../shared/kube-names';
import { httpStatusOf, MAX_BODY_BYTES } from '../../../main/web/server';
import { startBrowserMode, type BrowserMode } from '../../fixtures/browser-mode';
import { contractCases, type ContractCase } from '../../fixtures/contract-cases';
import { rawExchange, request, type RawResponse } from '../../fixtures/http-client';
import { eventually, startTestSandbox, type SandboxFixture } from '../../fixtures/sandbox';

/**
 * Every operation of the contract, fed hostile input generated from its schemas
 * (fixtures/contract-cases.ts), through browser mode as a page would send it, against a sandbox
 * cluster: no answer is a 5xx, every answer is a typed Result, the process still answers at the
 * end, and nothing on the cluster changed. Seeded: the same cases on every run (set
 * SCALEDESK_FUZZ_SEED to draw others).
 */

const SEED = Number(process.env['SCALEDESK_FUZZ_SEED'] ?? 20_260_101);
const BUDGET = 400;

const ResultSchema = z.union([
  z.object({ ok: z.literal(true), value: z.unknown() }).strict(),
  z.object({ ok: z.literal(false), error: ContractErrorSchema }).strict(),
]);

let fixture: SandboxFixture;
let mode: BrowserMode;
let rendererDir: string;

function invoke(operation: string, body: string): Promise<RawResponse> {
  return request(mode.port, {
    method: 'POST',
    path: `/api/invoke/${encodeURIComponent(operation)}`,
    headers: { authorization: `Bearer ${mode.token}`, 'content-type': 'application/json' },
    body,
  });
}

async function call(operation: string, input: unknown = {}): Promise<unknown> {
  const response = await invoke(operation, JSON.stringify(input));
  const result = ResultSchema.parse(response.json());
  if (!result.ok) throw new Error(`${operation}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

/**
 * What an admin could see changed: every Deployment's replicas, annotations and pod template
 * (its annotations and each container's command, args and env).
 */
async function clusterSnapshot(apps: AppsV1Api): Promise<Record<string, unknown>> {
  const list = await apps.listDeploymentForAllNamespaces();
  const snapshot: Record<string, unknown> = {};
  for (const deployment of list.items) {
    const key = `${deployment.metadata?.namespace}/${deployment.metadata?.name}`;
    snapshot[key] = {
      replicas: deployment.spec?.replicas,
      annotations: deployment.metadata?.annotations ?? {},
      templateAnnotations: deployment.spec?.template.metadata?.annotations ?? {},
      containers: (deployment.spec?.template.spec?.containers ?? []).map((container) => ({
        name: container.name,
        command: container.command,
        args: container.args,
        env: container.env,
      })),
    };
  }
  return snapshot;
}

/** The raw HTTP answer of an exchange that has ended: status and JSON body (chunked or not). */
function parseRaw(text: string): { status: number; body: unknown } {
  const split = text.indexOf('\r\n\r\n');
  const head = text.slice(0, split);
  let body = text.slice(split + 4);
  if (/\r\ntransfer-encoding: chunked/i.test(head)) {
    let decoded = '';
    for (;;) {
      const lineEnd = body.indexOf('\r\n');
      const size = parseInt(body.slice(0, lineEnd), 16);
      if (!size) break;
      decoded += body.slice(lineEnd + 2, lineEnd + 2 + size);
      body = body.slice(lineEnd + 2 + size + 2);
    }
    body = decoded;
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body: JSON.parse(body) };
}

/** What the contract says of a case before it is sent: refused as INVALID_INPUT, or not. */
function mustBeRefused(item: ContractCase): boolean {
  if (!isOperationName(item.operation)) return true;
  let input: unknown;
  try {
    input = item.body.length > 0 ? JSON.parse(item.body) : undefined;
  } catch {
    return true;
  }
  // As dispatch does: no body, or null, is an empty input.
  return !operations[item.operation].input.safeParse(input ?? {}).success;
}

/** The failures of one answer, each a sentence; none where it is as the contract says. */
function problemsOf(item: ContractCase, status: number, answer: unknown): string[] {
  const problems: string[] = [];
  if (status >= 500) problems.push(`answered ${status}`);
  const result = ResultSchema.safeParse(answer);
  if (!result.success) return [...problems, `not a typed Result: ${JSON.stringify(answer)}`];
  const value = result.data;
  if (value.ok) {
    if (status !== 200) problems.push(`ok with status ${status}`);
    if (mustBeRefused(item)) problems.push('accepted an input its schema refuses');
    if (isOperationName(item.operation)) {
      const typed = operations[item.operation].result.safeParse(value.value);
      if (!typed.success) problems.push(`a value outside its schema: ${typed.error.message}`);
    }
    // Whatever the schemas say: a connection is never to a namespace that is no namespace name.
    const connection = ConnectionSchema.safeParse(value.value);
    if (connection.success && connection.data.namespace !== null) {
      if (!isNamespaceName(connection.data.namespace)) {
        problems.push(`connected to the namespace ${JSON.stringify(connection.data.namespace)}`);
      }
    }
  } else {
    const { code } = value.error;
    if (mustBeRefused(item) && code !== 'INVALID_INPUT') {
      problems.push(`refused as ${code}, not INVALID_INPUT: ${value.error.message}`);
    }
    if (status !== httpStatusOf(code)) problems.push(`${code} sent with status ${status}`);
  }
  return problems;
}

beforeAll(async () => {
  fixture = await startTestSandbox();
  // No built renderer is needed: the API is what is fuzzed.
  rendererDir = mkdtempSync(path.join(os.tmpdir(), 'scaledesk-fuzz-'));
  writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>ScaleDesk</title>');
  mode = await startBrowserMode({
    kubeconfigPath: fixture.sandbox.kubeconfigPath,
    env: { SCALEDESK_RENDERER_DIR: rendererDir },
  });
  await eventually('browser mode live on the sandbox', async () => {
    const connection = ConnectionSchema.parse(await call('cluster.connection'));
    return connection.state === 'live';
  });
});

afterAll(async () => {
  await mode?.stop();
  await fixture?.sandbox.stop();
  if (rendererDir) rmSync(rendererDir, { recursive: true, force: true });
});

describe('the contract under hostile input, through browser mode against a sandbox', () => {
  it('answers every case with a typed Result and no 5xx, survives, and changes nothing on the cluster', async () => {
    const before = await clusterSnapshot(fixture.apps);
    const cases = contractCases({ seed: SEED, budget: BUDGET });
    expect(cases.length).toBeGreaterThan(200);
    expect(cases.length).toBeLessThanOrEqual(BUDGET + 20);

    const failures: string[] = [];
    for (const item of cases) {
      let response: RawResponse;
      try {
        response = await invoke(item.operation, item.body);
      } catch (error) {
        failures.push(`${item.operation}, ${item.label}: no answer (${String(error)})`);
        continue;
      }
      let answer: unknown;
      try {
        answer = response.json();
      } catch {
        answer = response.body.slice(0, 200);
      }
      for (const problem of problemsOf(item, response.status, answer)) {
        failures.push(`${item.operation}, ${item.label}: ${problem}`);
      }
    }

    // A string of 1 MiB, in a body past the server's limit: cut off and refused as too large.
    const exchange = await rawExchange(mode.port);
    await exchange.write(
      `POST /api/invoke/cluster.connect HTTP/1.1\r\nHost: 127.0.0.1:${mode.port}\r\n` +
        `Authorization: Bearer ${mode.token}\r\nContent-Type: application/json\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n`,
    );
    const huge = Buffer.from(`{"context":"sandbox","namespace":"${'a'.repeat(MAX_BODY_BYTES)}"}`);
    await exchange.write(Buffer.concat([Buffer.from(`${huge.length.toString(16)}\r\n`), huge]));
    await exchange.closed;
    const tooLarge = parseRaw(exchange.received());
    expect(tooLarge.status).toBe(413);
    expect(ResultSchema.parse(tooLarge.body)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT' },
    });

    expect(failures, `seed ${SEED}`).toEqual([]);

    // Still there, and still the same process.
    expect(mode.child.exitCode).toBeNull();
    expect(await call('app.info')).toMatchObject({ name: 'ScaleDesk', mode: 'browser' });
    expect(mode.output()).not.toMatch(/scaledesk: .* failed/);

    // No name that is not one was kept as the namespace, live or remembered.
    const connection = ConnectionSchema.parse(await call('cluster.connection'));
    expect(connection.namespace === null || isNamespaceName(connection.namespace)).toBe(true);
    const settings = SettingsSchema.parse(await call('settings.get'));
    expect(settings.lastNamespace === null || isNamespaceName(settings.lastNamespace)).toBe(true);

    expect(await clusterSnapshot(fixture.apps)).toEqual(before);
  });
});
