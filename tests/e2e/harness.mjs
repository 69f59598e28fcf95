// Black-box harness for ticketd's end-to-end tests.
//
// Each test file runs in its own Node process (node --test), calls
// useServer() inside its top-level describe, and gets one `ticketd api`
// instance on a free loopback port below 32768, with migrations applied
// first. The database is shared across files and runs: tests isolate their
// data with uniqueTag() and never assume an empty table.
//
// Environment: TICKETD_BIN (default build/asan/ticketd from the repo root),
// DATABASE_URL, REDIS_URL. When one is missing, suites skip with the reason.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { afterEach, after, before, beforeEach } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..');

// The only third-party code the tests use comes from web/node_modules.
const requireWeb = createRequire(path.join(repoRoot, 'web', 'package.json'));
const Ajv2020 = requireWeb('ajv/dist/2020.js');
const addFormats = requireWeb('ajv-formats');
const YAML = requireWeb('yaml');

export const ticketdBin = path.resolve(
  repoRoot,
  process.env.TICKETD_BIN || path.join('build', 'asan', 'ticketd'),
);

const kPortLow = 20000;
const kPortHigh = 32000;
const kStartupBoundMs = 15000;
const kStopBoundMs = 25000; // SHUTDOWN_GRACE_S=20 plus slack
const kShutdownGraceS = 20;

// Why the suites cannot run here (a string), or false when they can; meant
// for describe(name, { skip: skipReason }).
export const skipReason = (() => {
  const missing = ['DATABASE_URL', 'REDIS_URL'].filter((k) => !process.env[k]);
  if (missing.length > 0) {
    return `e2e skipped: set ${missing.join(' and ')} (and TICKETD_BIN) to run against a real ticketd`;
  }
  if (!existsSync(ticketdBin)) {
    return `e2e skipped: no ticketd binary at ${ticketdBin} (build it or set TICKETD_BIN)`;
  }
  return false;
})();
if (skipReason) console.error(`# ${skipReason}`);

export const ticketStatuses = ['new', 'open', 'in_progress', 'pending', 'resolved', 'closed', 'cancelled'];
export const ticketPriorities = ['low', 'medium', 'high', 'critical'];
export const ticketCategories = [
  'technical', 'billing', 'feature_request', 'bug', 'user_access', 'general',
  'integration', 'performance', 'security',
];

// A lower-case alphanumeric word that no other test or run will create:
// usable as a department, a tag, and a full-text search word.
export function uniqueTag(prefix = 'e2e') {
  return `${prefix}${Date.now().toString(36)}x${randomBytes(5).toString('hex')}`;
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Resolves like `promise`, or with `onTimeout` once `ms` pass first; the
// timer never outlives the race.
export async function within(promise, ms, onTimeout = 'timeout') {
  let timer;
  const bound = new Promise((resolve) => {
    timer = setTimeout(() => resolve(onTimeout), ms);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

function tryListen(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      probe.close(() => resolve(true));
    });
  });
}

// A port in [20000, 32000] that nothing listens on now. Never port 0: the
// kernel hands those out from the ephemeral range, where clients live too.
export async function freePort() {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = kPortLow + Math.floor(Math.random() * (kPortHigh - kPortLow));
    if (await tryListen(port)) return port;
  }
  throw new Error(`no free port in ${kPortLow}-${kPortHigh}`);
}

let migrated = false;

