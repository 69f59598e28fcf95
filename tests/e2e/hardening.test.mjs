// Fixes from the attack runs on the hardened surface (issue #3): framing
// that a proxy could read differently, names that forge lines or reverse
// text, and assignees that are nobody.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

import {
  api,
  connect,
  createTicket,
  errorPaths,
  expectJson,
  expectProblem,
  rawRequest,
  server,
  skipReason,
  uniqueTag,
  useServer,
} from './harness.mjs';

function post(path, headers, body) {
  const lines = [`POST ${path} HTTP/1.1`, ...headers, `Content-Length: ${Buffer.byteLength(body)}`, '', body];
  return rawRequest(server().port, lines.join('\r\n'));
}

// Writes `payload` on a new connection and reads until the server closes
// it: every answer's text and the status of each, in order.
async function untilClosed(payload) {
  const socket = await connect(server().port);
  socket.on('error', () => {});
  const received = [];
  const closed = new Promise((resolve) => {
    socket.on('data', (chunk) => received.push(chunk));
    socket.once('close', resolve);
  });
  socket.write(payload);
  await closed;
  const text = Buffer.concat(received).toString('utf8');
  const statuses = [...text.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1]));
  return { text, statuses };
}

describe('hardening', { skip: skipReason }, () => {
  useServer();

  test('two Host headers are 400, other transfer and content codings are refused', async () => {
    const auth = `Authorization: Bearer ${server().accounts.user.token}`;
    const json = 'Content-Type: application/json';
    const twoHosts = await post('/api/v1/tickets', ['Host: a', 'Host: b', auth, json], '{}');
    assert.equal(twoHosts.status, 400);
    const gzip = await post('/api/v1/tickets', ['Host: a', auth, json, 'Content-Encoding: gzip'], '{}');
    assert.equal(gzip.status, 415);
    const chunks = '2\r\n{}\r\n0\r\n\r\n';
    const coded = await rawRequest(
      server().port,
      ['POST /api/v1/tickets HTTP/1.1', 'Host: a', auth, json, 'Transfer-Encoding: gzip, chunked', '', chunks].join('\r\n'),
    );
    assert.equal(coded.status, 501);
    const plain = await post('/api/v1/tickets', ['Host: a', auth, json], '{}');
    assert.equal(plain.status, 422, 'the same request with one Host reaches validation');
  });

  // Regression (attack run of 2026-12-04): a body behind "Transfer-Encoding:
  // gzip" was left unread after the 501 and then served as a second request
  // on the same connection, so a DELETE hidden in it ran.
  test('a body whose framing is refused is never read as a next request', async () => {
    const ticket = await createTicket({ department: uniqueTag() });
    // The ticket's creator (admin) could delete it with a request of its own.
    const auth = `Authorization: Bearer ${server().accounts.admin.token}`;
    const hidden = [`DELETE /api/v1/tickets/${ticket.id} HTTP/1.1`, 'Host: a', auth, '', ''].join('\r\n');
    for (const coding of ['gzip', 'chunked, gzip', 'gzip, chunked']) {
      const head = ['POST /api/v1/tickets HTTP/1.1', 'Host: a', auth, 'Content-Type: application/json'];
      const { text, statuses } = await untilClosed([...head, `Transfer-Encoding: ${coding}`, '', hidden].join('\r\n'));
      // Without a final chunked the framing is refused (400); with one, the
      // hidden request is not a chunk and the parser refuses it (400).
      assert.deepEqual(statuses, [400], `${coding}: ${text}`);
      assert.match(text, /\r\nConnection: close\r\n/i, coding);
    }
    const still = expectJson(await api('GET', `/api/v1/tickets/${ticket.id}`), 200, 'Ticket');
    assert.equal(still.version, ticket.version, 'the hidden DELETE did not run');
  });

  test('after a head refused for its Host or target, nothing more is read on the connection', async () => {
    const next = 'GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n';
    const heads = [
      'POST /api/v1/tickets HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      'GET http://other.example/health/live HTTP/1.1\r\nHost: a\r\n\r\n',
    ];
    for (const head of heads) {
      const { text, statuses } = await untilClosed(head + next);
      assert.deepEqual(statuses, [400], text);
      assert.match(text, /\r\nConnection: close\r\n/i);
    }
  });

  test('names with line breaks, escapes or direction overrides are refused', async () => {
    for (const name of ['Bob\r\nX-Evil: 1', 'Red \u001b[31m', 'Evil \u202e txt', '\u0085next', '  ']) {
      const body = { email: `${uniqueTag('name')}@example.com`, full_name: name, password: 'a long passphrase here ok' };
      const problem = expectProblem(await api('POST', '/api/v1/auth/register', { body, as: null }), 422);
      assert.deepEqual(errorPaths(problem), ['full_name'], JSON.stringify(name));
    }
    const change = await api('PUT', '/api/v1/auth/me', { body: { full_name: 'Tab\there' }, as: 'user' });
    assert.deepEqual(errorPaths(expectProblem(change, 422)), ['full_name']);
    const key = await api('POST', '/api/v1/api-keys', { body: { name: 'ci\nbot', role: 'api_user' } });
    assert.deepEqual(errorPaths(expectProblem(key, 422)), ['name']);
    const ok = { email: `${uniqueTag('name')}@example.com`, full_name: 'José Ñúñez 李', password: 'a long passphrase here ok' };
    expectJson(await api('POST', '/api/v1/auth/register', { body: ok, as: null }), 201);
  });

  test('a ticket is assigned only to an active member of staff', async () => {
    const ticket = await createTicket({ department: uniqueTag() });
    const assign = `/api/v1/tickets/${ticket.id}/assign`;
    for (const assignee of [randomUUID(), server().accounts.user.id, server().accounts.api_user.id]) {
      const problem = expectProblem(await api('PATCH', assign, { body: { assigned_to_id: assignee } }), 422);
      assert.deepEqual(errorPaths(problem), ['assigned_to_id']);
    }
    const put = await api('PUT', `/api/v1/tickets/${ticket.id}`, { body: { assigned_to_id: randomUUID() } });
    assert.deepEqual(errorPaths(expectProblem(put, 422)), ['assigned_to_id']);
    const agent = server().accounts.agent.id;
    const assigned = expectJson(await api('PATCH', assign, { body: { assigned_to_id: agent } }), 200, 'Ticket');
    assert.equal(assigned.assigned_to_id, agent);
    assert.equal(assigned.version, ticket.version + 1);
  });
});
