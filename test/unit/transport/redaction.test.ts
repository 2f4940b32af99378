import { describe, expect, it } from 'vitest';
import {
  escapeControls,
  outboundError,
  outboundResult,
  outboundValue,
  REDACTED,
  redactText,
  rememberSecrets,
  withoutUserinfo,
} from '../../../main/transport/redaction';

describe('redaction of secrets by their form', () => {
  it.each([
    [
      'a bearer token',
      'sent Bearer abc123def456ghi to the API',
      'sent Bearer [redacted] to the API',
    ],
    [
      'an Authorization header',
      'headers: Authorization: Basic dXNlcjpwYXNz, Accept: */*',
      'headers: Authorization: Basic [redacted], Accept: */*',
    ],
    [
      'an Authorization header in JSON',
      '{"authorization":"Bearer t0k3n-value"}',
      '{"authorization":"Bearer [redacted]"}',
    ],
    ['token=', 'exec: token=SECRET-1234 expired', 'exec: token=[redacted] expired'],
    ['password=', 'login password = hunter2 failed', 'login password = [redacted] failed'],
    ['secret=', 'client_secret=s3cr3t&scope=x', 'client_secret=[redacted]&scope=x'],
    ['a flag', 'ran plugin --token=abcdef --verbose', 'ran plugin --token=[redacted] --verbose'],
    ['a quoted value', 'password="two words" next', 'password="[redacted]" next'],
    ['JSON key and value', '{"access_token":"abc.def"}', '{"access_token":"[redacted]"}'],
    [
      'escaped JSON in a message',
      'body {\\"token\\":\\"abc\\"}',
      'body {\\"token\\":\\"[redacted]\\"}',
    ],
    ['YAML', 'client-key-data: LS0tLS1CRUdJTiBSU0E=', 'client-key-data: [redacted]'],
    [
      'a PEM block',
      'key -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY----- end',
      'key [redacted] end',
    ],
    ['a PEM block cut short', 'cert -----BEGIN CERTIFICATE-----\nMIIC8DCCAdig', 'cert [redacted]'],
    [
      'URL userinfo',
      'GET https://alice:pa%40ss@prod.example:6443/api failed',
      'GET https://prod.example:6443/api failed',
    ],
    [
      'URL user alone',
      'proxy http://bob@proxy.local:3128 down',
      'proxy http://proxy.local:3128 down',
    ],
    [
      'a JWT',
      'token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl was rejected',
      'token [redacted] was rejected',
    ],
    ['an unsigned JWT', 'got eyJhbGciOiJub25lIn0.eyJhIjoxfQ. back', 'got [redacted] back'],
  ])('redacts %s', (_form, text, expected) => {
    expect(redactText(text, [])).toBe(expected);
  });

  it('leaves what holds no secret as it is', () => {
    for (const text of [
      'pods "x" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=10',
      'at 2024-05-01T10:00:00Z the watch of deployments in namespace "shop" ended',
      'The cluster of context "prod" (https://prod.example:6443) did not answer (ECONNREFUSED).',
      'invalid token: Expired',
      'Enter a number of replicas.',
    ]) {
      expect(redactText(text, [])).toBe(text);
    }
  });

  it('is idempotent: redacting twice changes nothing more', () => {
    const once = redactText('token=abc Authorization: Bearer abcdefghijkl password="x y"', []);
    expect(redactText(once, [])).toBe(once);
    expect(once).not.toMatch(/abc |abcdefghijkl|x y/);
  });

  it('redacts known secret values wherever they appear bare, and URL-encoded', () => {
    rememberSecrets(['plain-credential-42', 'p@ss/word!', 'x', '12345']);
    expect(redactText('plugin said plain-credential-42 twice: plain-credential-42')).toBe(
      `plugin said ${REDACTED} twice: ${REDACTED}`,
    );
    expect(redactText('dial https://h/?q=p%40ss%2Fword! failed')).not.toContain('word');
    // Values too short to be looked for are left: they would blank out ordinary text.
    expect(redactText('x = 12345 items')).toBe('x = 12345 items');
  });

  it('strips the userinfo of a URL', () => {
    expect(withoutUserinfo('https://alice:secret@10.0.0.1:6443')).toBe('https://10.0.0.1:6443');
    expect(withoutUserinfo('https://10.0.0.1:6443')).toBe('https://10.0.0.1:6443');
  });
});

describe('escaping of control characters and bidi marks', () => {
  it('writes each as \\u{HEX}', () => {
    expect(escapeControls('ab\u202Ecd')).toBe('ab\\u{202E}cd');
    expect(escapeControls('a\nb\tc\u0000d\u007Fe\u009Bf')).toBe(
      'a\\u{A}b\\u{9}c\\u{0}d\\u{7F}e\\u{9B}f',
    );
    expect(escapeControls('\u200E\u200F\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069')).toBe(
      '\\u{200E}\\u{200F}\\u{202A}\\u{202B}\\u{202C}\\u{202D}\\u{2066}\\u{2067}\\u{2068}\\u{2069}',
    );
    expect(escapeControls('shop-web / café ✓')).toBe('shop-web / café ✓');
  });
});

describe('what leaves main', () => {
  it('redacts every string of a value, escaping only the message fields', () => {
    const value = {
      server: 'https://alice:pw123456@prod:6443',
      context: 'ctx\u202Eevil',
      error: { code: 'UNAUTHORIZED', message: 'no\nway token=abc' },
      warnings: ['line\u2066one'],
      count: 3,
      list: [null, 'Bearer abcdefghijklmnop'],
    };
    expect(outboundValue(value)).toEqual({
      server: 'https://prod:6443',
      // Data the renderer may send back stays as it is, but for secrets.
      context: 'ctx\u202Eevil',
      error: { code: 'UNAUTHORIZED', message: 'no\\u{A}way token=[redacted]' },
      warnings: ['line\\u{2066}one'],
      count: 3,
      list: [null, 'Bearer [redacted]'],
    });
  });

  it('gives back the same object where nothing needed changing', () => {
    const value = { apps: [{ id: 'shop/web', replicas: 2 }], at: new Date(0) };
    expect(outboundValue(value)).toBe(value);
  });

  it('does not change the object it was given', () => {
    const value = { message: 'token=abc' };
    outboundValue(value);
    expect(value.message).toBe('token=abc');
  });

  it('escapes and redacts an error message and every string of its details', () => {
    expect(
      outboundError({
        code: 'INVALID_INPUT',
        message: 'namespace must be text; got "a\u202Eb"',
        details: { issues: [{ received: '"a\u202Eb"' }], cause: 'password=hunter22' },
      }),
    ).toEqual({
      code: 'INVALID_INPUT',
      message: 'namespace must be text; got "a\\u{202E}b"',
      details: { issues: [{ received: '"a\\u{202E}b"' }], cause: 'password=[redacted]' },
    });
  });

  it('passes a result and an error through the same step', () => {
    expect(outboundResult({ ok: true, value: 'https://u:p@h' })).toEqual({
      ok: true,
      value: 'https://h',
    });
    expect(
      outboundResult({ ok: false, error: { code: 'INTERNAL', message: 'token=abcdef' } }),
    ).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'token=[redacted]' } });
  });
});
