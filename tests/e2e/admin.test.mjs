// Administration (issue #3): accounts under /api/v1/users, API keys under
// /api/v1/api-keys, the audit trail under /api/v1/audit-events, and
// PUT /api/v1/auth/me. Accounts that a test changes are registered by that
// test, so the harness's signed-in accounts stay as they are for the others.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

import {
  api,
  createTicket,
  errorPaths,
  expectJson,
  expectProblem,
  kJwtTestKey,
  server,
  skipReason,
  uniqueTag,
  useServer,
} from './harness.mjs';

const kPassword = 'correct horse battery staple';
const bearer = (token) => ({ Authorization: `Bearer ${token}` });

// Registers and signs in a new `user` account whose email carries `tag`;
// returns {id, email, token, refresh}.
async function newAccount(tag = uniqueTag('adm')) {
  const email = `${tag}-${randomUUID().slice(0, 8)}@example.com`;
  const registered = await api('POST', '/api/v1/auth/register', {
    body: { email, full_name: `Person ${tag}`, password: kPassword },
    as: null,
  });
  assert.equal(registered.status, 201, registered.text);
  const login = await api('POST', '/api/v1/auth/login', { body: { email, password: kPassword }, as: null });
  assert.equal(login.status, 200, login.text);
  return { id: registered.json.id, email, token: login.json.access_token, refresh: login.json.refresh_token };
}

async function changeUser(id, body, as = 'admin') {
  return api('PATCH', `/api/v1/users/${id}`, { body, as });
}

// The audit events matching `filters` (an object of query parameters).
async function auditEvents(filters) {
  const res = await api('GET', `/api/v1/audit-events?${new URLSearchParams({ size: '100', ...filters })}`);
  return expectJson(res, 200, 'AuditEventPage').items;
}

async function createKey(body = { name: `key ${uniqueTag()}`, role: 'api_user' }) {
  const res = await api('POST', '/api/v1/api-keys', { body });
  return { res, key: expectJson(res, 201, 'CreatedApiKey') };
}

