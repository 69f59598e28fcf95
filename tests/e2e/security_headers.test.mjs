// OWASP API8 (security misconfiguration): security headers on every answer
// and a CORS allow-list that names the browser extension.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Server, skipReason, validate } from './harness.mjs';

const kExtension = 'chrome-extension://abcdefghijklmnopabcdefghijklmnop';

describe('security headers and CORS', { skip: skipReason }, () => {
  let srv;
  before(async () => {
    srv = await new Server({
      name: 'cors',
      env: { CORS_ORIGINS: `https://support.example.com, ${kExtension}` },
    }).start();
  });
  after(async () => srv?.stop());

  const get = (path, headers = {}) => fetch(`${srv.baseUrl}${path}`, { headers });

  for (const path of ['/api/v1/tickets', '/health', '/api/v1/tickets/not-a-uuid', '/docs', '/metrics']) {
    test(`${path} carries the security headers`, async () => {
      const res = await get(path);
      await res.arrayBuffer();
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('x-frame-options'), 'DENY');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      const csp = res.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /https?:/, 'the policy must not allow remote hosts');
    });
  }

  test('the extension origin may read answers', async () => {
    const res = await get('/api/v1/tickets?size=1', { Origin: kExtension });
    await res.arrayBuffer();
    assert.equal(res.headers.get('access-control-allow-origin'), kExtension);
    assert.match(res.headers.get('vary') ?? '', /Origin/);
    assert.match(res.headers.get('access-control-expose-headers') ?? '', /ETag/);
  });

  test('an unknown origin gets no CORS headers', async () => {
    const res = await get('/api/v1/tickets?size=1', { Origin: 'https://evil.example' });
    await res.arrayBuffer();
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  test('a preflight from the extension is answered 204 with methods and headers', async () => {
    const res = await fetch(`${srv.baseUrl}/api/v1/tickets/x/status`, {
      method: 'OPTIONS',
      headers: { Origin: kExtension, 'Access-Control-Request-Method': 'PATCH' },
    });
    await res.arrayBuffer();
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), kExtension);
    assert.match(res.headers.get('access-control-allow-methods') ?? '', /PATCH/);
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /Authorization/);
  });

  test('a preflight from an unknown origin is refused with 403', async () => {
    const res = await fetch(`${srv.baseUrl}/api/v1/tickets`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'DELETE' },
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const problem = await res.json();
    validate('Problem', problem);
    assert.equal(problem.error_code, 'CORS_ORIGIN_DENIED');
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });
});

describe('CORS configuration', { skip: skipReason }, () => {
  test('a wildcard in CORS_ORIGINS stops the start with one line naming it', async () => {
    const srv = new Server({ name: 'cors-wildcard', env: { CORS_ORIGINS: '*' } });
    await assert.rejects(srv.start(), /CORS_ORIGINS/);
    await srv.stop();
  });
});
