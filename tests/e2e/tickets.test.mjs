// Single-ticket lifecycle: create, read, update, concurrency, status rules,
// assignment and deletion, against a running ticketd.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

import {
  api,
  createTicket,
  errorPaths,
  expectJson,
  expectProblem,
  listAll,
  setStatus,
  skipReason,
  ticketStatuses,
  uniqueTag,
  useServer,
} from './harness.mjs';

const kUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const kActive = ['new', 'open', 'in_progress', 'pending'];

// The brief's transition table, written out from its prose.
function isAllowed(from, to) {
  if (from === to) return false;
  if (kActive.includes(from)) return true;
  if (from === 'resolved') return to === 'closed' || to === 'open';
  return to === 'open'; // closed, cancelled
}

const ticketPath = (id) => `/api/v1/tickets/${id}`;

const notedTicket = () => ({
  title: 'Has internal notes',
  description: 'Internal notes are for agents only.',
  priority: 'low',
  category: 'general',
  department: uniqueTag('notes'),
  internal_notes: 'agent-only remark',
});

// POST without judging the answer's members (another test does).
async function createTicketQuietly(body) {
  const res = await api('POST', '/api/v1/tickets', { body });
  assert.equal(res.status, 201, res.text);
  return res.json;
}

async function getTicket(id, query = '') {
  return expectJson(await api('GET', `${ticketPath(id)}${query}`), 200, 'Ticket');
}

// A ticket already in `status`, reached by one allowed move from new.
async function ticketIn(status, fields = {}) {
  const ticket = await createTicket({ department: uniqueTag('st'), ...fields });
  if (status === 'new') return ticket;
  return setStatus(ticket.id, status);
}

