// Error answers: every one an RFC 9457 problem with the Problem schema and
// the request's id; status codes and error codes as docs/API.md lists them.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  api,
  createTicket,
  errorPaths,
  expectJson,
  expectProblem,
  rawRequest,
  server,
  skipReason,
  uniqueTag,
  useServer,
} from './harness.mjs';

const kMiB = 1024 * 1024;

function postRaw(path, raw, contentType = 'application/json') {
  return api('POST', path, { raw, headers: { 'Content-Type': contentType } });
}

// The numbers a problem's detail mentions.
const numbersIn = (text) => (text.match(/\d+/g) ?? []).map(Number);

describe('errors', { skip: skipReason }, () => {
  useServer();

  describe('malformed JSON', () => {
    const cases = [
      { name: 'a bare word as a value', body: '{"title": "Broken", "priority": high}', at: (b) => b.indexOf('high') },
      { name: 'a truncated object', body: '{"title": "Broken"', at: (b) => b.length },
      { name: 'a trailing comma', body: '{"title": "Broken",}', at: (b) => b.indexOf('}') },
      { name: 'garbage after the value', body: '{"title": "x"} extra', at: (b) => b.indexOf('extra') },
    ];
    for (const { name, body, at } of cases) {
      test(`${name} answers 400 naming the byte position`, async () => {
        const problem = expectProblem(await postRaw('/api/v1/tickets', body), 400, 'MALFORMED_JSON');
        const position = at(body);
        assert.ok(
          numbersIn(problem.detail).some((n) => Math.abs(n - position) <= 1),
          `detail "${problem.detail}" should name byte ${position} (0- or 1-based)`,
        );
      });
    }

    test('the detail stays short and does not echo the body back', async () => {
      const token = `9${'0'.repeat(900_000)}x`;
      for (const body of [`{"a":${token}}`, '{"email":"a\\ud800"}', `{"t":"${'\u0001'.repeat(10)}"}`]) {
        const problem = expectProblem(await postRaw('/api/v1/tickets', body), 400, 'MALFORMED_JSON');
        assert.ok(problem.detail.length < 300, `detail of ${problem.detail.length} characters`);
        assert.doesNotMatch(problem.detail, /last read|json\.exception|0{50}/);
      }
    });

    test('a truncated body says what was expected, without a dangling word', async () => {
      const problem = expectProblem(await postRaw('/api/v1/tickets', '{"title": '), 400, 'MALFORMED_JSON');
      assert.doesNotMatch(problem.detail, /expected$/);
      assert.match(problem.detail, /unexpected end of input; expected '\[', '\{', or a literal/);
    });

    test('a member named twice in one object answers 400 naming it, and creates nothing', async () => {
      const department = uniqueTag();
      const body = `{"title": "first", "description": "d", "priority": "low", "category": "general", "department": "${department}", "title": "second"}`;
      const problem = expectProblem(await postRaw('/api/v1/tickets', body), 400, 'MALFORMED_JSON');
      assert.match(problem.detail, /"title" twice/);
      const list = await api('GET', `/api/v1/tickets?department=${department}`);
      assert.equal(list.json.total, 0);
      // The same name in different objects is no duplicate.
      const nested = JSON.stringify({ title: 't', description: 'd', priority: 'low', category: 'general', department, metadata: { title: 'x', inner: { title: 'y' } } });
      expectJson(await postRaw('/api/v1/tickets', nested), 201, 'Ticket');
    });

    test('an empty JSON body answers 400', async () => {
      expectProblem(await postRaw('/api/v1/tickets', ''), 400, 'MALFORMED_JSON');
    });

    test('malformed JSON on PUT and PATCH answers 400 too', async () => {
      const ticket = await createTicket({ department: uniqueTag() });
      for (const [method, type] of [['PUT', 'application/json'], ['PATCH', 'application/merge-patch+json']]) {
        const res = await api(method, `/api/v1/tickets/${ticket.id}`, { raw: '{"title": ', headers: { 'Content-Type': type } });
        expectProblem(res, 400, 'MALFORMED_JSON');
      }
    });
  });

  describe('media types', () => {
    const refused = ['text/plain', 'application/xml', 'application/x-www-form-urlencoded'];
    for (const type of refused) {
      test(`a body of ${type} answers 415`, async () => {
        const res = await postRaw('/api/v1/tickets', '{"title": "x"}', type);
        expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
      });
    }

    test('application/json with a charset parameter is accepted', async () => {
      const body = JSON.stringify({ title: 't', description: 'd', priority: 'low', category: 'general', department: uniqueTag() });
      expectJson(await postRaw('/api/v1/tickets', body, 'application/json; charset=utf-8'), 201, 'Ticket');
      expectJson(await postRaw('/api/v1/tickets', body, 'application/json; charset="UTF-8"'), 201, 'Ticket');
    });

    test('a charset other than UTF-8 answers 415 naming it', async () => {
      const body = JSON.stringify({ title: 't', description: 'd', priority: 'low', category: 'general' });
      for (const charset of ['utf-16', 'latin1']) {
        const problem = expectProblem(await postRaw('/api/v1/tickets', body, `application/json; charset=${charset}`), 415, 'UNSUPPORTED_MEDIA_TYPE');
        assert.match(problem.detail, new RegExp(`charset ${charset}`));
      }
    });
  });

  describe('size limits', () => {
    test('a body over 1 MiB answers 413', async () => {
      const body = JSON.stringify({
        title: 'Too big',
        description: 'x'.repeat(kMiB + 16),
        priority: 'low',
        category: 'general',
      });
      const head =
        `POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Request-ID: too-big-body\r\n\r\n`;
      const res = await rawRequest(server().port, Buffer.concat([Buffer.from(head), Buffer.from(body)]));
      assert.ok(res, 'the server closed the connection without an answer');
      const problem = expectProblem(res, 413, 'PAYLOAD_TOO_LARGE');
      // The head arrived whole: its request id and path belong in the answer.
      assert.deepEqual(
        { request_id: problem.request_id, instance: problem.instance },
        { request_id: 'too-big-body', instance: '/api/v1/tickets' },
      );
    });

    test('a chunked body that grows over 1 MiB answers 413', async () => {
      const chunk = 'y'.repeat(64 * 1024);
      let payload =
        'POST /api/v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
        'Transfer-Encoding: chunked\r\n\r\n';
      for (let i = 0; i < 18; i += 1) payload += `${chunk.length.toString(16)}\r\n${chunk}\r\n`;
      payload += '0\r\n\r\n';
      const res = await rawRequest(server().port, payload);
      assert.ok(res, 'the server closed the connection without an answer');
      assert.equal(expectProblem(res, 413, 'PAYLOAD_TOO_LARGE').instance, '/api/v1/tickets');
    });

    test('a large body under 1 MiB is read and judged on its content', async () => {
      const body = JSON.stringify({ title: 'Big but fine', description: 'z'.repeat(200 * 1024), priority: 'low', category: 'bogus' });
      const res = await postRaw('/api/v1/tickets', body);
      // 422 for the category and the over-long description, not 413.
      assert.deepEqual(errorPaths(expectProblem(res, 422, 'VALIDATION_ERROR')), ['category', 'description']);
    });

    test('a 64 KiB header answers 431', async () => {
      const payload =
        `GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-ID: big-header\r\n` +
        `X-Padding: ${'a'.repeat(64 * 1024)}\r\n\r\n`;
      const res = await rawRequest(server().port, payload);
      assert.ok(res, 'the server closed the connection without a 431');
      const problem = expectProblem(res, 431, 'HEADERS_TOO_LARGE');
      // Regression: the request line was read whole, yet instance was "".
      assert.equal(problem.instance, '/health/live');
      assert.equal(problem.request_id, 'big-header');
    });

    // Regression (attack run of 2026-12-04): Beast's limit held only for a
    // head read in parts, so 20 KiB of short header lines was served.
    test('many short header lines over 16 KiB in all answer 431, under it 200', async () => {
      const lines = (count) => Array.from({ length: count }, (_, i) => `X-H${i}: ${'v'.repeat(40)}\r\n`).join('');
      const head = (count) => `GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines(count)}\r\n`;
      expectProblem(await rawRequest(server().port, head(450)), 431, 'HEADERS_TOO_LARGE');
      const fits = await rawRequest(server().port, head(250));
      assert.equal(fits.status, 200, fits.text);
    });

    test('a request line over the header limit answers 431 without an instance', async () => {
      const payload = `GET /health/live?pad=${'p'.repeat(64 * 1024)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`;
      const res = await rawRequest(server().port, payload);
      assert.ok(res, 'the server closed the connection without a 431');
      const problem = expectProblem(res, 431, 'HEADERS_TOO_LARGE');
      // The path is not known: the member is left out, never "".
      assert.ok(!('instance' in problem), `instance: ${JSON.stringify(problem.instance)}`);
    });
  });

  describe('routing', () => {
    for (const path of ['/api/v1/nothing-here', '/nope', '/api/v1/tickets/8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10/nothing']) {
      test(`unknown path ${path} answers 404`, async () => {
        const problem = expectProblem(await api('GET', path), 404, 'NOT_FOUND');
        assert.equal(problem.instance, path);
      });
    }

    const wrongMethods = [
      { method: 'DELETE', path: '/api/v1/tickets', allow: ['GET', 'POST'] },
      { method: 'PUT', path: '/api/v1/tickets', allow: ['GET', 'POST'] },
      { method: 'POST', path: '/health', allow: ['GET'] },
      { method: 'POST', path: '/api/v1/tickets/8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10', allow: ['DELETE', 'GET', 'PATCH', 'PUT'] },
      { method: 'GET', path: '/api/v1/tickets/8d6c7c0e-2f0b-4b8e-9a55-0d1f5d1b7a10/status', allow: ['PATCH'] },
      { method: 'DELETE', path: '/api/v1/tickets/stats/overview', allow: ['GET'] },
    ];
    for (const { method, path, allow } of wrongMethods) {
      test(`${method} ${path} answers 405 with Allow: ${allow.join(', ')}`, async () => {
        const res = await api(method, path);
        expectProblem(res, 405, 'METHOD_NOT_ALLOWED');
        const allowed = (res.headers.get('allow') ?? '').split(',').map((m) => m.trim()).filter(Boolean);
        // HEAD and OPTIONS may ride along with GET; the listed ones must be there.
        for (const m of allow) assert.ok(allowed.includes(m), `Allow "${res.headers.get('allow')}" lacks ${m}`);
        assert.ok(!allowed.includes(method), `Allow lists the refused ${method}`);
      });
    }
  });

  describe('HEAD', () => {
    test('HEAD is answered like GET, without a body', async () => {
      const get = await api('GET', '/api/v1/tickets/stats/overview');
      const head = await api('HEAD', '/api/v1/tickets/stats/overview');
      assert.equal(head.status, 200);
      assert.equal(head.text, '');
      assert.equal(head.headers.get('content-type'), get.headers.get('content-type'));
      assert.ok(Number(head.headers.get('content-length')) > 0);
    });
  });

  describe('validation', () => {
    test('three invalid fields give three errors with their paths', async () => {
      const res = await api('POST', '/api/v1/tickets', {
        body: { title: '', description: 'fine', priority: 'urgent', category: 'hardware' },
      });
      const problem = expectProblem(res, 422, 'VALIDATION_ERROR');
      assert.equal(problem.errors.length, 3);
      assert.deepEqual(errorPaths(problem), ['category', 'priority', 'title']);
      for (const entry of problem.errors) assert.ok(entry.reason.length > 0);
    });

    const valid = { title: 'Valid', description: 'Valid', priority: 'low', category: 'general' };
    const invalidMembers = [
      { name: 'an empty title', patch: { title: '' }, path: 'title' },
      { name: 'a title of 256 characters', patch: { title: 't'.repeat(256) }, path: 'title' },
      { name: 'a title that is a number', patch: { title: 42 }, path: 'title' },
      { name: 'an empty description', patch: { description: '' }, path: 'description' },
      { name: 'an unknown urgency', patch: { urgency: 'extreme' }, path: 'urgency' },
      { name: 'an unknown source_channel', patch: { source_channel: 'fax' }, path: 'source_channel' },
      { name: '51 tags', patch: { tags: Array.from({ length: 51 }, (_, i) => `t${i}`) }, path: 'tags' },
      { name: 'an empty tag', patch: { tags: ['ok', ''] }, path: 'tags[1]' },
      { name: 'a tag of 65 characters', patch: { tags: ['g'.repeat(65)] }, path: 'tags[0]' },
      { name: 'a due_date without an offset', patch: { due_date: '2026-12-03T10:00:00' }, path: 'due_date' },
      { name: 'a due_date that is no date', patch: { due_date: 'next week' }, path: 'due_date' },
      { name: 'an assigned_to_id that is not a UUID', patch: { assigned_to_id: 'bob' }, path: 'assigned_to_id' },
      { name: 'metadata that is an array', patch: { metadata: [1, 2] }, path: 'metadata' },
      { name: 'an unknown member', patch: { colour: 'blue' }, path: 'colour' },
      { name: 'a read-only member', patch: { version: 3 }, path: 'version' },
      { name: 'a status on create', patch: { status: 'open' }, path: 'status' },
    ];
    for (const { name, patch, path } of invalidMembers) {
      test(`create with ${name} answers 422 at ${path}`, async () => {
        const res = await api('POST', '/api/v1/tickets', { body: { ...valid, department: uniqueTag(), ...patch } });
        assert.deepEqual(errorPaths(expectProblem(res, 422, 'VALIDATION_ERROR')), [path]);
      });
    }

    // Regression: every bad due_date got one generic reason, whatever was wrong.
    const badDates = [
      { value: '2026-02-30T17:00:00Z', problem: 'has day 30, which does not exist in 2026-02 (it has 28 days)' },
      { value: '2026-12-31', problem: 'is a date without a time and a zone' },
      { value: '2026-12-31 17:00:00Z', problem: 'separates the date and the time with a space instead of T' },
      { value: '2026-12-31T17:00:00', problem: 'has no zone after the time (Z, or an offset such as +02:00)' },
      { value: '2026-12-31T17:00:00+16:00', problem: 'has the offset +16:00, beyond the largest accepted, +15:59 or -15:59' },
      { value: '2026-12-31T17:00:00+0200', problem: 'has an offset not written +hh:mm or -hh:mm' },
      { value: '31/12/2026', problem: 'does not start with a date written YYYY-MM-DD' },
    ];
    for (const { value, problem: what } of badDates) {
      test(`a due_date of ${value} answers 422 saying what is wrong and the form expected`, async () => {
        const res = await api('POST', '/api/v1/tickets', { body: { ...valid, due_date: value } });
        assert.deepEqual(expectProblem(res, 422, 'VALIDATION_ERROR').errors, [{
          path: 'due_date',
          reason: `${what}; expected an RFC 3339 date-time with a zone, such as 2026-12-31T17:00:00Z, or null`,
        }]);
      });
    }

    test('a bad created_after names its problem the same way', async () => {
      const problem = expectProblem(await api('GET', '/api/v1/tickets?created_after=2026-04-31T00:00:00Z'), 422, 'VALIDATION_ERROR');
      assert.deepEqual(problem.errors, [{
        path: 'created_after',
        reason: 'has day 31, which does not exist in 2026-04 (it has 30 days); expected an RFC 3339 date-time with a zone, such as 2026-12-31T17:00:00Z',
      }]);
    });

    // Regression: a 20-digit integer was refused as a "fractional" number.
    test('a metadata integer beyond 64 bits answers 422 saying it is outside the range kept exactly', async () => {
      const raw = `${JSON.stringify({ ...valid, department: uniqueTag() }).slice(0, -1)},"metadata":{"order":{"id":99999999999999999999}}}`;
      const problem = expectProblem(await postRaw('/api/v1/tickets', raw), 422, 'VALIDATION_ERROR');
      assert.equal(problem.errors.length, 1);
      assert.equal(problem.errors[0].path, 'metadata');
      assert.match(problem.errors[0].reason, /^must not contain numbers outside the range kept exactly \(at metadata\.order\.id\): integers from -9223372036854775808 to 18446744073709551615/);
      assert.doesNotMatch(problem.errors[0].reason, /fractional/);
    });

    test('metadata integers at the ends of the 64-bit range are kept exactly', async () => {
      const raw = `${JSON.stringify({ ...valid, department: uniqueTag() }).slice(0, -1)},"metadata":{"max":18446744073709551615,"min":-9223372036854775808}}`;
      const created = await postRaw('/api/v1/tickets', raw);
      const ticket = expectJson(created, 201, 'Ticket');
      // JSON.parse rounds these: the answer's text is what holds them.
      const read = await api('GET', `/api/v1/tickets/${ticket.id}`);
      assert.equal(read.status, 200);
      assert.match(read.text, /"max":18446744073709551615\b/);
      assert.match(read.text, /"min":-9223372036854775808\b/);
    });

    test('a JSON body that is not an object answers 422', async () => {
      for (const raw of ['[]', '"ticket"', '42', 'null']) {
        const res = await postRaw('/api/v1/tickets', raw);
        expectProblem(res, 422, 'VALIDATION_ERROR');
      }
    });
  });

  describe('request ids', () => {
    test('X-Request-ID is echoed when given', async () => {
      const res = await api('GET', '/health/live', { headers: { 'X-Request-ID': 'e2e-echo-123' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-request-id'), 'e2e-echo-123');
    });

    test('X-Request-ID is echoed on errors, in the header and the problem', async () => {
      const res = await api('GET', '/nope', { headers: { 'X-Request-ID': 'e2e-echo-404' } });
      assert.equal(expectProblem(res, 404, 'NOT_FOUND').request_id, 'e2e-echo-404');
    });

    test('X-Request-ID is generated, and different, when not given', async () => {
      const first = (await api('GET', '/health/live')).headers.get('x-request-id');
      const second = (await api('GET', '/health/live')).headers.get('x-request-id');
      assert.ok(first && first.length <= 128, `generated id: ${first}`);
      assert.ok(second);
      assert.notEqual(first, second);
    });

    test('an X-Request-ID over 128 characters is replaced by a generated one', async () => {
      const long = 'r'.repeat(129);
      const res = await api('GET', '/nope', { headers: { 'X-Request-ID': long } });
      const id = res.headers.get('x-request-id');
      assert.ok(id && id !== long && id.length <= 128, `id: ${id}`);
      assert.equal(expectProblem(res, 404).request_id, id);
    });

    test('an X-Request-ID of exactly 128 characters is kept', async () => {
      const id = 'k'.repeat(128);
      const res = await api('GET', '/health/live', { headers: { 'X-Request-ID': id } });
      assert.equal(res.headers.get('x-request-id'), id);
    });
  });

  // Regressions: each of these once reached PostgreSQL or the JSON library
  // and came back as a 500. Hostile input must get a 4xx naming the problem.
  describe('hostile input is refused with a 4xx, never a 500', () => {
    const valid = { title: 'Hostile', description: 'Hostile input', priority: 'low', category: 'general' };
    const bodies = [
      { name: 'a NUL in a metadata value', extra: '"metadata":{"k":"a\\u0000b"}', path: 'metadata' },
      { name: 'a NUL in a metadata key', extra: '"metadata":{"k\\u0000":"v"}', path: 'metadata' },
      { name: 'a NUL in the title', extra: '"title":"nul\\u0000here"', path: 'title' },
      { name: 'year 0000 as due_date', extra: '"due_date":"0000-01-01T00:00:00Z"', path: 'due_date' },
      { name: 'an offset past 15:59', extra: '"due_date":"9999-12-31T23:59:59-23:59"', path: 'due_date' },
      { name: 'metadata nested 40 deep', extra: `"metadata":{"d":${'['.repeat(40)}${']'.repeat(40)}}`, path: 'metadata' },
      { name: 'metadata nested 32000 deep', extra: `"metadata":{"d":${'['.repeat(32000)}${']'.repeat(32000)}}`, path: 'metadata' },
    ];
    for (const { name, extra, path } of bodies) {
      test(`${name} answers 422 at ${path}`, async () => {
        // The member the case sets is left out of the valid body: a member
        // named twice is refused as malformed before validation.
        const base = { ...valid };
        delete base[extra.slice(1, extra.indexOf('"', 1))];
        const raw = `${JSON.stringify(base).slice(0, -1)},${extra}}`;
        const res = await postRaw('/api/v1/tickets', raw);
        const problem = expectProblem(res, 422, 'VALIDATION_ERROR');
        assert.ok(errorPaths(problem).includes(path), JSON.stringify(problem.errors));
      });
    }

    test('a number beyond a double answers 400', async () => {
      const raw = JSON.stringify(valid).replace(/}$/, ',"metadata":{"n":1e400}}');
      expectProblem(await postRaw('/api/v1/tickets', raw), 400, 'MALFORMED_JSON');
    });

    for (const query of ['q=%FF', 'q=%E2%82', 'department=%FF', 'created_after=0000-01-01T00:00:00Z']) {
      test(`GET /api/v1/tickets?${query} answers 422`, async () => {
        const problem = expectProblem(await api('GET', `/api/v1/tickets?${query}`), 422, 'VALIDATION_ERROR');
        assert.equal(problem.errors.length, 1);
        assert.equal(problem.errors[0].path, query.split('=')[0]);
      });
    }

    test('an absolute-form target answers 400 saying what a target must be', async () => {
      const res = await rawRequest(server().port, 'GET http://evil.example/health HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n');
      assert.equal(res.status, 400);
      assert.match(res.json.detail, /origin form/);
    });

    // Regression: these answered Beast's own words, "bad field".
    const malformedHeads = [
      { name: 'a header name with a space', line: 'Bad Header: x', detail: /header line is malformed.*Name: value/ },
      { name: 'a header line without a colon', line: 'NoColonHere', detail: /header line is malformed.*colon/ },
      { name: 'two different Content-Lengths', line: 'Content-Length: 1\r\nContent-Length: 2', detail: /Content-Length must be a decimal number/ },
    ];
    for (const { name, line, detail } of malformedHeads) {
      test(`${name} answers 400 saying what is malformed`, async () => {
        const res = await rawRequest(server().port, `GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-ID: bad-head\r\n${line}\r\n\r\n`);
        const problem = expectProblem(res, 400, 'BAD_REQUEST');
        assert.match(problem.detail, detail);
        assert.doesNotMatch(problem.detail, /bad field|bad Content-Length/);
        assert.deepEqual({ instance: problem.instance, request_id: problem.request_id }, { instance: '/health/live', request_id: 'bad-head' });
      });
    }

    test('a malformed request line answers 400 without an instance', async () => {
      const problem = expectProblem(await rawRequest(server().port, 'GET /health/live HTTP/9.9\r\nHost: x\r\n\r\n'), 400, 'BAD_REQUEST');
      assert.match(problem.detail, /must end with HTTP\/1\.1 or HTTP\/1\.0/);
      assert.ok(!('instance' in problem), `instance: ${JSON.stringify(problem.instance)}`);
    });

    test('an HTTP/1.1 request without Host answers 400', async () => {
      const res = await rawRequest(server().port, 'GET /health/live HTTP/1.1\r\nConnection: close\r\n\r\n');
      assert.equal(res.status, 400);
      assert.match(res.json.detail, /Host/);
    });

    test('invented methods share one metrics label', async () => {
      const method = `FOO${Date.now()}`;
      const res = await rawRequest(server().port, `${method} /api/v1/tickets HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      assert.equal(res.status, 405);
      const metrics = await api('GET', '/metrics');
      assert.ok(!metrics.text.includes(method), 'the invented method became a label');
      assert.match(metrics.text, /http_requests_total\{method="OTHER"/);
    });
  });
});
