// GET /api/v1/tickets/stats/overview: shape, and counters that move as
// tickets are created, resolved and deleted. The database is shared, so the
// counters are compared as deltas around this file's own changes; when
// another writer changes them at the same moment the measurement is taken
// again (a few times), never loosened.

import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { describe, test } from 'node:test';

import {
  api,
  createTicket,
  expectJson,
  setStatus,
  skipReason,
  sleep,
  ticketCategories,
  ticketPriorities,
  ticketStatuses,
  uniqueTag,
  useServer,
} from './harness.mjs';

const kAttempts = 8;

async function stats() {
  return expectJson(await api('GET', '/api/v1/tickets/stats/overview'), 200, 'TicketStats');
}

// Flattens the counters into {name: number} for delta arithmetic.
function counters(s) {
  const flat = {
    total_tickets: s.total_tickets,
    open_tickets: s.open_tickets,
    resolved_tickets: s.resolved_tickets,
    overdue_tickets: s.overdue_tickets,
    tickets_created_today: s.tickets_created_today,
    tickets_resolved_today: s.tickets_resolved_today,
  };
  for (const [group, values] of [
    ['tickets_by_status', s.tickets_by_status],
    ['tickets_by_priority', s.tickets_by_priority],
    ['tickets_by_category', s.tickets_by_category],
  ]) {
    for (const [key, value] of Object.entries(values)) flat[`${group}.${key}`] = value;
  }
  return flat;
}

function deltas(before, after) {
  const a = counters(before);
  const b = counters(after);
  return Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]));
}

// Runs setup(), then act(state) between two readings, until the deltas
// equal `expected` (keys absent from `expected` must not move) or the
// attempts run out. Each attempt starts from a fresh setup().
async function expectDeltas(expected, act, setup = async () => undefined) {
  let last;
  for (let attempt = 1; attempt <= kAttempts; attempt += 1) {
    const state = await setup();
    const before = await stats();
    await act(state);
    const after = await stats();
    const got = deltas(before, after);
    const want = Object.fromEntries(Object.keys(got).map((k) => [k, expected[k] ?? 0]));
    try {
      assert.deepEqual(got, want);
      return;
    } catch (error) {
      last = error;
      await sleep(100 + randomInt(400)); // let a concurrent writer finish
    }
  }
  throw last;
}

// A ticket of its own department, moved through `statuses` in order.
async function ticketThrough(statuses, fields = {}) {
  const ticket = await createTicket({ department: uniqueTag(), ...fields });
  for (const status of statuses) await setStatus(ticket.id, status);
  return ticket;
}