function migrateUp() {
  if (migrated) return;
  const result = spawnSync(ticketdBin, ['migrate', 'up'], {
    env: process.env,
    encoding: 'utf8',
    timeout: 60000,
  });
  if (result.error || result.status !== 0) {
    throw new Error(
      `ticketd migrate up failed (status ${result.status}, ${result.error ?? 'no spawn error'})\n` +
        `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
    );
  }
  migrated = true;
}

// The signing key of every server the harness starts, so that tests can
// mint tokens the server must refuse (expired, wrong audience...). Only
// ever used against these private test servers.
export const kJwtTestKey = 'e2e-only-signing-key-not-a-secret-0123456789';

// The password of every account the harness creates (local test databases only).
export const kAccountPassword = 'e2e-Password-not-for-production';

// The accounts each server gets, by name: one per role, and a second
// `user` to test that users cannot reach each other's tickets.
export const kAccountRoles = {
  admin: 'admin',
  manager: 'manager',
  agent: 'agent',
  user: 'user',
  user2: 'user',
  api_user: 'api_user',
};

// Creates (or resets) an account through `ticketd user create`; returns
// {id, email, role}.
export function createAccount(email, role, password = kAccountPassword) {
  const result = spawnSync(ticketdBin, ['user', 'create', '--email', email, '--role', role, '--update'], {
    env: process.env,
    input: `${password}\n`,
    encoding: 'utf8',
    timeout: 60000,
  });
  if (result.error || result.status !== 0) {
    throw new Error(`ticketd user create failed (status ${result.status}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

// One running `ticketd api` process and everything it printed.
export class Server {
  // accounts: true for every kAccountRoles entry, false for none, or the
  // list of names to create and sign in.
  constructor({ env = {}, name = 'api', accounts = true } = {}) {
    this.extraEnv = env;
    this.name = name;
    this.wantsAccounts = accounts;
    this.accounts = {}; // name -> {id, email, role, token, refresh}
    this.stdoutLines = [];
    this.stderrLines = [];
    this.proc = null;
    this.port = 0;
    this.baseUrl = '';
    this.exit = null; // {code, signal} once the process ended
    this.exited = null; // promise of this.exit
  }

  async start() {
    migrateUp();
    let lastError;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await this.#startOnce(await freePort());
        if (this.wantsAccounts) await this.#signIn();
        return this;
      } catch (error) {
        lastError = error;
        await this.stop();
      }
    }
    throw lastError;
  }

  async #startOnce(port) {
    this.port = port;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.stdoutLines = [];
    this.stderrLines = [];
    this.exit = null;

    const env = {
      ...process.env,
      PORT: String(port),
      ENVIRONMENT: 'testing',
      LOG_LEVEL: 'info',
      DOCS_ASSETS_DIR: path.join(repoRoot, 'web', 'node_modules'),
      SHUTDOWN_GRACE_S: String(kShutdownGraceS),
      JWT_SECRET_KEY: kJwtTestKey,
      // The suites send thousands of requests from one address; limits are
      // raised through configuration (rate_limit.test.mjs tests them).
      RATE_LIMIT_GENERAL: '1000000/1',
      RATE_LIMIT_AUTH: '1000000/1',
    };
    delete env.DEPLOY_COLOR; // deterministic unless a test asks for one
    Object.assign(env, this.extraEnv);

    const proc = spawn(ticketdBin, ['api'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    collectLines(proc.stdout, this.stdoutLines);
    collectLines(proc.stderr, this.stderrLines);
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      proc.once('error', (error) => {
        this.exit = { code: null, signal: null, error };
        resolve(this.exit);
      });
    });

    const deadline = Date.now() + kStartupBoundMs;
    while (Date.now() < deadline) {
      if (this.exit) {
        throw new Error(`ticketd api exited during startup: ${JSON.stringify(this.exit)}\n${this.logTail()}`);
      }
      try {
        const res = await fetch(`${this.baseUrl}/health/live`, { signal: AbortSignal.timeout(1000) });
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`ticketd api not live within ${kStartupBoundMs} ms on port ${port}\n${this.logTail()}`);
  }

  // Creates one account per kAccountRoles entry and signs each in.
  async #signIn() {
    const tag = uniqueTag('acct');
    const wanted = Array.isArray(this.wantsAccounts) ? this.wantsAccounts : Object.keys(kAccountRoles);
    for (const name of wanted) {
      const role = kAccountRoles[name];
      const account = createAccount(`${tag}-${name.replace('_', '-')}@example.test`, role);
      const res = await request(this.baseUrl, 'POST', '/api/v1/auth/login', {
        body: { email: account.email, password: kAccountPassword },
      });
      assert.equal(res.status, 200, `login of the ${name} account: ${res.text}`);
      this.accounts[name] = { ...account, token: res.json.access_token, refresh: res.json.refresh_token };
    }
  }

  // Headers that authenticate as the named account (see kAccountRoles).
  authAs(name) {
    const account = this.accounts[name];
    assert.ok(account, `no account named ${name} (is accounts: false set?)`);
    return { Authorization: `Bearer ${account.token}` };
  }

  // SIGTERM, then SIGKILL when the process outlives the bound.
  async stop({ boundMs = kStopBoundMs } = {}) {
    if (!this.proc || this.exit) return this.exit;
    this.proc.kill('SIGTERM');
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), boundMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  signal(name) {
    this.proc.kill(name);
  }

  // stdout parsed as JSON log lines; lines that are not JSON are skipped.
  logRecords() {
    const records = [];
    for (const line of this.stdoutLines) {
      try {
        const value = JSON.parse(line);
        if (value && typeof value === 'object') records.push(value);
      } catch {
        // not a JSON line
      }
    }
    return records;
  }

  logTail(lines = 60) {
    return (
      `--- ${this.name} stdout (last ${lines}) ---\n${this.stdoutLines.slice(-lines).join('\n')}\n` +
      `--- ${this.name} stderr (last ${lines}) ---\n${this.stderrLines.slice(-lines).join('\n')}`
    );
  }

  // Sends one request; see the module-level api() for the options.
  api(method, urlPath, options = {}) {
    return request(this.baseUrl, method, urlPath, this.#withAuth(options));
  }

  #withAuth(options) {
    const { as = 'admin', ...rest } = options;
    const headers = { ...(rest.headers ?? {}) };
    const named = Object.keys(headers).some((k) => /^(authorization|x-api-key)$/i.test(k));
    if (as !== null && !named && this.accounts[as]) Object.assign(headers, this.authAs(as));
    return { ...rest, headers };
  }
}

function collectLines(stream, sink) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    pending += chunk;
    const parts = pending.split('\n');
    pending = parts.pop();
    sink.push(...parts);
  });
  stream.on('end', () => {
    if (pending) sink.push(pending);
  });
}

