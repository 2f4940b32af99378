import { describe, expect, it } from 'vitest';
import {
  checkFields,
  decodingPrefix,
  fieldValidationMode,
  modelOf,
  pruneUnknownFields,
} from '../../../main/sandbox/field-validation';
import { TYPES } from '../../../main/sandbox/resource-types';

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { anything: 'goes' }, annotations: { 'a/b': 'c' } },
  spec: {
    replica: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx', imagePullPolice: 'Always' }] },
    },
  },
};
const model = modelOf(TYPES.deployments, undefined) ?? '';

describe('unknown fields, judged by fieldValidation', () => {
  it('names every unknown field with its path, array indexes included', () => {
    expect(pruneUnknownFields(model, deployment).unknown).toEqual([
      'spec.replica',
      'spec.template.spec.containers[0].imagePullPolice',
    ]);
  });

  it('prunes unknown fields and keeps every known one, maps included', () => {
    const { body } = pruneUnknownFields(model, deployment);
    const pruned = body as typeof deployment;
    expect(pruned.spec).not.toHaveProperty('replica');
    expect(pruned.spec.template.spec.containers[0]).toEqual({ name: 'web', image: 'nginx' });
    expect(pruned.metadata.labels).toEqual({ anything: 'goes' });
    expect(pruned.metadata.annotations).toEqual({ 'a/b': 'c' });
  });

  it('keeps strategic merge patch directives', () => {
    const patch = { spec: { template: { spec: { $setElementOrder: [], containers: [] } } } };
    expect(pruneUnknownFields(model, patch).unknown).toEqual([]);
  });

  it('refuses under Strict with the API server message', () => {
    expect(() =>
      checkFields(model, deployment, 'Strict', decodingPrefix(TYPES.deployments)),
    ).toThrow(
      expect.objectContaining({
        code: 400,
        reason: 'BadRequest',
        message:
          'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica", unknown field "spec.template.spec.containers[0].imagePullPolice"',
      }),
    );
  });

  it('drops the fields with a 299 warning for each under Warn', () => {
    const { body, warnings } = checkFields(model, deployment, 'Warn', '');
    expect(warnings).toEqual([
      '299 - "unknown field \\"spec.replica\\""',
      '299 - "unknown field \\"spec.template.spec.containers[0].imagePullPolice\\""',
    ]);
    expect((body as typeof deployment).spec).not.toHaveProperty('replica');
  });

  it('drops them silently under Ignore, the default', () => {
    expect(fieldValidationMode(new URLSearchParams())).toBe('Ignore');
    const { body, warnings } = checkFields(model, deployment, 'Ignore', '');
    expect(warnings).toEqual([]);
    expect((body as typeof deployment).spec).not.toHaveProperty('replica');
  });

  it('names duplicate fields beside unknown ones under Strict, and warns of them under Warn', () => {
    const body = { spec: { replicas: 2 } };
    expect(() => checkFields(model, body, 'Strict', '', ['spec.replicas'])).toThrow(
      expect.objectContaining({
        code: 400,
        message: 'strict decoding error: duplicate field "spec.replicas"',
      }),
    );
    expect(checkFields(model, body, 'Warn', '', ['spec.replicas']).warnings).toEqual([
      '299 - "duplicate field \\"spec.replicas\\""',
    ]);
  });

  it('refuses an unknown fieldValidation value', () => {
    expect(() => fieldValidationMode(new URLSearchParams({ fieldValidation: 'strict' }))).toThrow(
      expect.objectContaining({ code: 400, message: expect.stringContaining('"strict"') }),
    );
  });

  it('reads a scale body as autoscaling/v1 Scale', () => {
    const scale = modelOf(TYPES.deployments, 'scale') ?? '';
    expect(pruneUnknownFields(scale, { spec: { replicas: 2, replica: 3 } }).unknown).toEqual([
      'spec.replica',
    ]);
  });
});
