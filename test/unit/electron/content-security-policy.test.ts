// @vitest-environment jsdom
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../../main/transport/renderer-files';

/**
 * The page carries the Content-Security-Policy in a <meta> as well as in the header both
 * transports send (defence in depth, and what Electronegativity can see). One policy: the meta
 * is the header's constant, less what a meta element cannot carry.
 */

const indexHtml = path.join(import.meta.dirname, '../../../renderer/index.html');

/** Ignored in a meta element, and reported by Chromium as a console error there. */
const HEADER_ONLY = ['frame-ancestors', 'report-uri', 'sandbox'];

const directives = (policy: string) => policy.split(';').map((directive) => directive.trim());

function pageHead() {
  return new DOMParser().parseFromString(readFileSync(indexHtml, 'utf8'), 'text/html').head;
}

describe('the Content-Security-Policy in the page', () => {
  it('is the header’s policy, but for the directives only a header can carry', () => {
    const meta = pageHead().querySelector('meta[http-equiv="Content-Security-Policy"]');
    const expected = directives(CONTENT_SECURITY_POLICY).filter(
      (directive) => !HEADER_ONLY.includes(directive.split(' ')[0]!),
    );
    expect(directives(meta?.getAttribute('content') ?? '')).toEqual(expected);
    expect(expected).toEqual(expect.arrayContaining(["script-src 'self'", "object-src 'none'"]));
  });

  it('comes before anything the page loads, as a meta policy covers only what follows it', () => {
    const elements = [...pageHead().children];
    const policy = elements.findIndex((el) => el.getAttribute('http-equiv') !== null);
    const firstLoad = elements.findIndex((el) => ['LINK', 'SCRIPT', 'STYLE'].includes(el.tagName));
    expect(policy).toBeGreaterThanOrEqual(0);
    expect(firstLoad === -1 || policy < firstLoad).toBe(true);
  });
});