describe('administration', { skip: skipReason }, () => {
  useServer();

  describe('accounts', () => {
    test('lists accounts newest first, filtered by text, role and activity, paged', async () => {
      const tag = uniqueTag('list');
      const older = await newAccount(tag);
      const newer = await newAccount(tag);

      const page = expectJson(await api('GET', `/api/v1/users?q=${tag.toUpperCase()}`), 200, 'UserPage');
      assert.equal(page.total, 2);
      assert.deepEqual(page.items.map((u) => u.id), [newer.id, older.id]);
      assert.deepEqual([page.page, page.size, page.pages, page.has_next, page.has_prev], [1, 20, 1, false, false]);
      for (const user of page.items) {
        assert.ok(!('password_hash' in user) && !JSON.stringify(user).includes('argon2'));
      }

      const second = expectJson(await api('GET', `/api/v1/users?q=${tag}&size=1&page=2`), 200, 'UserPage');
      assert.deepEqual(second.items.map((u) => u.id), [older.id]);
      assert.equal(second.has_prev, true);
      assert.equal(second.has_next, false);

      expectJson(await changeUser(older.id, { role: 'agent', is_active: false }), 200, 'User');
      const agents = expectJson(await api('GET', `/api/v1/users?q=${tag}&role=agent`), 200, 'UserPage');
      assert.deepEqual(agents.items.map((u) => u.id), [older.id]);
      const active = expectJson(await api('GET', `/api/v1/users?q=${tag}&is_active=true`), 200, 'UserPage');
      assert.deepEqual(active.items.map((u) => u.id), [newer.id]);
      const byName = expectJson(await api('GET', `/api/v1/users?q=person%20${tag}`), 200, 'UserPage');
      assert.equal(byName.total, 2);
    });

    test('refuses invalid list parameters with 422 naming each', async () => {
      const res = await api('GET', '/api/v1/users?page=0&size=101&role=root&is_active=maybe');
      assert.deepEqual(errorPaths(expectProblem(res, 422, 'VALIDATION_ERROR')), ['is_active', 'page', 'role', 'size']);
    });

    test('reads one account; unknown and non-UUID ids answer 404', async () => {
      const account = await newAccount();
      const user = expectJson(await api('GET', `/api/v1/users/${account.id}`), 200, 'User');
      assert.equal(user.email, account.email);
      assert.equal(user.role, 'user');
      expectJson(await api('GET', `/api/v1/users/${account.id.toUpperCase()}`), 200, 'User');
      expectProblem(await api('GET', `/api/v1/users/${randomUUID()}`), 404, 'NOT_FOUND');
      expectProblem(await api('GET', '/api/v1/users/not-a-uuid'), 404, 'NOT_FOUND');
      expectProblem(await changeUser(randomUUID(), { role: 'agent' }), 404, 'NOT_FOUND');
    });

    test('a role change applies to the next request: a user promoted to agent sees every ticket', async () => {
      const account = await newAccount();
      const department = uniqueTag('promo');
      await createTicket({ department }, { api: (method, path, options) => api(method, path, { ...options, as: 'user2' }) });
      const listed = async () => {
        const res = await api('GET', `/api/v1/tickets?department=${department}`, { headers: bearer(account.token) });
        return expectJson(res, 200, 'TicketPage').total;
      };
      assert.equal(await listed(), 0);

      const promoted = expectJson(await changeUser(account.id, { role: 'agent' }), 200, 'User');
      assert.equal(promoted.role, 'agent');
      assert.equal(await listed(), 1);

      const [event] = await auditEvents({ event: 'user.role_changed', target: account.id });
      assert.deepEqual(event.detail, { from: 'user', to: 'agent' });
      assert.equal(event.actor_id, server().accounts.admin.id);
      assert.equal(event.actor_kind, 'user');
    });

    test('deactivation refuses the access token with ACCOUNT_DISABLED and kills the refresh token', async () => {
      const account = await newAccount();
      expectJson(await api('GET', '/api/v1/auth/me', { headers: bearer(account.token) }), 200, 'User');

      const deactivated = expectJson(await changeUser(account.id, { is_active: false }), 200, 'User');
      assert.equal(deactivated.is_active, false);
      const me = await api('GET', '/api/v1/auth/me', { headers: bearer(account.token) });
      expectProblem(me, 401, 'ACCOUNT_DISABLED');
      assert.match(me.headers.get('www-authenticate') ?? '', /^Bearer/);
      expectProblem(
        await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: account.refresh }, as: null }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      const login = { body: { email: account.email, password: kPassword }, as: null };
      expectProblem(await api('POST', '/api/v1/auth/login', login), 401, 'INVALID_CREDENTIALS');
      const [event] = await auditEvents({ event: 'user.deactivated', target: account.id });
      assert.equal(event.detail.revoked_refresh_tokens, 1);

      expectJson(await changeUser(account.id, { is_active: true }), 200, 'User');
      assert.equal((await api('POST', '/api/v1/auth/login', login)).status, 200);
      assert.equal((await auditEvents({ event: 'user.reactivated', target: account.id })).length, 1);
    });

    test('an admin may not demote or deactivate themselves (409) and stays an admin', async () => {
      const self = server().accounts.admin.id;
      const demote = expectProblem(await changeUser(self, { role: 'user' }), 409, 'CANNOT_CHANGE_SELF');
      assert.match(demote.detail, /own role/);
      expectProblem(await changeUser(self, { is_active: false }), 409, 'CANNOT_CHANGE_SELF');
      expectJson(await changeUser(self, { role: 'admin', is_active: true }), 200, 'User');
      expectJson(await api('GET', '/api/v1/users?size=1'), 200, 'UserPage');
    });

    test('PATCH refuses unknown members, bad values and nulls with 422, changing nothing', async () => {
      const account = await newAccount();
      const cases = [
        [{ role: 'root' }, ['role']],
        [{ role: null }, ['role']],
        [{ is_active: 'false' }, ['is_active']],
        [{ email: 'x@example.com', password_hash: 'x' }, ['email', 'password_hash']],
        [[], ['body']],
      ];
      for (const [body, paths] of cases) {
        const problem = expectProblem(await changeUser(account.id, body), 422, 'VALIDATION_ERROR');
        assert.deepEqual(errorPaths(problem), paths, JSON.stringify(body));
      }
      const user = expectJson(await api('GET', `/api/v1/users/${account.id}`), 200, 'User');
      assert.equal(user.role, 'user');
      assert.equal(user.is_active, true);
      const raw = await api('PATCH', `/api/v1/users/${account.id}`, {
        raw: '{"role":',
        headers: { 'Content-Type': 'application/json', ...server().authAs('admin') },
      });
      expectProblem(raw, 400, 'MALFORMED_JSON');
    });
  });

  describe('API keys', () => {
    test('a new key works as X-API-Key and as a bearer token, with its role', async () => {
      const { res, key } = await createKey({ name: 'e2e pipeline', role: 'api_user' });
      assert.equal(res.headers.get('location'), `/api/v1/api-keys/${key.id}`);
      assert.ok(key.key.startsWith(`tkd_${key.prefix}_`));
      assert.equal(key.created_by_id, server().accounts.admin.id);
      assert.equal(key.revoked_at, null);

      const ticket = await createTicket({ title: 'Filed by a key' }, {
        api: (method, path, options) => api(method, path, { ...options, headers: { 'X-API-Key': key.key } }),
      });
      assert.equal(ticket.created_by_id, key.id);
      const read = await api('GET', `/api/v1/tickets/${ticket.id}`, { headers: bearer(key.key) });
      assert.equal(expectJson(read, 200, 'Ticket').id, ticket.id);
      const verify = await api('GET', '/api/v1/auth/verify', { headers: bearer(key.key) });
      assert.deepEqual(expectJson(verify, 200, 'TokenVerification'), {
        valid: true,
        user_id: key.id,
        principal_type: 'api_key',
        role: 'api_user',
        expires_at: null,
      });

      const stored = expectJson(await api('GET', `/api/v1/api-keys/${key.id}`), 200, 'ApiKey');
      assert.ok(!('key' in stored));
      assert.equal(stored.prefix, key.prefix);
      assert.notEqual(stored.last_used_at, null);
    });

    test('lists keys newest first without their secrets', async () => {
      const { key: first } = await createKey();
      const { key: second } = await createKey();
      const page = expectJson(await api('GET', '/api/v1/api-keys?size=100'), 200, 'ApiKeyPage');
      const ids = page.items.map((k) => k.id);
      assert.ok(ids.indexOf(second.id) >= 0 && ids.indexOf(second.id) < ids.indexOf(first.id));
      const text = JSON.stringify(page);
      assert.ok(!text.includes(first.key) && !text.includes(second.key));
      for (const item of page.items) assert.ok(!('key' in item));
    });

    test('revocation refuses the key at once; revoking again is 204; unknown keys 404', async () => {
      const { key } = await createKey({ name: 'short-lived', role: 'agent' });
      const headers = { 'X-API-Key': key.key };
      assert.equal((await api('GET', '/api/v1/tickets?size=1', { headers })).status, 200);

      assert.equal((await api('DELETE', `/api/v1/api-keys/${key.id}`)).status, 204);
      expectProblem(await api('GET', '/api/v1/tickets?size=1', { headers }), 401, 'INVALID_API_KEY');
      expectProblem(await api('GET', '/api/v1/tickets?size=1', { headers: bearer(key.key) }), 401, 'INVALID_API_KEY');
      const revoked = expectJson(await api('GET', `/api/v1/api-keys/${key.id}`), 200, 'ApiKey');
      assert.notEqual(revoked.revoked_at, null);

      assert.equal((await api('DELETE', `/api/v1/api-keys/${key.id}`)).status, 204);
      const again = expectJson(await api('GET', `/api/v1/api-keys/${key.id}`), 200, 'ApiKey');
      assert.equal(again.revoked_at, revoked.revoked_at);
      assert.equal((await auditEvents({ event: 'api_key.revoked', target: key.id })).length, 1);

      const active = expectJson(await api('GET', '/api/v1/api-keys?active_only=true&size=100'), 200, 'ApiKeyPage');
      assert.ok(active.items.every((k) => k.revoked_at === null && k.id !== key.id));
      expectProblem(await api('DELETE', `/api/v1/api-keys/${randomUUID()}`), 404, 'NOT_FOUND');
      expectProblem(await api('DELETE', '/api/v1/api-keys/nope'), 404, 'NOT_FOUND');
      expectProblem(await api('GET', `/api/v1/api-keys/${randomUUID()}`), 404, 'NOT_FOUND');
    });

    test('creation is audited with name, role and prefix, never the secret', async () => {
      const { key } = await createKey({ name: 'audited key', role: 'manager' });
      const [event] = await auditEvents({ event: 'api_key.created', target: key.id });
      assert.deepEqual(event.detail, { name: 'audited key', role: 'manager', prefix: key.prefix });
      assert.equal(event.actor_id, server().accounts.admin.id);
      const secret = key.key.slice(`tkd_${key.prefix}_`.length);
      assert.ok(!JSON.stringify(event).includes(secret));
    });

    test('refuses invalid bodies and parameters with 422 naming each', async () => {
      const cases = [
        [{}, ['name', 'role']],
        [{ name: '', role: 'agent' }, ['name']],
        [{ name: '   ', role: 'agent' }, ['name']],
        [{ name: 'x'.repeat(101), role: 'agent' }, ['name']],
        [{ name: 'ok', role: 'owner' }, ['role']],
        [{ name: 'ok', role: 'agent', key: 'tkd_mine' }, ['key']],
      ];
      for (const [body, paths] of cases) {
        const problem = expectProblem(await api('POST', '/api/v1/api-keys', { body }), 422, 'VALIDATION_ERROR');
        assert.deepEqual(errorPaths(problem), paths, JSON.stringify(body));
      }
      expectJson(await api('POST', '/api/v1/api-keys', { body: { name: 'x'.repeat(100), role: 'agent' } }), 201, 'CreatedApiKey');
      const list = await api('GET', '/api/v1/api-keys?active_only=maybe&size=0');
      assert.deepEqual(errorPaths(expectProblem(list, 422, 'VALIDATION_ERROR')), ['active_only', 'size']);
    });
  });

  describe('keys and their creators', () => {
    test('an admin-role API key reads but cannot change accounts, keys or the AI configuration', async () => {
      const { key } = await createKey({ name: `admin key ${uniqueTag()}`, role: 'admin' });
      const headers = { 'X-API-Key': key.key };
      expectJson(await api('GET', '/api/v1/users?size=1', { headers }), 200, 'UserPage');
      const target = await newAccount();
      expectProblem(await api('PATCH', `/api/v1/users/${target.id}`, { headers, body: { role: 'admin' } }), 403, 'NOT_A_USER');
      expectProblem(await api('POST', '/api/v1/api-keys', { headers, body: { name: 'minted', role: 'admin' } }), 403, 'NOT_A_USER');
      expectProblem(await api('DELETE', `/api/v1/api-keys/${key.id}`, { headers }), 403, 'NOT_A_USER');
      // A key that could repoint a provider could have the service send
      // secrets to a server of its holder's choosing.
      const current = await api('GET', '/api/v1/ai/config', { headers });
      assert.equal(current.status, 200);
      const { config } = current.json;
      expectProblem(await api('PUT', '/api/v1/ai/config', { headers, body: { config } }), 403, 'NOT_A_USER');
      expectProblem(await api('POST', '/api/v1/ai/config/rollback/0', { headers }), 403, 'NOT_A_USER');
    });

    test("deactivating or demoting an admin revokes the keys it created", async () => {
      for (const change of [{ is_active: false }, { role: 'manager' }]) {
        const person = await newAccount();
        expectJson(await changeUser(person.id, { role: 'admin' }), 200, 'User');
        const made = await api('POST', '/api/v1/api-keys', {
          headers: bearer(person.token),
          body: { name: `made by ${person.email}`, role: 'api_user' },
        });
        const key = expectJson(made, 201, 'CreatedApiKey');
        assert.equal(key.created_by_id, person.id);
        expectJson(await api('GET', '/api/v1/tickets?size=1', { headers: { 'X-API-Key': key.key } }), 200, 'TicketPage');

        expectJson(await changeUser(person.id, change), 200, 'User');
        expectProblem(await api('GET', '/api/v1/tickets?size=1', { headers: { 'X-API-Key': key.key } }), 401, 'INVALID_API_KEY');
        const events = await auditEvents({ event: 'api_key.revoked', target: key.id });
        assert.equal(events.length, 1);
        assert.equal(events[0].detail.reason, 'creator_lost_access');
      }
    });
  });

  describe('audit trail', () => {
    test('the settings a server started with are recorded, secrets only as "(set)"', async () => {
      const events = await auditEvents({ event: 'config.changed', size: '100' });
      const mine = events.find((e) => e.detail.settings?.PORT === String(server().port));
      assert.ok(mine, 'a config.changed event with this server\'s PORT');
      assert.equal(mine.actor_kind, 'system');
      assert.equal(mine.detail.settings.JWT_SECRET_KEY, '(set)');
      assert.ok(Array.isArray(mine.detail.changed));
      assert.ok(!JSON.stringify(events).includes(kJwtTestKey), 'the signing key is never recorded');
    });

    test('a failed login for an unknown email keeps only its domain and no actor', async () => {
      const domain = `${uniqueTag('dom')}.example`;
      const email = `nobody.secret.name@${domain}`;
      const res = await api('POST', '/api/v1/auth/login', { body: { email, password: 'not the password 1' }, as: null });
      expectProblem(res, 401, 'INVALID_CREDENTIALS');
      const events = await auditEvents({ event: 'auth.login_failed' });
      const event = events.find((e) => e.detail.email_domain === domain);
      assert.ok(event, 'an auth.login_failed event with the domain');
      assert.equal(event.actor_id, null);
      assert.equal(event.actor_kind, 'anonymous');
      assert.equal(event.target, null);
      assert.deepEqual(event.detail, { reason: 'bad_credentials', email_domain: domain });
      assert.equal(event.request_id, res.headers.get('x-request-id'));
      assert.ok(event.client_ip);
      const text = JSON.stringify(events);
      assert.ok(!text.includes('nobody.secret.name') && !text.includes('not the password'));
    });

    test('failures against an account name it; the fifth locks it and says until when', async () => {
      const account = await newAccount();
      for (let i = 0; i < 5; i += 1) {
        const res = await api('POST', '/api/v1/auth/login', {
          body: { email: account.email, password: `wrong guess ${i}` },
          as: null,
        });
        expectProblem(res, 401, 'INVALID_CREDENTIALS');
      }
      const failures = await auditEvents({ event: 'auth.login_failed', actor_id: account.id });
      assert.equal(failures.length, 5);
      assert.ok(failures.every((e) => e.detail.reason === 'bad_credentials' && e.target === account.id));
      assert.ok(!JSON.stringify(failures).includes('wrong guess'));
      const [locked] = await auditEvents({ event: 'auth.account_locked', target: account.id });
      assert.ok(Date.parse(locked.detail.locked_until) > Date.parse(locked.occurred_at));

      await api('POST', '/api/v1/auth/login', { body: { email: account.email, password: kPassword }, as: null });
      const [latest] = await auditEvents({ event: 'auth.login_failed', actor_id: account.id, size: '1' });
      assert.equal(latest.detail.reason, 'locked');
    });

    test('sign-ins, refresh-token reuse and logouts are recorded for the account', async () => {
      const account = await newAccount();
      const rotated = await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: account.refresh }, as: null });
      assert.equal(rotated.status, 200);
      await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: account.refresh }, as: null });
      const login = await api('POST', '/api/v1/auth/login', {
        body: { email: account.email, password: kPassword },
        as: null,
      });
      await api('POST', '/api/v1/auth/logout', { body: { refresh_token: login.json.refresh_token }, as: null });

      const names = (await auditEvents({ target: account.id })).map((e) => e.event);
      assert.deepEqual(names, [
        'auth.logout',
        'auth.login_succeeded',
        'auth.refresh_reused',
        'auth.login_succeeded',
        'auth.registered',
      ]);
      const [reuse] = await auditEvents({ event: 'auth.refresh_reused', target: account.id });
      assert.equal(reuse.actor_id, null);
    });

    test('filters by actor, target and time window; invalid filters answer 422', async () => {
      const account = await newAccount();
      await changeUser(account.id, { role: 'manager' });
      await changeUser(account.id, { role: 'user' });
      const events = await auditEvents({ target: account.id, event: 'user.role_changed' });
      assert.equal(events.length, 2);
      const [newest, oldest] = events;
      assert.deepEqual(newest.detail, { from: 'manager', to: 'user' });

      const since = await auditEvents({ target: account.id, event: 'user.role_changed', since: newest.occurred_at });
      assert.deepEqual(since.map((e) => e.id), [newest.id]);
      const until = await auditEvents({ target: account.id, event: 'user.role_changed', until: newest.occurred_at });
      assert.deepEqual(until.map((e) => e.id), [oldest.id]);
      const byActor = await auditEvents({ actor_id: server().accounts.admin.id, target: account.id });
      assert.equal(byActor.length, 2);
      assert.equal((await auditEvents({ actor_id: randomUUID(), target: account.id })).length, 0);

      const paged = expectJson(
        await api('GET', `/api/v1/audit-events?target=${account.id}&event=user.role_changed&size=1&page=2`),
        200,
        'AuditEventPage',
      );
      assert.deepEqual([paged.total, paged.pages, paged.items[0].id], [2, 2, oldest.id]);

      const bad = await api('GET', '/api/v1/audit-events?actor_id=me&since=yesterday&until=2026-13-01T00:00:00Z&page=x');
      assert.deepEqual(errorPaths(expectProblem(bad, 422, 'VALIDATION_ERROR')), ['actor_id', 'page', 'since', 'until']);
    });
  });

  describe('PUT /api/v1/auth/me', () => {
    const putMe = (token, body) => api('PUT', '/api/v1/auth/me', { body, headers: bearer(token) });

    test('changes the full name and nothing else', async () => {
      const account = await newAccount();
      const user = expectJson(await putMe(account.token, { full_name: 'New Name' }), 200, 'User');
      assert.equal(user.full_name, 'New Name');
      assert.equal(user.role, 'user');
      expectJson(await putMe(account.token, {}), 200, 'User');
    });

    test('a new password needs the current one and ends every refresh token', async () => {
      const account = await newAccount();
      const newPassword = 'a completely new passphrase';
      const wrong = await putMe(account.token, { password: newPassword, current_password: 'not my password!' });
      expectProblem(wrong, 403, 'WRONG_PASSWORD');
      const weak = await putMe(account.token, { password: 'password1234', current_password: kPassword });
      assert.deepEqual(errorPaths(expectProblem(weak, 422, 'VALIDATION_ERROR')), ['password']);
      const missing = await putMe(account.token, { password: newPassword });
      assert.deepEqual(errorPaths(expectProblem(missing, 422, 'VALIDATION_ERROR')), ['current_password']);
      assert.equal((await auditEvents({ event: 'auth.password_changed', target: account.id })).length, 0);

      expectJson(await putMe(account.token, { password: newPassword, current_password: kPassword }), 200, 'User');
      expectProblem(
        await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: account.refresh }, as: null }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      const login = (password) =>
        api('POST', '/api/v1/auth/login', { body: { email: account.email, password }, as: null });
      expectProblem(await login(kPassword), 401, 'INVALID_CREDENTIALS');
      assert.equal((await login(newPassword)).status, 200);
      const [event] = await auditEvents({ event: 'auth.password_changed', target: account.id });
      assert.equal(event.actor_id, account.id);
      assert.ok(!JSON.stringify(event).includes(newPassword) && !JSON.stringify(event).includes(kPassword));
    });

    test('refuses unknown members, API keys and missing credentials', async () => {
      const account = await newAccount();
      const unknown = await putMe(account.token, { role: 'admin', email: 'x@example.com' });
      assert.deepEqual(errorPaths(expectProblem(unknown, 422, 'VALIDATION_ERROR')), ['email', 'role']);
      expectProblem(await putMe(account.token, { full_name: null }), 422, 'VALIDATION_ERROR');
      const { key } = await createKey();
      const byKey = await api('PUT', '/api/v1/auth/me', { body: { full_name: 'Key' }, headers: { 'X-API-Key': key.key } });
      expectProblem(byKey, 403, 'NOT_A_USER');
      expectProblem(await api('PUT', '/api/v1/auth/me', { body: {}, as: null }), 401, 'MISSING_CREDENTIALS');
    });
  });

  describe('permissions', () => {
    const someId = '8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10';
    const routes = [
      ['GET', '/api/v1/users'],
      ['GET', `/api/v1/users/${someId}`],
      ['PATCH', `/api/v1/users/${someId}`, { role: 'admin' }],
      ['GET', '/api/v1/api-keys'],
      ['POST', '/api/v1/api-keys', { name: 'mine', role: 'admin' }],
      ['GET', `/api/v1/api-keys/${someId}`],
      ['DELETE', `/api/v1/api-keys/${someId}`],
      ['GET', '/api/v1/audit-events'],
    ];

    for (const [method, path, body] of routes) {
      test(`${method} ${path.replace(someId, '{id}')} is for admins only`, async () => {
        for (const as of ['manager', 'agent', 'user', 'api_user']) {
          const problem = expectProblem(await api(method, path, { body, as }), 403, 'FORBIDDEN');
          assert.match(problem.detail, new RegExp(`role ${as}`), as);
        }
        const anonymous = await api(method, path, { body, as: null });
        expectProblem(anonymous, 401, 'MISSING_CREDENTIALS');
        assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer/);
      });
    }

    test('a non-admin API key is refused, and an admin key reads but does not mint keys', async () => {
      const { key: agentKey } = await createKey({ name: 'agent key', role: 'agent' });
      expectProblem(await api('GET', '/api/v1/users', { headers: { 'X-API-Key': agentKey.key } }), 403, 'FORBIDDEN');
      const { key: adminKey } = await createKey({ name: 'admin key', role: 'admin' });
      expectJson(await api('GET', '/api/v1/api-keys', { headers: { 'X-API-Key': adminKey.key } }), 200, 'ApiKeyPage');
      const created = await api('POST', '/api/v1/api-keys', {
        body: { name: 'made by a key', role: 'api_user' },
        headers: { 'X-API-Key': adminKey.key },
      });
      expectProblem(created, 403, 'NOT_A_USER');
      for (const id of [agentKey.id, adminKey.id]) await api('DELETE', `/api/v1/api-keys/${id}`);
    });
  });
});
