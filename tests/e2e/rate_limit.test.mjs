// OWASP API4 (unrestricted resource consumption): budgets in Redis per
// user, API key or (without valid credentials) client address, with the old
// backend's headers, 429 with Retry-After, a budget of its own for the AI
// routes, X-Forwarded-For believed only from a trusted proxy, and what
// happens when Redis cannot be asked (served by default, 503 when
// RATE_LIMIT_FAIL_OPEN=false).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Server, freePort, skipReason, uniqueTag, validate } from './harness.mjs';

const kLimit = 3;

async function call(srv, path, headers = {}) {
  const res = await fetch(`${srv.baseUrl}${path}`, { headers });
  const text = await res.text();
  return { res, text };
}

async function post(srv, path, body, headers = {}) {
  const res = await fetch(`${srv.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { res, text };
}

// A Redis URL nobody answers: a free loopback port below 32768 that nothing
// listens on, so each connection attempt is refused at once.
async function unreachableRedisUrl() {
  return `redis://127.0.0.1:${await freePort()}/0`;
}

describe('rate limits', { skip: skipReason }, () => {
  let srv;
  before(async () => {
    srv = await new Server({
      name: 'rate-limit',
      // A prefix of its own: budgets live in the shared Redis across runs.
      env: { RATE_LIMIT_GENERAL: `${kLimit}/60`, TRUSTED_PROXIES: '', RATE_LIMIT_KEY_PREFIX: uniqueTag('rl') },
      accounts: false,
    }).start();
  });
  after(async () => srv?.stop());

  test('the address budget counts down, then 429 with Retry-After, even for bad credentials', async () => {
    // Health probes before the test do not spend the budget.
    for (let i = 0; i < 5; i += 1) assert.equal((await call(srv, '/health/live')).res.status, 200);

    // Requests without valid credentials spend the address's budget, so
    // guessing tokens is limited like anything else.
    const remaining = [];
    for (let i = 0; i < kLimit; i += 1) {
      const { res } = await call(srv, '/api/v1/tickets?size=1', { Authorization: `Bearer guess${i}` });
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('x-ratelimit-limit'), String(kLimit));
      remaining.push(Number(res.headers.get('x-ratelimit-remaining')));
      assert.ok(Number(res.headers.get('x-ratelimit-reset')) >= 1);
    }
    assert.deepEqual(remaining, [2, 1, 0]);

    const { res, text } = await call(srv, '/api/v1/tickets?size=1');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('content-type'), 'application/problem+json');
    const retry = Number(res.headers.get('retry-after'));
    assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
    const problem = JSON.parse(text);
    validate('Problem', problem);
    assert.equal(problem.error_code, 'RATE_LIMITED');
  });

  test('health, metrics and documentation are outside the limits', async () => {
    for (const path of ['/health', '/health/ready', '/version', '/metrics', '/openapi.json']) {
      const { res } = await call(srv, path);
      assert.notEqual(res.status, 429, path);
      assert.equal(res.headers.get('x-ratelimit-limit'), null, path);
    }
  });

  test('X-Forwarded-For from an untrusted peer does not buy a new budget', async () => {
    const { res } = await call(srv, '/api/v1/tickets?size=1', { 'X-Forwarded-For': '203.0.113.9' });
    assert.equal(res.status, 429);
  });
});

describe('rate limits per user', { skip: skipReason }, () => {
  let srv;
  before(async () => {
    // Two sign-ins spend 2 of the address's 4; each user then has 4 of its own.
    srv = await new Server({
      name: 'rate-limit-users',
      env: { RATE_LIMIT_GENERAL: '4/60', TRUSTED_PROXIES: '', RATE_LIMIT_KEY_PREFIX: uniqueTag('rl') },
      accounts: ['user', 'user2'],
    }).start();
  });
  after(async () => srv?.stop());

  test('one user exhausting its budget leaves another user on the same address untouched', async () => {
    for (let i = 0; i < 4; i += 1) {
      const { res } = await call(srv, '/api/v1/tickets?size=1', srv.authAs('user'));
      assert.equal(res.status, 200);
      assert.equal(Number(res.headers.get('x-ratelimit-remaining')), 3 - i);
    }
    assert.equal((await call(srv, '/api/v1/tickets?size=1', srv.authAs('user'))).res.status, 429);
    const other = await call(srv, '/api/v1/tickets?size=1', srv.authAs('user2'));
    assert.equal(other.res.status, 200);
    assert.equal(other.res.headers.get('x-ratelimit-remaining'), '3');
  });
});

// On an IPv6 socket ("::") IPv4 peers arrive as ::ffff:a.b.c.d; they must
// still match TRUSTED_PROXIES written as plain IPv4.
for (const host of ['0.0.0.0', '::']) {
  describe(`rate limits behind a trusted proxy (listening on ${host})`, { skip: skipReason }, () => {
    let srv;
    before(async () => {
      srv = await new Server({
        name: 'rate-limit-proxy',
        env: { HOST: host, RATE_LIMIT_GENERAL: '1/60', TRUSTED_PROXIES: '127.0.0.1', RATE_LIMIT_KEY_PREFIX: uniqueTag('rl') },
        accounts: false,
      }).start();
    });
    after(async () => srv?.stop());

    test('each forwarded client has its own budget', async () => {
      // Without credentials: 401 while the address has budget, 429 after.
      const first = (ip) => call(srv, '/api/v1/tickets?size=1', { 'X-Forwarded-For': ip });
      assert.equal((await first('198.51.100.1')).res.status, 401);
      assert.equal((await first('198.51.100.1')).res.status, 429);
      assert.equal((await first('198.51.100.2')).res.status, 401);
      // A client cannot pick its budget by prepending addresses: the nearest
      // untrusted hop counts.
      assert.equal((await first('10.9.9.9, 198.51.100.2')).res.status, 429);
    });
  });
}