let current = null;

// Starts one server for the enclosing describe and stops it afterwards;
// prints the server's output of a failed test. Returns the Server.
export function useServer(options = {}) {
  const server = new Server(options);
  let mark = { out: 0, err: 0 };
  before(async () => {
    await server.start();
    current = server;
  });
  after(async () => {
    if (current === server) current = null;
    const exit = await server.stop();
    if (exit && exit.signal === 'SIGKILL') {
      console.error(`# ticketd did not stop within the bound after SIGTERM\n${server.logTail()}`);
    }
  });
  beforeEach(() => {
    mark = { out: server.stdoutLines.length, err: server.stderrLines.length };
  });
  afterEach((t) => {
    if (t.passed !== false) return;
    const out = server.stdoutLines.slice(mark.out).slice(-80).join('\n');
    const err = server.stderrLines.slice(mark.err).slice(-80).join('\n');
    console.error(`--- ticketd output during "${t.name}" ---\nstdout:\n${out}\nstderr:\n${err}`);
  });
  return server;
}

// Sends one request to the current test file's server.
// body: a value sent as JSON (Content-Type application/json unless headers
// name one); raw: a string or Buffer sent as is; as: the account to act as
// ('admin' by default, null for no credentials; headers naming
// Authorization or X-API-Key win). Returns {status, headers, json, text};
// json is the parsed body when the answer is JSON of any flavour, else null.
export function api(method, urlPath, options = {}) {
  assert.ok(current, 'api() called with no server running (call useServer() in the describe)');
  return current.api(method, urlPath, options);
}

export function server() {
  return current;
}

async function request(baseUrl, method, urlPath, { body, headers = {}, raw } = {}) {
  const init = { method, headers: { ...headers }, redirect: 'manual', signal: AbortSignal.timeout(30000) };
  const hasType = Object.keys(init.headers).some((k) => k.toLowerCase() === 'content-type');
  if (raw !== undefined) {
    init.body = raw;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    if (!hasType) init.headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(new URL(urlPath, baseUrl), init);
  const text = await res.text();
  let json = null;
  if (/json/i.test(res.headers.get('content-type') ?? '') && text.length > 0) {
    json = JSON.parse(text);
  }
  return { status: res.status, headers: res.headers, json, text };
}

// ---------------------------------------------------------------------------
// Schema validation against the served contract, /work/main/openapi.yaml.

const kDocId = 'https://ticketd.test/openapi.json';
let ajv = null;
let openapiDoc = null;
const validators = new Map();

export function openapi() {
  if (!openapiDoc) {
    openapiDoc = YAML.parse(readFileSync(path.join(repoRoot, 'openapi.yaml'), 'utf8'));
  }
  return openapiDoc;
}

function validatorFor(schemaName) {
  if (validators.has(schemaName)) return validators.get(schemaName);
  if (!ajv) {
    ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addSchema({ ...openapi(), $id: kDocId });
  }
  const schemas = openapi().components?.schemas ?? {};
  assert.ok(schemaName in schemas, `openapi.yaml has no components/schemas/${schemaName}`);
  const validateFn = ajv.compile({ $ref: `${kDocId}#/components/schemas/${schemaName}` });
  validators.set(schemaName, validateFn);
  return validateFn;
}

// Asserts that value matches components/schemas/<schemaName>.
export function validate(schemaName, value) {
  const validateFn = validatorFor(schemaName);
  if (!validateFn(value)) {
    assert.fail(
      `${schemaName} schema violation: ${ajv.errorsText(validateFn.errors, { dataVar: schemaName })}\n` +
        `value: ${JSON.stringify(value).slice(0, 2000)}`,
    );
  }
  return value;
}

// Asserts an answer is a JSON body of the given status and schema; returns the body.
export function expectJson(res, status, schemaName) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 1000)}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json\b/i);
  assert.ok(res.json !== null, 'JSON body expected');
  if (schemaName) validate(schemaName, res.json);
  return res.json;
}

