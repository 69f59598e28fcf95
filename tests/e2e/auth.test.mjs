// Accounts (issue #3): registration, login, refresh-token rotation with
// family revocation on reuse, logout, /me and /verify, and lockout.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { api, expectProblem, server, skipReason, uniqueTag, useServer, validate } from './harness.mjs';

const kPassword = 'correct horse battery staple';

async function register(email = `${uniqueTag('user')}@example.com`, password = kPassword) {
  const res = await api('POST', '/api/v1/auth/register', {
    body: { email, full_name: 'Test Person', password },
  });
  return { res, email };
}

async function login(email, password = kPassword) {
  return api('POST', '/api/v1/auth/login', { body: { email, password } });
}

const bearer = (token) => ({ Authorization: `Bearer ${token}` });

describe('accounts', { skip: skipReason }, () => {
  useServer();

  test('register answers 201 with the user, without any secret', async () => {
    const { res, email } = await register();
    assert.equal(res.status, 201);
    validate('User', res.json);
    assert.equal(res.json.email, email);
    assert.equal(res.json.role, 'user');
    assert.ok(!JSON.stringify(res.json).includes('argon2'));
    assert.ok(!('password' in res.json) && !('password_hash' in res.json));
  });

  test('register refuses a taken email, a weak password and a bad address', async () => {
    const { email } = await register();
    expectProblem((await register(email)).res, 409, 'EMAIL_TAKEN');
    const weak = expectProblem((await register(undefined, 'password1234')).res, 422, 'VALIDATION_ERROR');
    assert.deepEqual(weak.errors.map((e) => e.path), ['password']);
    const bad = expectProblem((await register('not-an-email')).res, 422, 'VALIDATION_ERROR');
    assert.deepEqual(bad.errors.map((e) => e.path), ['email']);
    const extra = await api('POST', '/api/v1/auth/register', {
      body: { email: `${uniqueTag('extra')}@example.com`, full_name: 'X', password: kPassword, role: 'admin' },
    });
    assert.deepEqual(expectProblem(extra, 422, 'VALIDATION_ERROR').errors.map((e) => e.path), ['role']);
    const spaces = await register(undefined, ' '.repeat(16));
    assert.deepEqual(expectProblem(spaces.res, 422).errors.map((e) => e.path), ['password']);
  });

  // Regression: an over-long address got the generic "must be an email
  // address" and did not say that length was the problem.
  test('register names the limit an over-long email exceeds', async () => {
    const long = `${'a'.repeat(250)}@example.com`;
    const problem = expectProblem((await register(long)).res, 422, 'VALIDATION_ERROR');
    assert.deepEqual(problem.errors, [
      { path: 'email', reason: 'must be at most 254 characters long; this one has 262' },
    ]);
  });

  test('login answers tokens that /me and /verify accept', async () => {
    const { email } = await register();
    const res = await login(email.toUpperCase());
    assert.equal(res.status, 200);
    validate('TokenPair', res.json);
    assert.equal(res.json.token_type, 'bearer');
    assert.equal(res.json.expires_in, 1800);
    assert.equal(res.json.user.email, email);
    const me = await api('GET', '/api/v1/auth/me', { headers: bearer(res.json.access_token) });
    assert.equal(me.status, 200);
    assert.equal(me.json.email, email);
    const verify = await api('GET', '/api/v1/auth/verify', { headers: bearer(res.json.access_token) });
    assert.equal(verify.status, 200);
    validate('TokenVerification', verify.json);
    assert.equal(verify.json.valid, true);
  });

  test('a wrong password and an unknown email get the same 401', async () => {
    const { email } = await register();
    const wrong = expectProblem(await login(email, 'wrong password here'), 401, 'INVALID_CREDENTIALS');
    const nobody = `${uniqueTag('nobody')}@example.com`;
    const unknown = expectProblem(await login(nobody), 401, 'INVALID_CREDENTIALS');
    assert.equal(wrong.detail, unknown.detail);
    // Both are logged as warnings (docs/security.md), never with the address.
    const lines = [...server().stdoutLines, ...server().stderrLines];
    for (const [problem, reason] of [[wrong, 'bad_credentials'], [unknown, 'unknown_email']]) {
      const line = lines.find((l) => l.includes('"login failed"') && l.includes(problem.request_id));
      assert.ok(line, `a log line for ${reason}`);
      const entry = JSON.parse(line);
      assert.match(entry.level, /^warn/);
      assert.equal(entry.reason, reason);
      assert.ok(!line.includes(nobody) && !line.includes(email), line);
    }
  });

  test('/me refuses missing, tampered and alg-none tokens with 401 and WWW-Authenticate', async () => {
    const { email } = await register();
    const token = (await login(email)).json.access_token;
    const [head, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const admin = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const cases = [
      { name: 'no header', headers: {}, as: null, code: 'MISSING_CREDENTIALS' },
      { name: 'a tampered payload', headers: bearer(`${head}.${admin}.${signature}`), code: 'INVALID_TOKEN' },
      { name: 'alg none', headers: bearer(`${none}.${payload}.`), code: 'INVALID_TOKEN' },
      { name: 'garbage', headers: bearer('abc'), code: 'INVALID_TOKEN' },
    ];
    for (const { name, headers, as, code } of cases) {
      const res = await api('GET', '/api/v1/auth/me', { headers, as });
      expectProblem(res, 401, code);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/, name);
    }
  });

  test('refresh rotates; replaying a used refresh token revokes the family', async () => {
    const { email } = await register();
    const first = (await login(email)).json.refresh_token;
    const rotated = await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: first } });
    assert.equal(rotated.status, 200);
    validate('TokenPair', rotated.json);
    const second = rotated.json.refresh_token;
    assert.notEqual(second, first);

    expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: first } }), 401, 'INVALID_REFRESH_TOKEN');
    expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: second } }), 401, 'INVALID_REFRESH_TOKEN');
  });

  test('logout revokes the refresh token', async () => {
    const { email } = await register();
    const token = (await login(email)).json.refresh_token;
    assert.equal((await api('POST', '/api/v1/auth/logout', { body: { refresh_token: token } })).status, 204);
    expectProblem(await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: token } }), 401, 'INVALID_REFRESH_TOKEN');
  });

  test('five failures lock the account even against the right password', async () => {
    const { email } = await register();
    for (let i = 0; i < 5; i += 1) expectProblem(await login(email, `wrong guess ${i}`), 401, 'INVALID_CREDENTIALS');
    expectProblem(await login(email), 401, 'INVALID_CREDENTIALS');
  });
});
