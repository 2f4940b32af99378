import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeProtobufBody } from '../../../main/sandbox/protobuf-body';

/** The autoscaling/v1 HPA `kubectl autoscale` sends, written field by field as Go writes it. */
const str = (id: number, value: string) =>
  protobuf.Writer.create()
    .uint32((id << 3) | 2)
    .string(value)
    .finish();
const int = (id: number, value: number) =>
  protobuf.Writer.create()
    .uint32(id << 3)
    .int32(value)
    .finish();
const sub = (id: number, ...parts: Uint8Array[]) =>
  protobuf.Writer.create()
    .uint32((id << 3) | 2)
    .bytes(Buffer.concat(parts))
    .finish();
const envelope = (apiVersion: string, kind: string, raw: Uint8Array) =>
  Buffer.concat([
    Buffer.from([0x6b, 0x38, 0x73, 0x00]),
    sub(1, str(1, apiVersion), str(2, kind)),
    sub(2, raw),
  ]);

const meta = sub(1, str(1, 'inventory-web'), str(2, ''), sub(8, int(1, 0), int(2, 0)));
const ref = sub(1, str(1, 'Deployment'), str(2, 'inventory-web'), str(3, 'apps/v1'));

describe('an autoscaling/v1 HorizontalPodAutoscaler in protobuf', () => {
  it('decodes the target, the bounds and the CPU target', () => {
    const hpa = Buffer.concat([meta, sub(2, ref, int(2, 2), int(3, 5), int(4, 70)), sub(3)]);
    expect(decodeProtobufBody(envelope('autoscaling/v1', 'HorizontalPodAutoscaler', hpa))).toEqual({
      apiVersion: 'autoscaling/v1',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'inventory-web' },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'inventory-web', apiVersion: 'apps/v1' },
        minReplicas: 2,
        maxReplicas: 5,
        targetCPUUtilizationPercentage: 70,
      },
    });
  });

  it('keeps a zero minimum for validation to refuse, rather than dropping it', () => {
    const hpa = Buffer.concat([meta, sub(2, ref, int(2, 0), int(3, 5))]);
    const decoded = decodeProtobufBody(envelope('autoscaling/v1', 'HorizontalPodAutoscaler', hpa));
    expect(decoded).toMatchObject({ spec: { minReplicas: 0, maxReplicas: 5 } });
  });

  it('refuses the v2 message, whose schema it does not read', () => {
    const hpa = Buffer.concat([meta, sub(2, ref, int(3, 5))]);
    expect(() =>
      decodeProtobufBody(envelope('autoscaling/v2', 'HorizontalPodAutoscaler', hpa)),
    ).toThrow(/does not read HorizontalPodAutoscaler in protobuf/);
  });
});
