// REDIS_URL=rediss://: the API reaches Redis over TLS (ElastiCache with
// encryption in transit) for its readiness check and its rate limits, and
// refuses to trust a certificate it has no CA for. Needs the TLS Redis that
// scripts/services.sh starts (TEST_REDISS_URL, TEST_REDIS_TLS_CA_FILE).

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { Server, skipReason, sleep, uniqueTag } from './harness.mjs';

const tlsSkip =
  skipReason ||
  (!process.env.TEST_REDISS_URL || !process.env.TEST_REDIS_TLS_CA_FILE
    ? 'TEST_REDISS_URL and TEST_REDIS_TLS_CA_FILE are not set; scripts/services.sh starts a Redis with TLS'
    : false);

// /health/ready until it answers `want` or 5 s pass; the background check
// runs at start and every HEALTH_CHECK_INTERVAL_S.
async function readiness(srv, want) {
  let status;
  let body;
  for (let i = 0; i < 20 && status !== want; i += 1) {
    if (i > 0) await sleep(250);
    const res = await fetch(`${srv.baseUrl}/health/ready`);
    status = res.status;
    body = await res.json();
  }
  return { status, body };
}

describe('Redis over TLS', { skip: tlsSkip }, () => {
  const servers = [];
  after(async () => Promise.all(servers.map((srv) => srv.stop())));

  async function start(env) {
    const srv = await new Server({
      name: 'redis-tls',
      env: { RATE_LIMIT_KEY_PREFIX: uniqueTag('tls'), HEALTH_CHECK_INTERVAL_S: '1', ...env },
      accounts: false,
    }).start();
    servers.push(srv);
    return srv;
  }

  test('a trusted rediss:// Redis makes the API ready and counts its rate limits', async () => {
    const srv = await start({
      REDIS_URL: process.env.TEST_REDISS_URL,
      REDIS_TLS_CA_FILE: process.env.TEST_REDIS_TLS_CA_FILE,
      RATE_LIMIT_GENERAL: '5/60',
    });

    const { status, body } = await readiness(srv, 200);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.checks.redis.status, 'ok');

    const remaining = [];
    for (let i = 0; i < 3; i += 1) {
      const res = await fetch(`${srv.baseUrl}/api/v1/tickets?size=1`);
      await res.arrayBuffer();
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('x-ratelimit-limit'), '5');
      remaining.push(Number(res.headers.get('x-ratelimit-remaining')));
    }
    assert.deepEqual(remaining, [4, 3, 2], 'budgets are counted in Redis, not let through degraded');
  });

  test('without the CA the API is not ready: the certificate is not trusted', async () => {
    const srv = await start({ REDIS_URL: process.env.TEST_REDISS_URL, REDIS_TLS_CA_FILE: '' });

    const { status, body } = await readiness(srv, 503);
    assert.equal(status, 503, JSON.stringify(body));
    assert.equal(body.checks.redis.status, 'fail');
    assert.match(body.checks.redis.detail, /certificate verify failed/);
    assert.equal(body.checks.database.status, 'ok');

    // Rate limits fail open (the default): served, without budget headers.
    const limited = await fetch(`${srv.baseUrl}/api/v1/tickets?size=1`);
    await limited.arrayBuffer();
    assert.equal(limited.status, 401);
    assert.equal(limited.headers.get('x-ratelimit-limit'), null);
  });

  test('a REDIS_TLS_CA_FILE that cannot be read stops the start with a line naming it', async () => {
    const srv = new Server({
      name: 'redis-tls-bad-ca',
      env: { REDIS_URL: process.env.TEST_REDISS_URL, REDIS_TLS_CA_FILE: '/nonexistent/ca.pem' },
      accounts: false,
    });
    await assert.rejects(srv.start(), /REDIS_TLS_CA_FILE: cannot read '\/nonexistent\/ca\.pem'/);
    await srv.stop();
  });
});
