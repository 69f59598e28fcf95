// Connection limits and slow clients: the server keeps at most
// HTTP_MAX_CONNECTIONS open, closes idle keep-alive connections after
// HTTP_IDLE_TIMEOUT_S, and drops a request that does not arrive in full
// within HTTP_READ_TIMEOUT_S.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { connect, readResponse, Server, skipReason, sleep, within } from './harness.mjs';

// Resolves with the milliseconds until the server closed `socket`.
function closedAfter(socket) {
  const started = Date.now();
  return new Promise((resolve) => {
    socket.once('close', () => resolve(Date.now() - started));
  });
}

const liveRequest = 'GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';

describe('connection limit', { skip: skipReason }, () => {
  const kLimit = 3;
  let srv;
  before(async () => {
    srv = await new Server({ name: 'limits', env: { HTTP_MAX_CONNECTIONS: String(kLimit) } }).start();
  });
  after(async () => srv?.stop());

  test('connections over HTTP_MAX_CONNECTIONS are closed unanswered and counted', async () => {
    const sockets = [];
    let refused = null;
    try {
      // The harness's own keep-alive connection may hold a slot, so open
      // until one is refused rather than exactly kLimit + 1.
      for (let i = 0; i <= kLimit && refused === null; i += 1) {
        const socket = await connect(srv.port);
        socket.on('error', () => {});
        sockets.push(socket);
        const answer = readResponse(socket, 5000);
        socket.write(liveRequest);
        const res = await answer;
        if (res === null) refused = i;
        else assert.equal(res.status, 200);
      }
      assert.notEqual(refused, null, `all ${kLimit + 1} connections were served`);
      assert.ok(refused >= 1, 'the first connection must be served');
    } finally {
      for (const socket of sockets) socket.destroy();
    }

    await sleep(200);
    const metrics = await fetch(`${srv.baseUrl}/metrics`).then((r) => r.text());
    const rejected = /^http_connections_rejected_total (\d+)/m.exec(metrics);
    assert.ok(rejected && Number(rejected[1]) >= 1, `rejections not counted:\n${metrics}`);
  });
});

describe('slow and idle clients', { skip: skipReason }, () => {
  let srv;
  before(async () => {
    srv = await new Server({
      name: 'timeouts',
      env: { HTTP_IDLE_TIMEOUT_S: '1', HTTP_READ_TIMEOUT_S: '1' },
      // No accounts (no test here needs one): each `ticketd user create`
      // blocks the event loop, on a loaded machine past the 1 s idle
      // timeout, and the next sign-in then reuses a pooled connection the
      // server has just closed ('fetch failed' in the before hook).
      accounts: false,
    }).start();
  });
  after(async () => srv?.stop());

  test('an idle keep-alive connection is closed after HTTP_IDLE_TIMEOUT_S', async () => {
    const socket = await connect(srv.port);
    socket.on('error', () => {});
    const closed = closedAfter(socket);
    const answer = readResponse(socket, 5000);
    socket.write(liveRequest);
    assert.equal((await answer).status, 200);
    const ms = await within(closed, 5000, 'the idle connection stayed open');
    assert.equal(typeof ms, 'number', ms);
    assert.ok(ms >= 800 && ms < 4000, `closed after ${ms} ms`);
  });

  test('a request trickling in slower than HTTP_READ_TIMEOUT_S is dropped', async () => {
    const socket = await connect(srv.port);
    socket.on('error', () => {});
    const closed = closedAfter(socket);
    socket.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // A slow-loris client: one header line every 400 ms, never finishing.
    const drip = setInterval(() => socket.write(`X-Drip-${Date.now()}: 1\r\n`), 400);
    try {
      const ms = await within(closed, 5000, 'the slow request was never dropped');
      assert.equal(typeof ms, 'number', ms);
      assert.ok(ms >= 800 && ms < 4000, `dropped after ${ms} ms`);
    } finally {
      clearInterval(drip);
      socket.destroy();
    }
  });

  test('the server still answers after dropping slow clients', async () => {
    const res = await fetch(`${srv.baseUrl}/health/live`);
    assert.equal(res.status, 200);
  });
});