describe('rate limits on the AI routes', { skip: skipReason }, () => {
  const kAiLimit = 2;
  let srv;
  before(async () => {
    // The general budget stays the harness's (huge): only the AI class is low.
    srv = await new Server({
      name: 'rate-limit-ai',
      env: { RATE_LIMIT_AI: `${kAiLimit}/60`, TRUSTED_PROXIES: '', RATE_LIMIT_KEY_PREFIX: uniqueTag('rl') },
      accounts: ['user'],
    }).start();
  });
  after(async () => srv?.stop());

  test('categorize and ai-create share one budget; a spent one answers 429 with Retry-After', async () => {
    const auth = srv.authAs('user');
    const input = { user_input: `The invoice PDF download fails with error 500 ${uniqueTag('ai')}` };

    const categorized = await post(srv, '/api/v1/ai/categorize', input, auth);
    assert.equal(categorized.res.status, 200, categorized.text);
    assert.equal(categorized.res.headers.get('x-ratelimit-limit'), String(kAiLimit));
    assert.equal(categorized.res.headers.get('x-ratelimit-remaining'), '1');
    const created = await post(srv, '/api/v1/tickets/ai-create', input, auth);
    assert.equal(created.res.status, 201, created.text);
    assert.equal(created.res.headers.get('x-ratelimit-remaining'), '0');

    for (const path of ['/api/v1/ai/categorize', '/api/v1/tickets/ai-create']) {
      const { res, text } = await post(srv, path, input, auth);
      assert.equal(res.status, 429, `${path}: ${text}`);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      const retry = Number(res.headers.get('retry-after'));
      assert.ok(retry >= 1 && retry <= 60, `${path}: Retry-After ${retry}`);
      const problem = JSON.parse(text);
      validate('Problem', problem);
      assert.equal(problem.status, 429);
      assert.equal(problem.error_code, 'RATE_LIMITED');
    }

    // The AI budget is its own: the same user still reads tickets.
    const listed = await call(srv, '/api/v1/tickets?size=1', auth);
    assert.equal(listed.res.status, 200, listed.text);
  });
});

describe('rate limits with Redis unreachable (default: fail open)', { skip: skipReason }, () => {
  let srv;
  before(async () => {
    srv = await new Server({
      name: 'rate-limit-no-redis-open',
      env: { REDIS_URL: await unreachableRedisUrl(), RATE_LIMIT_GENERAL: '1/60', RATE_LIMIT_AI: '1/60' },
      accounts: ['user'],
    }).start();
  });
  after(async () => srv?.stop());

  test('requests are served unlimited, without budget headers, and the degradation is counted', async () => {
    const auth = srv.authAs('user'); // the sign-in itself went through the limiter
    for (let i = 0; i < 3; i += 1) {
      const { res, text } = await call(srv, '/api/v1/tickets?size=1', auth);
      assert.equal(res.status, 200, text);
      assert.equal(res.headers.get('x-ratelimit-limit'), null);
      assert.equal(res.headers.get('retry-after'), null);
    }
    for (let i = 0; i < 2; i += 1) {
      const { res, text } = await post(srv, '/api/v1/ai/categorize', { user_input: 'VPN drops every hour' }, auth);
      assert.equal(res.status, 200, text);
    }
    // Without credentials the address's budget would apply: still not limited.
    for (let i = 0; i < 3; i += 1) {
      assert.equal((await call(srv, '/api/v1/tickets?size=1')).res.status, 401);
    }

    const { text } = await call(srv, '/metrics');
    const degraded = /^rate_limit_degraded_decisions\S* (\S+)$/m.exec(text);
    assert.ok(degraded, 'rate_limit_degraded_decisions is exported');
    assert.ok(Number(degraded[1]) >= 8, `degraded decisions: ${degraded[1]}`);
  });
});

describe('rate limits with Redis unreachable and RATE_LIMIT_FAIL_OPEN=false', { skip: skipReason }, () => {
  let srv;
  before(async () => {
    srv = await new Server({
      name: 'rate-limit-no-redis-closed',
      env: { REDIS_URL: await unreachableRedisUrl(), RATE_LIMIT_FAIL_OPEN: 'false' },
      accounts: false, // signing in is refused too
    }).start();
  });
  after(async () => srv?.stop());

  test('limited routes answer 503 with Retry-After and a problem document', async () => {
    const attempts = [
      await call(srv, '/api/v1/tickets?size=1'),
      await call(srv, '/api/v1/tickets?size=1', { Authorization: 'Bearer not-a-token' }),
      await post(srv, '/api/v1/auth/login', { email: 'nobody@example.test', password: 'irrelevant-here' }),
      await post(srv, '/api/v1/ai/categorize', { user_input: 'VPN drops every hour' }),
    ];
    for (const { res, text } of attempts) {
      assert.equal(res.status, 503, text);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      assert.equal(res.headers.get('retry-after'), '5');
      assert.equal(res.headers.get('x-ratelimit-limit'), null);
      const problem = JSON.parse(text);
      validate('Problem', problem);
      assert.equal(problem.status, 503);
      assert.equal(problem.error_code, 'SERVICE_UNAVAILABLE');
      assert.match(problem.detail, /rate limits cannot be checked/i);
      assert.ok(problem.request_id, 'the refusal carries a request id');
    }
  });

  test('health, metrics and documentation stay outside the limiter', async () => {
    for (const path of ['/health/live', '/version', '/metrics', '/openapi.json']) {
      const { res } = await call(srv, path);
      assert.equal(res.status, 200, path);
    }
  });
});
