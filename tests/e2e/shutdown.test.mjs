// Graceful shutdown: on SIGTERM the server stops taking new work, finishes
// the request in flight, and exits 0 within SHUTDOWN_GRACE_S.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  connect,
  readResponse,
  Server,
  skipReason,
  sleep,
  uniqueTag,
  validate,
  within,
} from './harness.mjs';

const kGraceMs = 20000;

// What a new client sees while the server drains: 'refused', 'closed'
// (accepted, then closed without an answer) or the answer's status.
async function newClientOutcome(port) {
  let socket;
  try {
    socket = await connect(port);
  } catch (error) {
    if (error.code === 'ECONNREFUSED') return 'refused';
    throw error;
  }
  socket.on('error', () => {});
  try {
    const answer = readResponse(socket, 5000);
    socket.write(`GET /api/v1/tickets?size=1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    const res = await answer;
    return res ? res.status : 'closed';
  } catch (error) {
    return `no answer: ${error.message}`;
  } finally {
    socket.destroy();
  }
}

describe('graceful shutdown', { skip: skipReason }, () => {
  test('SIGTERM refuses new work, finishes a half-sent POST with 201, then exits 0', async (t) => {
    const srv = new Server({ name: 'shutdown' });
    await srv.start();
    try {
      const body = Buffer.from(
        JSON.stringify({
          title: 'Sent across a shutdown',
          description: 'The body of this request arrives in two halves, SIGTERM in between.',
          priority: 'medium',
          category: 'general',
          department: uniqueTag('drain'),
        }),
      );
      const half = Math.floor(body.length / 2);
      const head =
        'POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        `Authorization: ${srv.authAs('user').Authorization}\r\n` +
        `Content-Length: ${body.length}\r\nX-Request-ID: ${uniqueTag('drain')}\r\n\r\n`;

      const inFlight = await connect(srv.port);
      inFlight.on('error', () => {});
      const answer = readResponse(inFlight, kGraceMs);
      inFlight.write(Buffer.concat([Buffer.from(head), body.subarray(0, half)]));
      await sleep(200); // the server has read the head and waits for the rest

      srv.signal('SIGTERM');
      await sleep(300);

      const outcome = await newClientOutcome(srv.port);
      t.diagnostic(`a new client during the drain: ${outcome}`);
      assert.ok(
        outcome === 'refused' || outcome === 'closed' || outcome === 503,
        `a new client during the drain got ${outcome}; expected refused or 503`,
      );
      assert.equal(srv.exit, null, 'the server waits for the request in flight');

      inFlight.write(body.subarray(half));
      const res = await answer;
      inFlight.destroy();
      assert.ok(res, 'the in-flight request got no answer');
      assert.equal(res.status, 201, `in-flight POST answered ${res.status}: ${res.text}`);
      validate('Ticket', res.json);

      const started = Date.now();
      const exit = await within(srv.exited, kGraceMs + 2000);
      assert.notEqual(exit, 'timeout', `still running ${kGraceMs} ms after the last request\n${srv.logTail()}`);
      assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, srv.logTail());
      assert.ok(Date.now() - started < kGraceMs);
    } finally {
      await srv.stop();
    }
  });

  test('SIGTERM with only an idle keep-alive connection exits 0 promptly', async () => {
    const srv = new Server({ name: 'idle' });
    await srv.start();
    try {
      const idle = await connect(srv.port);
      idle.on('error', () => {});
      const first = readResponse(idle, 5000);
      idle.write('GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      assert.equal((await first)?.status, 200);

      const sent = Date.now();
      srv.signal('SIGTERM');
      const exit = await within(srv.exited, kGraceMs + 2000);
      idle.destroy();
      assert.notEqual(exit, 'timeout', srv.logTail());
      assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null }, srv.logTail());
      assert.ok(Date.now() - sent < 5000, `an idle connection held the exit for ${Date.now() - sent} ms`);
    } finally {
      await srv.stop();
    }
  });
});