// Asserts an RFC 9457 problem answer with the Problem schema, matching
// status, request id and (optionally) error code; returns the problem.
export function expectProblem(res, status, errorCode) {
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.text.slice(0, 1000)}`);
  assert.match(res.headers.get('content-type') ?? '', /^application\/problem\+json\b/i);
  const problem = res.json;
  assert.ok(problem !== null, 'problem body expected');
  validate(status === 422 ? 'ValidationProblem' : 'Problem', problem);
  assert.equal(problem.status, status);
  assert.equal(typeof problem.detail, 'string');
  const requestId = res.headers.get('x-request-id');
  assert.ok(requestId, 'X-Request-ID header expected on an error');
  assert.equal(problem.request_id, requestId);
  if (errorCode) assert.equal(problem.error_code, errorCode);
  return problem;
}

// The sorted paths of a 422's errors[].
export function errorPaths(problem) {
  assert.ok(Array.isArray(problem.errors), 'a 422 carries errors[]');
  return problem.errors.map((e) => e.path).sort();
}

// ---------------------------------------------------------------------------
// Domain helpers.

// Creates a ticket through the API; returns the body (asserted 201).
export async function createTicket(fields = {}, target) {
  const body = {
    title: 'E2E ticket',
    description: 'Created by the end-to-end tests.',
    priority: 'medium',
    category: 'general',
    ...fields,
  };
  const res = await (target ?? { api }).api('POST', '/api/v1/tickets', { body });
  return expectJson(res, 201, 'Ticket');
}

export async function setStatus(id, status) {
  const res = await api('PATCH', `/api/v1/tickets/${id}/status`, { body: { status } });
  return expectJson(res, 200, 'Ticket');
}

// All items of a list query (every page), for filters over a unique tag.
export async function listAll(query) {
  const items = [];
  for (let page = 1; page < 50; page += 1) {
    const params = new URLSearchParams(query);
    params.set('page', String(page));
    params.set('size', '100');
    const res = await api('GET', `/api/v1/tickets?${params}`);
    const body = expectJson(res, 200, 'TicketPage');
    items.push(...body.items);
    if (!body.has_next) return { items, total: body.total };
  }
  throw new Error('listAll: too many pages');
}

// ---------------------------------------------------------------------------
// Raw HTTP over a socket, for what fetch will not send or cannot observe.

// Parses one HTTP/1.1 response out of buf; null while incomplete.
// With atEnd, a body without a length runs to the end of the stream.
export function parseResponse(buf, atEnd = false) {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const head = buf.subarray(0, headEnd).toString('latin1').split('\r\n');
  const statusMatch = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
  if (!statusMatch) throw new Error(`not an HTTP response: ${head[0]}`);
  const headers = new Map();
  for (const line of head.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) {
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    }
  }
  const rest = buf.subarray(headEnd + 4);
  let body;
  if (headers.has('content-length')) {
    const length = Number(headers.get('content-length'));
    if (rest.length < length) return null;
    body = rest.subarray(0, length);
  } else if (/chunked/i.test(headers.get('transfer-encoding') ?? '')) {
    const chunks = [];
    let offset = 0;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n', offset);
      if (lineEnd < 0) return null;
      const size = parseInt(rest.subarray(offset, lineEnd).toString('latin1'), 16);
      if (size === 0) break;
      if (rest.length < lineEnd + 2 + size + 2) return null;
      chunks.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size));
      offset = lineEnd + 2 + size + 2;
    }
    body = Buffer.concat(chunks);
  } else if (atEnd) {
    body = rest;
  } else {
    return null;
  }
  const text = body.toString('utf8');
  let json = null;
  if (/json/i.test(headers.get('content-type') ?? '') && text.length > 0) json = JSON.parse(text);
  return { status: Number(statusMatch[1]), headers, text, json };
}

// Reads one response from a connected socket. Resolves with the parsed
// response (plus `closed`: whether the peer closed), or null when the peer
// closed or reset without a complete response; rejects on timeout.
export function readResponse(socket, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (value, error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('data', onData);
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        const parsed = parseResponse(buf);
        if (parsed) finish({ ...parsed, closed: false });
      } catch (error) {
        finish(null, error);
      }
    };
    const onEnd = () => {
      try {
        const parsed = parseResponse(buf, true);
        finish(parsed ? { ...parsed, closed: true } : null);
      } catch (error) {
        finish(null, error);
      }
    };
    const timer = setTimeout(
      () => finish(null, new Error(`no complete response within ${timeoutMs} ms; got ${buf.length} bytes`)),
      timeoutMs,
    );
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onEnd); // a reset after the answer still leaves the answer
  });
}

export function connect(port, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

// Writes payload (string or Buffer) on a new connection and reads one
// response; write errors after the server answered early are tolerated.
export async function rawRequest(port, payload, timeoutMs = 15000) {
  const socket = await connect(port);
  socket.on('error', () => {});
  const response = readResponse(socket, timeoutMs);
  socket.write(payload);
  try {
    return await response;
  } finally {
    socket.destroy();
  }
}
