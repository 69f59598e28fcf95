// The knowledge base (issue #4): admins write articles, every signed-in
// caller reads and searches them, answers follow openapi.yaml.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

import { api, errorPaths, expectJson, expectProblem, skipReason, uniqueTag, useServer } from './harness.mjs';

const kPath = '/api/v1/knowledge-base/articles';

async function write(fields = {}, as = 'admin') {
  const body = { title: 'How to reset the VPN token', content: 'Open the portal, choose Reset.', ...fields };
  return api('POST', kPath, { body, as });
}

describe('knowledge base', { skip: skipReason }, () => {
  useServer();

  test('an admin writes an article that every role reads back', async () => {
    const tag = uniqueTag('kb');
    const res = await write({ tags: [tag], category: 'user_access' });
    const article = expectJson(res, 201, 'Article');
    assert.equal(res.headers.get('etag'), '"1"');
    assert.equal(res.headers.get('location'), `${kPath}/${article.id}`);
    assert.deepEqual(article.tags, [tag]);
    for (const as of ['manager', 'agent', 'user', 'api_user']) {
      const read = await api('GET', `${kPath}/${article.id}`, { as });
      assert.deepEqual(expectJson(read, 200, 'Article'), article);
    }
  });

  test('search ranks by relevance and marks matching words', async () => {
    const word = uniqueTag('kbs');
    const best = expectJson(await write({ title: `${word} disconnects hourly`, content: 'Renew it.' }), 201);
    const other = expectJson(await write({ title: 'Unrelated', content: `Mentions ${word} once.` }), 201);
    const page = expectJson(await api('GET', `${kPath}?q=${word}`, { as: 'user' }), 200, 'ArticlePage');
    assert.equal(page.total, 2);
    assert.deepEqual(page.items.map((a) => a.id), [best.id, other.id]);
    assert.ok(page.items[0].rank > page.items[1].rank);
    assert.match(page.items[1].snippet, new RegExp(`«${word}»`, 'i'));
  });

  test('lists filter by tag and category and page like tickets', async () => {
    const tag = uniqueTag('kbl');
    for (let i = 0; i < 3; i += 1) expectJson(await write({ tags: [tag], category: 'billing' }), 201);
    const page = expectJson(await api('GET', `${kPath}?tag=${tag}&size=2&page=2`), 200, 'ArticlePage');
    assert.equal(page.total, 3);
    assert.equal(page.items.length, 1);
    assert.equal(page.has_prev, true);
    assert.equal(page.has_next, false);
    const none = expectJson(await api('GET', `${kPath}?tag=${tag}&category=security`), 200);
    assert.equal(none.total, 0);
    assert.equal(none.pages, 0);
  });

  test('updates honour If-Match and keep the version when nothing changes', async () => {
    const article = expectJson(await write(), 201);
    const same = await api('PATCH', `${kPath}/${article.id}`, { body: { title: article.title } });
    assert.equal(expectJson(same, 200, 'Article').version, 1);
    const changed = await api('PUT', `${kPath}/${article.id}`, {
      body: { content: 'New steps.' },
      headers: { 'If-Match': '"1"' },
    });
    assert.equal(expectJson(changed, 200).version, 2);
    const stale = await api('PATCH', `${kPath}/${article.id}`, {
      body: { content: 'Lost update' },
      headers: { 'If-Match': '"1"' },
    });
    expectProblem(stale, 412);
    const read = expectJson(await api('GET', `${kPath}/${article.id}`), 200);
    assert.equal(read.content, 'New steps.');
  });

  test('only admins write; others get 403 and change nothing', async () => {
    const article = expectJson(await write(), 201);
    for (const as of ['manager', 'agent', 'user', 'api_user']) {
      expectProblem(await write({}, as), 403);
      expectProblem(await api('PATCH', `${kPath}/${article.id}`, { body: { title: 'x' }, as }), 403);
      expectProblem(await api('DELETE', `${kPath}/${article.id}`, { as }), 403);
    }
    expectProblem(await api('GET', kPath, { as: null }), 401);
    assert.equal(expectJson(await api('GET', `${kPath}/${article.id}`), 200).title, article.title);
  });

  test('bad bodies and parameters are 422 with one entry per problem', async () => {
    const bad = expectProblem(await write({ title: ' ', category: 'misc', tags: 'x', extra: 1 }), 422);
    assert.deepEqual(errorPaths(bad), ['category', 'extra', 'tags', 'title']);
    const query = expectProblem(await api('GET', `${kPath}?size=0&category=misc`), 422);
    assert.deepEqual(errorPaths(query), ['category', 'size']);
    expectProblem(await api('POST', kPath, { raw: '{"title":', headers: { 'Content-Type': 'application/json' } }), 400);
  });

  test('deletes, then answers 404; ids that are not UUIDs are 404 too', async () => {
    const article = expectJson(await write(), 201);
    assert.equal((await api('DELETE', `${kPath}/${article.id}`)).status, 204);
    expectProblem(await api('GET', `${kPath}/${article.id}`), 404);
    expectProblem(await api('DELETE', `${kPath}/${article.id}`), 404);
    expectProblem(await api('GET', `${kPath}/not-a-uuid`), 404);
    expectProblem(await api('PATCH', `${kPath}/${randomUUID()}`, { body: { title: 'x' } }), 404);
  });

  test('writes are in the audit trail', async () => {
    const article = expectJson(await write(), 201);
    const res = await api('GET', `/api/v1/audit-events?target=${article.id}`);
    const events = expectJson(res, 200, 'AuditEventPage').items.map((e) => e.event);
    assert.deepEqual(events, ['knowledge_base.article_created']);
  });
});