describe('ticket statistics', { skip: skipReason }, () => {
  useServer();

  test('overview has every counter as a non-negative number and every enum value', async () => {
    const s = await stats();
    for (const key of [
      'total_tickets', 'open_tickets', 'resolved_tickets', 'overdue_tickets',
      'tickets_created_today', 'tickets_resolved_today',
    ]) {
      assert.ok(Number.isInteger(s[key]) && s[key] >= 0, `${key}=${s[key]}`);
    }
    assert.equal(typeof s.average_resolution_time, 'number');
    assert.ok(s.average_resolution_time >= 0);
    assert.deepEqual(Object.keys(s.tickets_by_status).sort(), [...ticketStatuses].sort());
    assert.deepEqual(Object.keys(s.tickets_by_priority).sort(), [...ticketPriorities].sort());
    assert.deepEqual(Object.keys(s.tickets_by_category).sort(), [...ticketCategories].sort());
  });

  test('the groups add up to the total', async () => {
    const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0);
    let last;
    for (let attempt = 1; attempt <= kAttempts; attempt += 1) {
      const s = await stats();
      const st = s.tickets_by_status;
      try {
        assert.equal(sum(st), s.total_tickets, 'by status');
        assert.equal(sum(s.tickets_by_priority), s.total_tickets, 'by priority');
        assert.equal(sum(s.tickets_by_category), s.total_tickets, 'by category');
        assert.equal(s.open_tickets, st.new + st.open + st.in_progress + st.pending, 'open');
        assert.equal(s.resolved_tickets, st.resolved + st.closed, 'resolved');
        return;
      } catch (error) {
        last = error; // a reading taken while another writer was busy
        await sleep(100 + randomInt(400));
      }
    }
    throw last;
  });

  test('a new ticket counts in total, open, created today and its groups', async () => {
    await expectDeltas(
      {
        total_tickets: 1,
        open_tickets: 1,
        tickets_created_today: 1,
        'tickets_by_status.new': 1,
        'tickets_by_priority.critical': 1,
        'tickets_by_category.security': 1,
      },
      () => createTicket({ department: uniqueTag(), priority: 'critical', category: 'security' }),
    );
  });

  test('resolving moves a ticket from open to resolved and counts it resolved today', async () => {
    await expectDeltas(
      {
        open_tickets: -1,
        resolved_tickets: 1,
        tickets_resolved_today: 1,
        'tickets_by_status.in_progress': -1,
        'tickets_by_status.resolved': 1,
      },
      (ticket) => setStatus(ticket.id, 'resolved'),
      () => ticketThrough(['in_progress']),
    );
  });

  test('closing a resolved ticket keeps it resolved', async () => {
    await expectDeltas(
      { 'tickets_by_status.resolved': -1, 'tickets_by_status.closed': 1 },
      (ticket) => setStatus(ticket.id, 'closed'),
      () => ticketThrough(['resolved']),
    );
  });

  test('reopening a closed ticket makes it open and no longer resolved', async () => {
    await expectDeltas(
      {
        open_tickets: 1,
        resolved_tickets: -1,
        tickets_resolved_today: -1,
        'tickets_by_status.closed': -1,
        'tickets_by_status.open': 1,
      },
      (ticket) => setStatus(ticket.id, 'open'),
      () => ticketThrough(['closed']),
    );
  });

  test('cancelling takes a ticket out of open work without resolving it', async () => {
    await expectDeltas(
      { open_tickets: -1, 'tickets_by_status.new': -1, 'tickets_by_status.cancelled': 1 },
      (ticket) => setStatus(ticket.id, 'cancelled'),
      () => ticketThrough([]),
    );
  });

  test('a past due_date counts as overdue', async () => {
    const past = new Date(Date.now() - 2 * 24 * 3600 * 1000).toISOString();
    await expectDeltas(
      {
        total_tickets: 1,
        open_tickets: 1,
        overdue_tickets: 1,
        tickets_created_today: 1,
        'tickets_by_status.new': 1,
        'tickets_by_priority.medium': 1,
        'tickets_by_category.general': 1,
      },
      () => createTicket({ department: uniqueTag(), due_date: past }),
    );
  });

  test('resolving an overdue ticket ends its overdue count', async () => {
    const past = new Date(Date.now() - 2 * 24 * 3600 * 1000).toISOString();
    await expectDeltas(
      {
        open_tickets: -1,
        overdue_tickets: -1,
        resolved_tickets: 1,
        tickets_resolved_today: 1,
        'tickets_by_status.new': -1,
        'tickets_by_status.resolved': 1,
      },
      (ticket) => setStatus(ticket.id, 'resolved'),
      () => ticketThrough([], { due_date: past }),
    );
  });

  test('a future due_date is not overdue', async () => {
    const future = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
    await expectDeltas(
      {
        total_tickets: 1,
        open_tickets: 1,
        tickets_created_today: 1,
        'tickets_by_status.new': 1,
        'tickets_by_priority.medium': 1,
        'tickets_by_category.general': 1,
      },
      () => createTicket({ department: uniqueTag(), due_date: future }),
    );
  });

  test('a deleted ticket is not counted', async () => {
    await expectDeltas(
      {
        total_tickets: -1,
        open_tickets: -1,
        tickets_created_today: -1,
        'tickets_by_status.new': -1,
        'tickets_by_priority.high': -1,
        'tickets_by_category.performance': -1,
      },
      async (ticket) => assert.equal((await api('DELETE', `/api/v1/tickets/${ticket.id}`)).status, 204),
      () => ticketThrough([], { priority: 'high', category: 'performance' }),
    );
  });

  test('average_resolution_time stays a non-negative number of hours after a resolution', async () => {
    await ticketThrough(['resolved']);
    const s = await stats();
    assert.ok(s.resolved_tickets >= 1);
    assert.ok(Number.isFinite(s.average_resolution_time) && s.average_resolution_time >= 0);
  });
});
