import { describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, startWebServer } from '../../../main/web/server';
import { rawExchange } from '../../fixtures/http-client';
import { useWebServer } from '../../fixtures/web-server';

/** Browser mode's limits on what a connection may send, and how long it may stay open. */

const web = useWebServer();

describe('browser mode request bodies and connections', () => {
  /** Fails with a sentence, rather than the test's own timeout, where the server never acts. */
  const within = <T>(promise: Promise<T>, what: string, ms = 5_000) =>
    Promise.race([
      promise,
      new Promise<never>((_resolve, reject) =>
        setTimeout(() => reject(new Error(`the server did not ${what} within ${ms} ms`)), ms),
      ),
    ]);

  const postHead = (port: number, headers: string) =>
    `POST /api/invoke/app.info HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `Content-Type: application/json\r\n${headers}\r\n`;

  it('refuses a body announced over the limit with 413 before a byte of it is sent, and closes', async () => {
    const exchange = await rawExchange(web.server.port);
    await exchange.write(
      postHead(
        web.server.port,
        `Authorization: Bearer ${web.server.token}\r\nContent-Length: ${256 * 1024 * 1024}\r\n`,
      ),
    );
    await within(exchange.closed, 'answer and close');
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(exchange.received()).toMatch(/\r\nconnection: close\r\n/i);
    expect(web.handlers['app.info']).not.toHaveBeenCalled();
  });

  it('cuts a chunked body off as soon as it passes the limit, without waiting for its end', async () => {
    const exchange = await rawExchange(web.server.port);
    await exchange.write(
      postHead(
        web.server.port,
        `Authorization: Bearer ${web.server.token}\r\nTransfer-Encoding: chunked\r\n`,
      ),
    );
    const chunk = Buffer.alloc(64 * 1024, ' ');
    const frame = Buffer.concat([
      Buffer.from(`${chunk.length.toString(16)}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    ]);
    // One chunk past the limit, and never the last chunk that would end the body.
    for (let sent = 0; sent <= MAX_BODY_BYTES; sent += chunk.length) {
      if (!(await exchange.write(frame))) break;
    }
    await within(exchange.closed, 'answer and close');
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 413 /);
    expect(web.handlers['app.info']).not.toHaveBeenCalled();
  });

  it('answers 408 and closes the connection of a body that arrives too slowly', async () => {
    const slow = await startWebServer({
      handlers: web.handlers,
      bus: web.bus,
      rendererDir: web.rendererDir,
      timeouts: { headersMs: 200, requestMs: 200, checkIntervalMs: 20 },
    });
    try {
      const exchange = await rawExchange(slow.port);
      await exchange.write(
        postHead(slow.port, `Authorization: Bearer ${slow.token}\r\nContent-Length: 100\r\n`),
      );
      await exchange.write('{"a":');
      await within(exchange.closed, 'time the body out', 3_000);
      expect(exchange.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(web.handlers['app.info']).not.toHaveBeenCalled();
    } finally {
      await slow.close();
    }
  });

  it('closes a connection left idle, before and after a request', async () => {
    const idle = await startWebServer({
      handlers: web.handlers,
      bus: web.bus,
      rendererDir: web.rendererDir,
      timeouts: { headersMs: 200, requestMs: 200, keepAliveMs: 200, checkIntervalMs: 20 },
    });
    try {
      const silent = await rawExchange(idle.port);
      await within(silent.closed, 'close a connection that sends nothing', 3_000);

      const kept = await rawExchange(idle.port);
      await kept.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${idle.port}\r\n\r\n`);
      await within(kept.closed, 'close a kept-alive connection', 3_000);
      expect(kept.received()).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      await idle.close();
    }
  });

  it('closes the connection after refusing a request without the token (401)', async () => {
    const exchange = await rawExchange(web.server.port);
    // A request that asks to keep the connection, with a body the server does not want.
    await exchange.write(
      postHead(web.server.port, 'Connection: keep-alive\r\nContent-Length: 2\r\n'),
    );
    await exchange.write('{}');
    await within(exchange.closed, 'close the connection');
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 401 /);
    expect(exchange.received()).toMatch(/\r\nconnection: close\r\n/i);
  });

  it('closes the connection after refusing a foreign Host (403)', async () => {
    const exchange = await rawExchange(web.server.port);
    await exchange.write(`GET / HTTP/1.1\r\nHost: evil.example:${web.server.port}\r\n\r\n`);
    await within(exchange.closed, 'close the connection');
    expect(exchange.received()).toMatch(/^HTTP\/1\.1 403 /);
  });

  it('keeps the connection of an accepted request open for the next one', async () => {
    const exchange = await rawExchange(web.server.port);
    const get = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${web.server.port}\r\n\r\n`;
    await exchange.write(get);
    await within(exchange.answered, 'answer');
    expect(await exchange.write(get)).toBe(true);
    await within(
      new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (exchange.received().match(/HTTP\/1\.1 200 /g)?.length === 2) {
            clearInterval(check);
            resolve();
          }
        }, 10);
      }),
      'answer the second request on the same connection',
    );
    exchange.destroy();
  });
});
