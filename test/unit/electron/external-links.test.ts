import { beforeEach, describe, expect, it, vi } from 'vitest';
import { isSafeExternalUrl, openExternalIfSafe } from '../../../main/electron/external-links';
import { shell } from '../../fixtures/fake-electron';

vi.mock('electron', async () =>
  (await import('../../fixtures/fake-electron')).fakeElectronModule(),
);

beforeEach(() => shell.openExternal.mockClear());

describe('external links', () => {
  it.each(['https://kubernetes.io/docs/', 'https://shop.example.com:8443/path?q=1#top'])(
    'opens %s in the system browser',
    (url) => {
      expect(isSafeExternalUrl(url)).toBe(true);
      expect(openExternalIfSafe(url)).toBe(true);
      expect(shell.openExternal).toHaveBeenCalledWith(url);
    },
  );

  it.each([
    'http://example.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'smb://server/share',
    'ms-msdt:/id PCWDiagnostic',
    'vscode://file/etc/passwd',
    'https://user:secret@example.com/',
    'app://scaledesk/',
    '',
    'not a url',
  ])('never opens %j', (url) => {
    expect(isSafeExternalUrl(url)).toBe(false);
    expect(openExternalIfSafe(url)).toBe(false);
    expect(shell.openExternal).not.toHaveBeenCalled();
  });
});
