// GET /api/v1/tickets: paging, filters, sorting and full-text search.
// Every query is narrowed to a department created here, because the
// database is shared with other test files and earlier runs.

import assert from 'node:assert/strict';
import { randomInt, randomUUID } from 'node:crypto';
import { before, describe, test } from 'node:test';

import {
  api,
  createTicket,
  errorPaths,
  expectJson,
  expectProblem,
  setStatus,
  skipReason,
  sleep,
  uniqueTag,
  useServer,
} from './harness.mjs';

// A letters-only word no report will ever contain, for full-text search.
function unusualWord() {
  let word = 'zq';
  for (let i = 0; i < 12; i += 1) word += String.fromCharCode(97 + randomInt(26));
  return word;
}

// GET /api/v1/tickets with query pairs (repeatable keys allowed).
async function list(pairs) {
  const res = await api('GET', `/api/v1/tickets?${new URLSearchParams(pairs)}`);
  return expectJson(res, 200, 'TicketPage');
}

const titlesOf = (page) => page.items.map((t) => t.title.split(' ')[0]);

describe('ticket list', { skip: skipReason }, () => {
  useServer();

  const department = uniqueTag('list');
  const searchWord = unusualWord();
  const past = new Date(Date.now() - 3 * 24 * 3600 * 1000).toISOString();
  const future = new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString();
  let user = ''; // Charlie's assignee
  let creator = null; // created_by_id of the fixtures (null without an account)
  let midpoint = ''; // between Delta's and Echo's created_at

  // Five tickets, created in this order, titles starting with their letter:
  //   Alpha   low      billing    urgency low       new
  //   Bravo   critical bug        urgency high      open
  //   Charlie medium   technical  urgency medium    in_progress, assigned
  //   Delta   high     technical  urgency critical  resolved, due in the past
  //   Echo    medium   security   urgency low       new, due in the past (overdue)
  before(async () => {
    const make = (fields) => createTicket({ department, ...fields });
    const alpha = await make({
      title: `Alpha ${department}`,
      description: `The spreadsheet application crashes whenever the quarterly report is saved. ${searchWord}`,
      priority: 'low',
      category: 'billing',
      urgency: 'low',
      internal_notes: 'never in a list',
    });
    // The creator is a user that certainly exists, should assignees have to be users.
    user = alpha.created_by_id ?? randomUUID();
    creator = alpha.created_by_id;
    await sleep(20);
    const bravo = await make({
      title: `Bravo ${department}`,
      description: 'The spreadsheet application is slow whenever the quarterly report is saved.',
      priority: 'critical',
      category: 'bug',
      urgency: 'high',
    });
    await setStatus(bravo.id, 'open');
    await sleep(20);
    const charlie = await make({ title: `Charlie ${department}`, priority: 'medium', category: 'technical' });
    await setStatus(charlie.id, 'in_progress');
    const assigned = await api('PATCH', `/api/v1/tickets/${charlie.id}/assign`, { body: { assigned_to_id: user } });
    expectJson(assigned, 200, 'Ticket');
    await sleep(20);
    const delta = await make({
      title: `Delta ${department}`,
      priority: 'high',
      category: 'technical',
      urgency: 'critical',
      due_date: past,
    });
    await setStatus(delta.id, 'resolved');
    await sleep(80);
    const echo = await make({
      title: `Echo ${department}`,
      priority: 'medium',
      category: 'security',
      urgency: 'low',
      due_date: past,
    });
    const deltaAt = Date.parse(delta.created_at);
    const echoAt = Date.parse(echo.created_at);
    assert.ok(echoAt - deltaAt >= 40, `created_at too close: ${delta.created_at} ${echo.created_at}`);
    midpoint = new Date((deltaAt + echoAt) / 2).toISOString();
  });

  describe('paging', () => {
    const invalid = [
      { query: 'page=0', path: 'page' },
      { query: 'page=-1', path: 'page' },
      { query: 'page=abc', path: 'page' },
      { query: 'page=1.5', path: 'page' },
      { query: 'size=0', path: 'size' },
      { query: 'size=101', path: 'size' },
      { query: 'size=abc', path: 'size' },
    ];
    for (const { query, path } of invalid) {
      test(`${query} answers 422 naming ${path}`, async () => {
        const problem = expectProblem(await api('GET', `/api/v1/tickets?${query}`), 422, 'VALIDATION_ERROR');
        assert.deepEqual(errorPaths(problem), [path]);
      });
    }

    test('size=100 and size=1 are accepted', async () => {
      assert.equal((await list({ department, size: '100' })).size, 100);
      assert.equal((await list({ department, size: '1' })).items.length, 1);
    });

    test('defaults to page 1 of size 20', async () => {
      const page = await list({ department });
      assert.equal(page.page, 1);
      assert.equal(page.size, 20);
      assert.equal(page.total, 5);
      assert.equal(page.pages, 1);
      assert.equal(page.items.length, 5);
    });

    const pages = [
      { page: 1, count: 2, hasNext: true, hasPrev: false },
      { page: 2, count: 2, hasNext: true, hasPrev: true },
      { page: 3, count: 1, hasNext: false, hasPrev: true },
      { page: 4, count: 0, hasNext: false, hasPrev: true },
      { page: 99, count: 0, hasNext: false, hasPrev: true },
    ];
    for (const { page, count, hasNext, hasPrev } of pages) {
      test(`page ${page} of 5 tickets by 2 has ${count} items, has_next=${hasNext}, has_prev=${hasPrev}`, async () => {
        const body = await list({ department, size: '2', page: String(page) });
        assert.equal(body.items.length, count);
        assert.equal(body.total, 5, 'true total, even past the end');
        assert.equal(body.pages, 3);
        assert.equal(body.page, page);
        assert.equal(body.size, 2);
        assert.equal(body.has_next, hasNext);
        assert.equal(body.has_prev, hasPrev);
      });
    }

    test('pages cover every ticket exactly once', async () => {
      const ids = [];
      for (const page of ['1', '2', '3']) ids.push(...(await list({ department, size: '2', page })).items.map((t) => t.id));
      assert.equal(new Set(ids).size, 5);
    });

    test('an empty result has pages=0', async () => {
      const body = await list({ department: uniqueTag('none') });
      assert.deepEqual(
        { items: body.items, total: body.total, pages: body.pages, has_next: body.has_next, has_prev: body.has_prev },
        { items: [], total: 0, pages: 0, has_next: false, has_prev: false },
      );
    });
  });

  describe('filters', () => {
    const cases = [
      { name: 'status', pairs: () => [['status', 'new']], expect: ['Alpha', 'Echo'] },
      { name: 'status repeated', pairs: () => [['status', 'new'], ['status', 'open']], expect: ['Alpha', 'Bravo', 'Echo'] },
      { name: 'category', pairs: () => [['category', 'technical']], expect: ['Charlie', 'Delta'] },
      { name: 'category repeated', pairs: () => [['category', 'billing'], ['category', 'bug']], expect: ['Alpha', 'Bravo'] },
      { name: 'priority', pairs: () => [['priority', 'medium']], expect: ['Charlie', 'Echo'] },
      { name: 'priority repeated', pairs: () => [['priority', 'low'], ['priority', 'critical']], expect: ['Alpha', 'Bravo'] },
      { name: 'urgency', pairs: () => [['urgency', 'low']], expect: ['Alpha', 'Echo'] },
      { name: 'urgency repeated', pairs: () => [['urgency', 'high'], ['urgency', 'critical']], expect: ['Bravo', 'Delta'] },
      { name: 'status and priority together', pairs: () => [['status', 'new'], ['priority', 'low']], expect: ['Alpha'] },
      { name: 'assigned_to_id', pairs: () => [['assigned_to_id', user]], expect: ['Charlie'] },
      { name: 'created_by_id', pairs: () => [['created_by_id', creator]], expect: ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'], needsCreator: true },
      { name: 'created_by_id of nobody', pairs: () => [['created_by_id', randomUUID()]], expect: [] },
      { name: 'is_overdue=true (past due, not resolved)', pairs: () => [['is_overdue', 'true']], expect: ['Echo'] },
      { name: 'is_overdue=false', pairs: () => [['is_overdue', 'false']], expect: ['Alpha', 'Bravo', 'Charlie', 'Delta'] },
      { name: 'created_after long ago', pairs: () => [['created_after', '2000-01-01T00:00:00Z']], expect: ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'] },
      { name: 'created_after in the future', pairs: () => [['created_after', future]], expect: [] },
      { name: 'created_before long ago', pairs: () => [['created_before', '2000-01-01T00:00:00Z']], expect: [] },
      { name: 'created_after between two tickets', pairs: () => [['created_after', midpoint]], expect: ['Echo'] },
      { name: 'created_before between two tickets', pairs: () => [['created_before', midpoint]], expect: ['Alpha', 'Bravo', 'Charlie', 'Delta'] },
      { name: 'created_after with an offset', pairs: () => [['created_after', '2000-01-01T02:00:00+02:00']], expect: ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'] },
    ];
    for (const { name, pairs, expect, needsCreator } of cases) {
      test(`${name} selects ${expect.join(', ') || 'nothing'}`, async (t) => {
        if (needsCreator && !creator) {
          t.skip('tickets created without an account have no created_by_id');
          return;
        }
        const body = await list([['department', department], ['sort_by', 'title'], ['sort_order', 'asc'], ...pairs()]);
        assert.deepEqual(titlesOf(body), expect);
        assert.equal(body.total, expect.length);
      });
    }

    test('list items never carry internal_notes', async () => {
      const body = await list({ department });
      for (const item of body.items) assert.ok(item.internal_notes == null, `internal_notes in ${item.title}`);
    });

    const invalid = [
      ['status', 'done'],
      ['category', 'hardware'],
      ['priority', 'urgent'],
      ['urgency', 'extreme'],
      ['sort_by', 'colour'],
      ['sort_order', 'sideways'],
      ['is_overdue', 'maybe'],
      ['created_after', 'yesterday'],
      ['created_before', '2024-13-45T00:00:00Z'],
      ['created_by_id', 'not-a-uuid'],
      ['assigned_to_id', 'nobody'],
    ];
    for (const [param, value] of invalid) {
      test(`${param}=${value} answers 422 naming ${param}`, async () => {
        const res = await api('GET', `/api/v1/tickets?${new URLSearchParams([[param, value]])}`);
        assert.deepEqual(errorPaths(expectProblem(res, 422, 'VALIDATION_ERROR')), [param]);
      });
    }

    test('one invalid value among valid repeats is still 422', async () => {
      const res = await api('GET', '/api/v1/tickets?status=new&status=bogus');
      assert.deepEqual(errorPaths(expectProblem(res, 422, 'VALIDATION_ERROR')), ['status']);
    });

    test('two invalid parameters give two errors', async () => {
      const res = await api('GET', '/api/v1/tickets?priority=urgent&page=0');
      assert.deepEqual(errorPaths(expectProblem(res, 422, 'VALIDATION_ERROR')), ['page', 'priority']);
    });

    test('unknown parameters are ignored', async () => {
      assert.equal((await list({ department, flavour: 'vanilla' })).total, 5);
    });
  });

  describe('sorting', () => {
    const cases = [
      { sortBy: 'priority', order: 'desc', field: 'priority', expect: ['critical', 'high', 'medium', 'medium', 'low'] },
      { sortBy: 'priority', order: 'asc', field: 'priority', expect: ['low', 'medium', 'medium', 'high', 'critical'] },
      { sortBy: 'title', order: 'asc', field: 'title', expect: ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'] },
      { sortBy: 'title', order: 'desc', field: 'title', expect: ['Echo', 'Delta', 'Charlie', 'Bravo', 'Alpha'] },
      { sortBy: 'status', order: 'asc', field: 'status', expect: ['new', 'new', 'open', 'in_progress', 'resolved'] },
      { sortBy: 'created_at', order: 'asc', field: 'title', expect: ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo'] },
      { sortBy: undefined, order: undefined, field: 'title', expect: ['Echo', 'Delta', 'Charlie', 'Bravo', 'Alpha'] },
    ];
    for (const { sortBy, order, field, expect } of cases) {
      const label = sortBy ? `sort_by=${sortBy} ${order}` : 'the default order (created_at desc)';
      test(`${label} gives ${expect.join(', ')}`, async () => {
        const query = { department };
        if (sortBy) query.sort_by = sortBy;
        if (order) query.sort_order = order;
        const body = await list(query);
        const got = field === 'title' ? titlesOf(body) : body.items.map((t) => t[field]);
        assert.deepEqual(got, expect);
      });
    }

    test('sort_by=updated_at asc orders by last change', async () => {
      const body = await list({ department, sort_by: 'updated_at', sort_order: 'asc' });
      const stamps = body.items.map((t) => Date.parse(t.updated_at));
      assert.deepEqual(stamps, [...stamps].sort((a, b) => a - b));
    });
  });

  describe('full-text search', () => {
    test('q finds a ticket by an unusual word of its description, and no other', async () => {
      const body = await list({ q: searchWord });
      assert.deepEqual(titlesOf(body), ['Alpha']);
      assert.equal(body.total, 1);
    });

    test('q matches a stemmed form: "crashing" finds "crashes"', async () => {
      const body = await list({ department, q: 'crashing' });
      assert.deepEqual(titlesOf(body), ['Alpha']);
    });

    test('q searches titles too', async () => {
      const body = await list({ department, q: 'Bravo' });
      assert.deepEqual(titlesOf(body), ['Bravo']);
    });

    test('q with a word no ticket has finds nothing', async () => {
      const body = await list({ q: unusualWord() });
      assert.equal(body.total, 0);
      assert.equal(body.pages, 0);
    });
  });
});
