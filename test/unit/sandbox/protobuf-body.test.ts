import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeProtobufBody } from '../../../main/sandbox/protobuf-body';

/** Protobuf wire bytes written by hand, field by field, as Go's generated marshalers write them. */
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
const sub = (id: number, ...parts: Uint8Array[]) => {
  const body = Buffer.concat(parts);
  return protobuf.Writer.create()
    .uint32((id << 3) | 2)
    .bytes(body)
    .finish();
};
const envelope = (apiVersion: string, kind: string, raw: Uint8Array) =>
  Buffer.concat([
    Buffer.from([0x6b, 0x38, 0x73, 0x00]),
    sub(1, str(1, apiVersion), str(2, kind)),
    sub(2, raw),
    str(3, ''),
    str(4, ''),
  ]);

describe('protobuf request bodies', () => {
  const meta = sub(1, str(1, 'web'), str(2, ''), sub(8, int(1, 0), int(2, 0)));
  const container = sub(
    2,
    str(1, 'web'),
    str(2, 'app:1'),
    str(3, 'gunicorn'),
    str(3, '-w'),
    str(3, '2'),
    str(5, ''),
    sub(8),
  );

  it('decodes a Pod into the API JSON, dropping unset fields', () => {
    const pod = Buffer.concat([meta, sub(2, container, str(3, 'Always'), str(6, '')), sub(3)]);
    expect(decodeProtobufBody(envelope('v1', 'Pod', pod))).toEqual({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: {
        containers: [
          { name: 'web', image: 'app:1', command: ['gunicorn', '-w', '2'], resources: {} },
        ],
        restartPolicy: 'Always',
      },
    });
  });

  it('keeps replicas 0 and reads int-or-string surge values', () => {
    const spec = sub(
      2,
      int(1, 0),
      sub(
        4,
        str(1, 'RollingUpdate'),
        sub(2, sub(1, int(1, 1), str(3, '50%')), sub(2, int(1, 0), int(2, 2))),
      ),
    );
    const decoded = decodeProtobufBody(
      envelope('apps/v1', 'Deployment', Buffer.concat([meta, spec])),
    ) as { spec: object };
    expect(decoded.spec).toEqual({
      replicas: 0,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%', maxSurge: 2 } },
    });
  });

  it('refuses with 415 a field it does not know that carries data, rather than dropping it', () => {
    const tolerations = sub(22, str(1, 'dedicated'));
    const pod = Buffer.concat([meta, sub(2, container, tolerations)]);
    expect(() => decodeProtobufBody(envelope('v1', 'Pod', pod))).toThrow(
      expect.objectContaining({ code: 415 }),
    );
    // The same field at its zero value is fine: Go writes empty structs too.
    const empty = Buffer.concat([meta, sub(2, container, sub(22, str(1, '')))]);
    expect(decodeProtobufBody(envelope('v1', 'Pod', empty))).toMatchObject({
      metadata: { name: 'web' },
    });
  });

  it('refuses kinds it does not read, and bodies without the magic', () => {
    expect(() => decodeProtobufBody(envelope('v1', 'ConfigMap', meta))).toThrow(
      expect.objectContaining({ code: 415 }),
    );
    expect(() => decodeProtobufBody(Buffer.from('{}'))).toThrow(
      expect.objectContaining({ code: 400 }),
    );
  });
});
