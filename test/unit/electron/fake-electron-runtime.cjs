/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS, preloaded with node --require */
// Preloaded with `node --require` before the bundled dist/main/main.cjs, in place of the
// Electron runtime: answers `require('electron')` with recording fakes, drives the app through
// 'ready', invokes an operation through the registered IPC handler as the window's page would,
// and prints what happened as one JSON line on exit. Settings: env FAKE_ELECTRON_LOCK=0 makes
// the single-instance lock fail; FAKE_ELECTRON_USER_DATA is the userData folder.
const Module = require('node:module');
const { EventEmitter } = require('node:events');

const record = { calls: [], windows: [], ipc: {}, invokeResult: null, errors: [] };
const call = (name, ...args) => record.calls.push([name, ...args]);

class WebContents extends EventEmitter {
  constructor() {
    super();
    this.mainFrame = { url: 'about:blank', processId: 1, routingId: 1 };
  }
  setWindowOpenHandler() {
    call('setWindowOpenHandler');
  }
  send(channel, message) {
    call('webContents.send', channel, message);
  }
  isDestroyed() {
    return false;
  }
  getURL() {
    return this.mainFrame.url;
  }
}

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.webContents = new WebContents();
    record.windows.push({ options });
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL(url) {
    record.windows[record.windows.length - 1].url = url;
    this.webContents.mainFrame.url = url;
    return Promise.resolve();
  }
  isDestroyed() {
    return false;
  }
  isMaximized() {
    return false;
  }
  maximize() {}
  show() {}
  getNormalBounds() {
    return { x: 0, y: 0, width: 1280, height: 820 };
  }
}

const app = Object.assign(new EventEmitter(), {
  isPackaged: false,
  requestSingleInstanceLock: () => (
    call('requestSingleInstanceLock'),
    process.env.FAKE_ELECTRON_LOCK !== '0'
  ),
  quit: () => call('quit'),
  exit: (code) => {
    call('exit', code);
    process.stdout.write(`${JSON.stringify(record)}\n`);
    process.exit(0);
  },
  whenReady: () => Promise.resolve(),
  getVersion: () => '1.2.3',
  getPath: (name) => (name === 'userData' ? process.env.FAKE_ELECTRON_USER_DATA : '/tmp'),
});

const ipcMain = Object.assign(new EventEmitter(), {
  handle: (channel, listener) => {
    call('ipcMain.handle', channel);
    record.ipc[channel] = listener;
  },
  removeHandler: () => {},
});

const session = {
  defaultSession: {
    setPermissionRequestHandler: () => call('setPermissionRequestHandler'),
    setPermissionCheckHandler: () => call('setPermissionCheckHandler'),
    setDevicePermissionHandler: () => call('setDevicePermissionHandler'),
    setDisplayMediaRequestHandler: () => call('setDisplayMediaRequestHandler'),
  },
};

const electron = {
  app,
  ipcMain,
  session,
  BrowserWindow,
  protocol: {
    registerSchemesAsPrivileged: (schemes) => call('registerSchemesAsPrivileged', schemes),
    handle: (scheme) => call('protocol.handle', scheme),
  },
  Menu: {
    buildFromTemplate: (template) => template,
    setApplicationMenu: () => call('setApplicationMenu'),
  },
  screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
  shell: { openExternal: async () => {} },
  dialog: { showErrorBox: (title, message) => record.errors.push(`${title}: ${message}`) },
};

const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'electron' ? electron : load.call(this, request, ...rest);
};

// Once the app has opened its window, call app.info as the window's page; or, once it has
// quit, report that. Gives up after 30 seconds.
const deadline = Date.now() + 30_000;
const poll = setInterval(async () => {
  const handler = record.ipc['scaledesk:invoke'];
  const opened = handler && record.windows.length > 0;
  const quit = record.calls.some(([name]) => name === 'quit');
  if (!opened && !quit && Date.now() < deadline) return;
  clearInterval(poll);
  if (opened) {
    const contents = BrowserWindow.last;
    record.invokeResult = await handler(
      { sender: contents, senderFrame: contents.mainFrame },
      'app.info',
      {},
    );
  }
  process.stdout.write(`${JSON.stringify(record)}\n`);
  process.exit(0);
}, 20);

app.on('web-contents-created', (_event, contents) => (BrowserWindow.last = contents));