describe('tickets', { skip: skipReason }, () => {
  useServer();

  describe('create', () => {
    test('answers 201 with Location, ETag "1" and the documented defaults', async () => {
      const department = uniqueTag('dept');
      const res = await api('POST', '/api/v1/tickets', {
        body: {
          title: 'VPN drops every five minutes',
          description: 'Since this morning the VPN drops, the whole sales team is affected.',
          priority: 'high',
          category: 'technical',
          department,
        },
      });
      const ticket = expectJson(res, 201, 'Ticket');

      assert.match(ticket.id, kUuid);
      const location = new URL(res.headers.get('location'), 'http://base.invalid');
      assert.equal(location.pathname, ticketPath(ticket.id));
      assert.equal(res.headers.get('etag'), '"1"');
      assert.equal(ticket.version, 1);
      assert.equal(ticket.title, 'VPN drops every five minutes');
      assert.equal(ticket.priority, 'high');
      assert.equal(ticket.category, 'technical');
      assert.equal(ticket.department, department);
      assert.equal(ticket.urgency, 'medium');
      assert.equal(ticket.status, 'new');
      assert.equal(ticket.source_channel, 'api');
      assert.match(ticket.created_by_id ?? '', kUuid, 'created_by_id is set to the caller');
      assert.equal(ticket.resolved_at, null);
      assert.equal(ticket.closed_at, null);

      const fetched = await api('GET', location.pathname);
      assert.equal(expectJson(fetched, 200, 'Ticket').id, ticket.id);
      assert.equal(fetched.headers.get('etag'), '"1"');
    });

    test('accepts the largest documented values', async () => {
      const ticket = await createTicket({
        title: 't'.repeat(255),
        description: 'd'.repeat(100000),
        department: uniqueTag(),
        tags: Array.from({ length: 50 }, (_, i) => `${i}`.padEnd(64, 'g')),
      });
      assert.equal(ticket.title.length, 255);
      assert.equal(ticket.description.length, 100000);
      assert.equal(ticket.tags.length, 50);
    });

    test('answers a due_date given with an offset in UTC', async () => {
      const ticket = await createTicket({ department: uniqueTag(), due_date: '2030-01-01T12:00:00+02:00' });
      assert.match(ticket.due_date, /Z$/);
      assert.equal(Date.parse(ticket.due_date), Date.parse('2030-01-01T10:00:00Z'));
    });

    test('refuses a ticket without its required fields, one error per field', async () => {
      const res = await api('POST', '/api/v1/tickets', { body: { title: 'only a title' } });
      const problem = expectProblem(res, 422, 'VALIDATION_ERROR');
      assert.deepEqual(errorPaths(problem), ['category', 'description', 'priority']);
    });
  });

  describe('get', () => {
    test('hides internal_notes unless include_internal=true', async () => {
      const created = await createTicket({ internal_notes: 'agent-only remark', department: uniqueTag() });

      const byDefault = await getTicket(created.id);
      assert.ok(byDefault.internal_notes == null, `internal_notes leaked: ${byDefault.internal_notes}`);

      const explicitFalse = await getTicket(created.id, '?include_internal=false');
      assert.ok(explicitFalse.internal_notes == null);

      const included = await getTicket(created.id, '?include_internal=true');
      assert.equal(included.internal_notes, 'agent-only remark');
    });

    const writes = [
      { name: 'POST', run: () => api('POST', '/api/v1/tickets', { body: notedTicket() }), status: 201 },
      { name: 'PUT', run: (id) => api('PUT', ticketPath(id), { body: { title: 'changed' } }), status: 200 },
      { name: 'PATCH', run: (id) => api('PATCH', ticketPath(id), { body: { title: 'changed' } }), status: 200 },
      { name: 'PATCH status', run: (id) => api('PATCH', `${ticketPath(id)}/status`, { body: { status: 'open' } }), status: 200 },
      { name: 'PATCH assign', run: (id) => api('PATCH', `${ticketPath(id)}/assign`, { body: { assigned_to_id: null } }), status: 200 },
    ];
    for (const { name, run, status } of writes) {
      test(`the ${name} answer does not carry internal_notes`, async () => {
        const created = await createTicketQuietly(notedTicket());
        const ticket = expectJson(await run(created.id), status, 'Ticket');
        assert.ok(!('internal_notes' in ticket), `internal_notes in the ${name} answer: ${ticket.internal_notes}`);
      });
    }

    test('gives ai_analysis null with include_ai_data=false', async () => {
      const created = await createTicket({ department: uniqueTag() });
      const ticket = await getTicket(created.id, '?include_ai_data=false');
      assert.ok(ticket.ai_analysis == null);
    });

    test('answers 404 for an id that is not a UUID', async () => {
      for (const id of ['not-a-uuid', '12345', '8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a1']) {
        expectProblem(await api('GET', ticketPath(id)), 404, 'NOT_FOUND');
      }
    });

    test('answers 404 for an unknown ticket', async () => {
      expectProblem(await api('GET', ticketPath('8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10')), 404, 'NOT_FOUND');
    });
  });

  describe('PUT', () => {
    test('changes only the given fields, raises version and the ETag', async () => {
      const before = await createTicket({
        title: 'Printer jams',
        priority: 'low',
        category: 'technical',
        department: uniqueTag(),
        tags: ['printer'],
        metadata: { floor: 3 },
      });

      const res = await api('PUT', ticketPath(before.id), { body: { title: 'Printer jams on tray 2' } });
      const after = expectJson(res, 200, 'Ticket');

      assert.equal(after.title, 'Printer jams on tray 2');
      assert.equal(after.version, before.version + 1);
      assert.equal(res.headers.get('etag'), `"${after.version}"`);
      const volatile = new Set(['title', 'version', 'updated_at', 'last_activity_at']);
      for (const [key, value] of Object.entries(before)) {
        if (!volatile.has(key)) assert.deepEqual(after[key], value, `PUT changed ${key}`);
      }
      const { internal_notes: _, ...afterPublic } = after; // covered by its own test
      assert.deepEqual(await getTicket(before.id), afterPublic);
    });

    test('with an empty body answers the ticket without raising version', async () => {
      const created = await createTicket({ department: uniqueTag() });
      const res = await api('PUT', ticketPath(created.id), { body: {} });
      assert.equal(expectJson(res, 200, 'Ticket').version, created.version);
      assert.equal(res.headers.get('etag'), `"${created.version}"`);
    });

    test('replaces metadata rather than merging it', async () => {
      const created = await createTicket({ department: uniqueTag(), metadata: { a: 1, b: 2 } });
      const res = await api('PUT', ticketPath(created.id), { body: { metadata: { c: 3 } } });
      assert.deepEqual(expectJson(res, 200, 'Ticket').metadata, { c: 3 });
    });

    test('refuses null for each required field with 422 naming it', async () => {
      const created = await createTicket({ department: uniqueTag() });
      const required = [
        'title', 'description', 'priority', 'urgency', 'category', 'status', 'tags', 'metadata',
        'source_channel',
      ];
      for (const field of required) {
        const res = await api('PUT', ticketPath(created.id), { body: { [field]: null } });
        const problem = expectProblem(res, 422, 'VALIDATION_ERROR');
        assert.deepEqual(errorPaths(problem), [field], `null ${field}`);
      }
      assert.equal((await getTicket(created.id)).version, created.version, 'a refused write changes nothing');
    });

    test('refuses unknown and read-only members with one error each', async () => {
      const created = await createTicket({ department: uniqueTag() });
      const body = {
        id: '8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10',
        version: 7,
        created_at: '2020-01-01T00:00:00Z',
        is_deleted: true,
        colour: 'blue',
        title: 'a valid change that must not be applied alone',
      };
      const problem = expectProblem(await api('PUT', ticketPath(created.id), { body }), 422, 'VALIDATION_ERROR');
      assert.deepEqual(errorPaths(problem), ['colour', 'created_at', 'id', 'is_deleted', 'version']);

      const unchanged = await getTicket(created.id);
      assert.equal(unchanged.title, created.title);
      assert.equal(unchanged.version, created.version);
    });
  });

  describe('PATCH', () => {
    test('merges metadata by RFC 7396 and clears department with null (merge-patch+json)', async () => {
      const created = await createTicket({
        department: uniqueTag(),
        metadata: { keep: 1, drop: 2, nested: { a: 1, b: 2 } },
      });
      const res = await api('PATCH', ticketPath(created.id), {
        raw: JSON.stringify({ metadata: { drop: null, nested: { b: 3, c: 4 }, added: true }, department: null }),
        headers: { 'Content-Type': 'application/merge-patch+json' },
      });
      const ticket = expectJson(res, 200, 'Ticket');
      assert.deepEqual(ticket.metadata, { keep: 1, nested: { a: 1, b: 3, c: 4 }, added: true });
      assert.equal(ticket.department, null);
      assert.equal(ticket.version, created.version + 1);
      assert.equal(res.headers.get('etag'), `"${ticket.version}"`);
    });

    test('accepts application/json and changes only the given field', async () => {
      const created = await createTicket({ priority: 'low', department: uniqueTag() });
      const res = await api('PATCH', ticketPath(created.id), { body: { priority: 'critical' } });
      const ticket = expectJson(res, 200, 'Ticket');
      assert.equal(ticket.priority, 'critical');
      assert.equal(ticket.title, created.title);
      assert.equal(ticket.department, created.department);
      assert.equal(ticket.version, created.version + 1);
    });

    test('refuses null for a required field with 422', async () => {
      const created = await createTicket({ department: uniqueTag() });
      const res = await api('PATCH', ticketPath(created.id), {
        raw: JSON.stringify({ title: null }),
        headers: { 'Content-Type': 'application/merge-patch+json' },
      });
      assert.deepEqual(errorPaths(expectProblem(res, 422, 'VALIDATION_ERROR')), ['title']);
    });
  });

  describe('If-Match', () => {
    const writes = [
      { name: 'PUT', method: 'PUT', path: (id) => ticketPath(id), body: { title: 'changed' } },
      { name: 'PATCH', method: 'PATCH', path: (id) => ticketPath(id), body: { title: 'changed' } },
      { name: 'PATCH status', method: 'PATCH', path: (id) => `${ticketPath(id)}/status`, body: { status: 'open' } },
    ];

    for (const write of writes) {
      test(`${write.name} with a stale If-Match answers 412 and changes nothing`, async () => {
        const created = await createTicket({ department: uniqueTag() });
        await api('PATCH', ticketPath(created.id), { body: { priority: 'high' } }); // version 2
        const before = await getTicket(created.id);

        const res = await api(write.method, write.path(created.id), {
          body: write.body,
          headers: { 'If-Match': '"1"' },
        });
        expectProblem(res, 412, 'PRECONDITION_FAILED');
        assert.deepEqual(await getTicket(created.id), before);
      });

      test(`${write.name} with the current If-Match succeeds`, async () => {
        const created = await createTicket({ department: uniqueTag() });
        const res = await api(write.method, write.path(created.id), {
          body: write.body,
          headers: { 'If-Match': `"${created.version}"` },
        });
        assert.equal(expectJson(res, 200, 'Ticket').version, created.version + 1);
      });
    }

    test('DELETE with a stale If-Match answers 412 and keeps the ticket', async () => {
      const created = await createTicket({ department: uniqueTag() });
      await api('PATCH', ticketPath(created.id), { body: { priority: 'high' } }); // version 2
      expectProblem(await api('DELETE', ticketPath(created.id), { headers: { 'If-Match': '"1"' } }), 412, 'PRECONDITION_FAILED');
      assert.equal((await getTicket(created.id)).version, 2);
      assert.equal((await api('DELETE', ticketPath(created.id), { headers: { 'If-Match': '"2"' } })).status, 204);
    });

    test('a GET after a change carries the new ETag', async () => {
      const created = await createTicket({ department: uniqueTag() });
      await api('PUT', ticketPath(created.id), { body: { title: 'once' } });
      await api('PUT', ticketPath(created.id), { body: { title: 'twice' } });
      const res = await api('GET', ticketPath(created.id));
      assert.equal(res.headers.get('etag'), '"3"');
      assert.equal(expectJson(res, 200, 'Ticket').version, 3);
    });

    const lists = [
      { header: (v) => `"${v}", "999"`, ok: true, name: 'a list holding the current tag' },
      { header: (v) => `"999","${v}"`, ok: true, name: 'a list holding it last' },
      { header: (v) => `W/"${v}"`, ok: false, name: 'a weak tag' },
      { header: (v) => `"0${v}"`, ok: false, name: 'the version with a leading zero' },
    ];
    for (const { header, ok, name } of lists) {
      test(`If-Match with ${name} ${ok ? 'succeeds' : 'answers 412'}`, async () => {
        const created = await createTicket();
        const res = await api('PUT', ticketPath(created.id), {
          body: { title: 'listed' },
          headers: { 'If-Match': header(created.version) },
        });
        if (ok) expectJson(res, 200, 'Ticket');
        else expectProblem(res, 412, 'PRECONDITION_FAILED');
      });
    }

    test('If-Match * matches any current version', async () => {
      const created = await createTicket({ department: uniqueTag() });
      const res = await api('PUT', ticketPath(created.id), { body: { title: 'star' }, headers: { 'If-Match': '*' } });
      assert.equal(expectJson(res, 200, 'Ticket').title, 'star');
    });
  });

  describe('status transitions', () => {
    for (const from of ticketStatuses) {
      for (const to of ticketStatuses) {
        const allowed = isAllowed(from, to);
        test(`${from} -> ${to} ${allowed ? 'is allowed' : 'answers 409'}`, async () => {
          const ticket = await ticketIn(from);
          const res = await api('PATCH', `${ticketPath(ticket.id)}/status`, { body: { status: to } });

          if (!allowed) {
            expectProblem(res, 409, 'INVALID_TRANSITION');
            const unchanged = await getTicket(ticket.id);
            assert.equal(unchanged.status, from, 'a refused transition changes nothing');
            assert.equal(unchanged.version, ticket.version);
            return;
          }
          const moved = expectJson(res, 200, 'Ticket');
          assert.equal(moved.status, to);
          assert.equal(moved.version, ticket.version + 1);
          if (to === 'resolved') assert.ok(moved.resolved_at, 'entering resolved sets resolved_at');
          if (to === 'closed') {
            assert.ok(moved.closed_at, 'entering closed sets closed_at');
            assert.ok(moved.resolved_at, 'entering closed sets resolved_at when unset');
          }
          if (to === 'open' && ['resolved', 'closed', 'cancelled'].includes(from)) {
            assert.equal(moved.resolved_at, null, 'reopening clears resolved_at');
            assert.equal(moved.closed_at, null, 'reopening clears closed_at');
          }
        });
      }
    }

    test('closing a resolved ticket keeps its resolved_at', async () => {
      const resolved = await ticketIn('resolved');
      const closed = await setStatus(resolved.id, 'closed');
      assert.equal(closed.resolved_at, resolved.resolved_at);
      assert.ok(closed.closed_at);
    });

    test('stores resolution_summary given with the status change', async () => {
      const ticket = await ticketIn('open');
      const res = await api('PATCH', `${ticketPath(ticket.id)}/status`, {
        body: { status: 'resolved', resolution_summary: 'Replaced the router.' },
      });
      assert.equal(expectJson(res, 200, 'Ticket').resolution_summary, 'Replaced the router.');
    });

    test('PUT obeys the same rules: a forbidden status answers 409', async () => {
      const ticket = await ticketIn('closed');
      const res = await api('PUT', ticketPath(ticket.id), { body: { status: 'resolved' } });
      expectProblem(res, 409, 'INVALID_TRANSITION');
    });

    test('an unknown status answers 422', async () => {
      const ticket = await ticketIn('new');
      const res = await api('PATCH', `${ticketPath(ticket.id)}/status`, { body: { status: 'done' } });
      assert.deepEqual(errorPaths(expectProblem(res, 422, 'VALIDATION_ERROR')), ['status']);
    });
  });

  describe('assign', () => {
    test('assigns to a user and unassigns with null', async () => {
      const created = await createTicket({ department: uniqueTag() });
      // The creator certainly exists, should assignees have to be users.
      const assignee = created.created_by_id ?? randomUUID();

      const assigned = await api('PATCH', `${ticketPath(created.id)}/assign`, {
        body: { assigned_to_id: assignee, reason: 'on call' },
      });
      assert.equal(expectJson(assigned, 200, 'Ticket').assigned_to_id, assignee);
      assert.equal((await getTicket(created.id)).assigned_to_id, assignee);

      const unassigned = await api('PATCH', `${ticketPath(created.id)}/assign`, { body: { assigned_to_id: null } });
      assert.equal(expectJson(unassigned, 200, 'Ticket').assigned_to_id, null);
      assert.equal((await getTicket(created.id)).assigned_to_id, null);
    });

    test('refuses an assignee that is not a UUID with 422', async () => {
      const created = await createTicket({ department: uniqueTag() });
      const res = await api('PATCH', `${ticketPath(created.id)}/assign`, { body: { assigned_to_id: 'bob' } });
      assert.deepEqual(errorPaths(expectProblem(res, 422, 'VALIDATION_ERROR')), ['assigned_to_id']);
    });
  });

  describe('delete', () => {
    test('answers 204, then the ticket is 404 and absent from lists', async () => {
      const department = uniqueTag('del');
      const doomed = await createTicket({ department });
      const kept = await createTicket({ department });

      const res = await api('DELETE', ticketPath(doomed.id));
      assert.equal(res.status, 204);
      assert.equal(res.text, '');

      expectProblem(await api('GET', ticketPath(doomed.id)), 404, 'NOT_FOUND');
      const { items, total } = await listAll({ department });
      assert.deepEqual(items.map((t) => t.id), [kept.id]);
      assert.equal(total, 1);
    });

    test('a second delete answers 404', async () => {
      const doomed = await createTicket({ department: uniqueTag() });
      assert.equal((await api('DELETE', ticketPath(doomed.id))).status, 204);
      expectProblem(await api('DELETE', ticketPath(doomed.id)), 404, 'NOT_FOUND');
    });

    test('a deleted ticket cannot be updated', async () => {
      const doomed = await createTicket({ department: uniqueTag() });
      assert.equal((await api('DELETE', ticketPath(doomed.id))).status, 204);
      expectProblem(await api('PUT', ticketPath(doomed.id), { body: { title: 'zombie' } }), 404, 'NOT_FOUND');
    });
  });
});
