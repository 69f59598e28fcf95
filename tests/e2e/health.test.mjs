// Operational surface: health probes, version, metrics, the OpenAPI
// document and its pages, and the one access log line per request.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';

import {
  api,
  createTicket,
  expectJson,
  freePort,
  openapi,
  Server,
  server,
  skipReason,
  sleep,
  ticketdBin,
  uniqueTag,
  useServer,
} from './harness.mjs';

const requireWeb = createRequire(new URL('../../web/package.json', import.meta.url));
const YAML = requireWeb('yaml');

const kCdn = /(unpkg\.com|jsdelivr\.net|cdnjs\.|googleapis\.com|gstatic\.com|cloudflare\.com)/i;

// Polls the server's stdout for records of `requestId` until `count` carry
// a method (the access line) or the bound passes.
async function accessRecords(requestId, boundMs = 3000) {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const records = server().logRecords().filter((r) => r.request_id === requestId);
    const access = records.filter((r) => 'method' in r && 'route' in r);
    if (access.length > 0 || Date.now() > deadline) {
      await sleep(100); // a second line, if any, arrives now
      return server().logRecords().filter((r) => r.request_id === requestId && 'method' in r && 'route' in r);
    }
    await sleep(50);
  }
}

// The script and stylesheet URLs of an HTML page.
function assetUrls(html) {
  const urls = [];
  for (const match of html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)) urls.push(match[1]);
  for (const match of html.matchAll(/<link\b[^>]*\bhref\s*=\s*["']([^"']+)["'][^>]*>/gi)) urls.push(match[1]);
  return urls;
}

describe('health, version, metrics and documentation', { skip: skipReason }, () => {
  useServer();

  describe('health', () => {
    test('/health has the old shape, a numeric timestamp, and 200 with the database healthy', async () => {
      // Filled by background checks: allow the first round to finish.
      let res;
      for (let i = 0; i < 50; i += 1) {
        res = await api('GET', '/health');
        if (res.status === 200 && res.json?.services?.database === 'healthy') break;
        await sleep(100);
      }
      const health = expectJson(res, 200, 'Health');
      assert.equal(health.status, 'healthy');
      assert.equal(typeof health.timestamp, 'number');
      assert.ok(Math.abs(health.timestamp - Date.now() / 1000) < 600, `timestamp ${health.timestamp} is not recent`);
      assert.deepEqual(health.services, { database: 'healthy', ai_service: 'healthy', mcp_server: 'healthy' });
      assert.equal(health.environment, 'testing');
      assert.ok(!('error' in health), 'error is present only when unhealthy');
    });

    test('/health/live answers 200', async () => {
      expectJson(await api('GET', '/health/live'), 200, 'Liveness');
    });

    test('ticketd healthcheck exits 0 beside a serving API and 1 where nothing listens', async () => {
      const healthcheck = (port) =>
        spawnSync(ticketdBin, ['healthcheck'], {
          env: { ...process.env, ENVIRONMENT: 'testing', HOST: '127.0.0.1', PORT: String(port) },
          encoding: 'utf8',
          timeout: 15000,
        });
      const up = healthcheck(server().port);
      assert.equal(up.status, 0, `stdout: ${up.stdout} stderr: ${up.stderr}`);
      assert.match(up.stdout, /^healthcheck api: HTTP 200$/m);

      const down = healthcheck(await freePort());
      assert.equal(down.status, 1, `stdout: ${down.stdout} stderr: ${down.stderr}`);
      assert.match(down.stdout, /^healthcheck api: cannot connect to 127\.0\.0\.1:\d+/m);
    });

    test('/health/ready answers 200 with database, Redis and schema checks ok', async () => {
      const ready = expectJson(await api('GET', '/health/ready'), 200, 'Readiness');
      assert.equal(ready.status, 'ready');
      assert.equal(ready.checks.database.status, 'ok');
      assert.equal(ready.checks.redis.status, 'ok');
      assert.equal(ready.checks.schema.status, 'ok');
      assert.ok(ready.checks.schema.current_version >= ready.checks.schema.expected_version);
    });
  });

  describe('version', () => {
    test('/version gives deploy_color null when DEPLOY_COLOR is unset', async () => {
      const version = expectJson(await api('GET', '/version'), 200, 'Version');
      assert.equal(version.deploy_color, null);
      const health = (await api('GET', '/health')).json;
      assert.equal(health.version, version.version, '/health and /version agree on the version');
    });

    test('/version reports DEPLOY_COLOR=green from the environment', async () => {
      const green = new Server({ env: { DEPLOY_COLOR: 'green' }, name: 'green' });
      try {
        await green.start();
        const version = expectJson(await green.api('GET', '/version'), 200, 'Version');
        assert.equal(version.deploy_color, 'green');
      } finally {
        await green.stop();
      }
    });
  });

  describe('metrics', () => {
    test('/metrics is Prometheus text with request counts, a latency histogram and a pool metric', async () => {
      const ticket = await createTicket({ department: uniqueTag() });
      assert.equal((await api('GET', `/api/v1/tickets/${ticket.id}`)).status, 200);

      const res = await api('GET', '/metrics');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain\b.*version=0\.0\.4/i);
      const lines = res.text.split('\n');
      const samples = lines.filter((l) => l && !l.startsWith('#'));

      assert.ok(samples.some((l) => /^http_requests_total[{ ]/.test(l)), 'http_requests_total sample');
      const histogram = lines.find((l) => /^# TYPE \S+ histogram$/.test(l));
      assert.ok(histogram, 'a histogram is declared');
      assert.ok(samples.some((l) => /^\S+_bucket\{.*le="\+Inf".*\} \d/.test(l)), 'a _bucket line with le="+Inf"');
      assert.ok(
        samples.some((l) => /^[a-z_:]*(db|database|pg|postgres)[a-z_:]*pool|^[a-z_:]*pool[a-z_:]*(db|database|pg|postgres)/i.test(l)),
        'a database pool metric',
      );
      assert.ok(
        samples.some((l) => l.startsWith('http_requests_total') && l.includes('/api/v1/tickets/{ticket_id}')),
        'requests are labelled with the route template',
      );
      assert.ok(!res.text.includes(ticket.id), 'no ticket id in labels (unbounded cardinality)');
    });
  });

  describe('documentation', () => {
    test('/openapi.json is the OpenAPI 3.1 document', async () => {
      const doc = expectJson(await api('GET', '/openapi.json'), 200);
      assert.match(doc.openapi, /^3\.1\.\d+$/);
      assert.ok(doc.paths['/api/v1/tickets'], 'lists the ticket paths');
      assert.deepEqual(Object.keys(doc.components.schemas).sort(), Object.keys(openapi().components.schemas).sort());
    });

    test('/openapi.yaml is the same document as YAML', async () => {
      const res = await api('GET', '/openapi.yaml');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /yaml/i);
      const fromYaml = YAML.parse(res.text);
      const fromJson = (await api('GET', '/openapi.json')).json;
      assert.deepEqual(fromYaml, fromJson);
    });

    for (const page of ['/docs', '/redoc']) {
      test(`${page} is HTML whose assets are served locally`, async () => {
        const res = await api('GET', page);
        assert.equal(res.status, 200);
        assert.match(res.headers.get('content-type') ?? '', /^text\/html\b/i);
        assert.ok(!kCdn.test(res.text), `${page} references a CDN`);

        const urls = assetUrls(res.text);
        assert.ok(urls.some((u) => /\.js(\?|$)/.test(u)), `${page} loads a script: ${urls.join(' ')}`);
        const texts = [res.text];
        for (const url of urls) {
          assert.ok(!/^(https?:)?\/\//i.test(url), `${page} loads ${url} from elsewhere`);
          const resolved = new URL(url, `${server().baseUrl}${page}`);
          const asset = await fetch(resolved);
          const body = await asset.text();
          assert.equal(asset.status, 200, `${resolved.pathname} answered ${asset.status}`);
          if (body.length < 100000) texts.push(body); // the page's own glue, not the bundles
        }
        // The page, or its small init script, points at the served document.
        assert.ok(texts.some((t) => /["'`]\/openapi\.(json|yaml)["'`]/.test(t)), `${page} points at /openapi.json`);
      });
    }

    test('/ is an HTML landing page linking the documentation', async () => {
      const res = await api('GET', '/');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html\b/i);
      for (const link of ['/docs', '/redoc', '/health']) {
        assert.match(res.text, new RegExp(`href\\s*=\\s*["']${link}["']`), `links ${link}`);
      }
    });
  });

  describe('access log', () => {
    const cases = [
      { name: 'a ticket read', method: 'GET', path: (id) => `/api/v1/tickets/${id}`, route: '/api/v1/tickets/{ticket_id}', status: 200 },
      { name: 'a list', method: 'GET', path: () => '/api/v1/tickets?status=new', route: '/api/v1/tickets', status: 200 },
      { name: 'a status change', method: 'PATCH', path: (id) => `/api/v1/tickets/${id}/status`, body: { status: 'open' }, route: '/api/v1/tickets/{ticket_id}/status', status: 200 },
      { name: 'a refused read', method: 'GET', path: () => '/api/v1/tickets/8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10', route: '/api/v1/tickets/{ticket_id}', status: 404 },
    ];
    for (const { name, method, path, body, route, status } of cases) {
      test(`${name} writes one JSON line with method, route template, status, duration and request id`, async () => {
        const ticket = await createTicket({ department: uniqueTag() });
        const requestId = uniqueTag('req');
        const res = await api(method, path(ticket.id), { body, headers: { 'X-Request-ID': requestId } });
        assert.equal(res.status, status);

        const records = await accessRecords(requestId);
        assert.equal(records.length, 1, `access lines for ${requestId}: ${JSON.stringify(records)}`);
        const [record] = records;
        assert.equal(record.method, method);
        assert.equal(record.route, route);
        assert.equal(Number(record.status), status);
        const durationKey = Object.keys(record).find((k) => k.startsWith('duration'));
        assert.ok(durationKey, `a duration member in ${JSON.stringify(record)}`);
        assert.ok(Number(record[durationKey]) >= 0);
      });
    }
  });
});
