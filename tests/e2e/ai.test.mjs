// AI ticket creation and the live AI configuration (issue #4), end to end:
// ai-create with the offline analyzer, its validation, duplicates and
// knowledge base matches under the caller's visibility, categorize, agent
// status, configuration versions with validation, If-Match and rollback,
// reload in a second process, and an OpenAI-compatible provider (a loopback
// double speaking the Chat Completions wire format) that is used, calls a
// tool, and is failed over to the offline analyzer when it breaks.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import {
  Server,
  api,
  errorPaths,
  expectJson,
  expectProblem,
  freePort,
  server,
  skipReason,
  sleep,
  uniqueTag,
  useServer,
} from './harness.mjs';

const kCreate = '/api/v1/tickets/ai-create';
const kConfig = '/api/v1/ai/config';
const kEnv = { RATE_LIMIT_AI: '1000000/1', AI_CONFIG_REFRESH_MS: '500' };

const kOutage =
  'Since 9:40 this morning nobody in the Berlin office can log in to the billing portal. ' +
  'The login page shows "502 Bad Gateway" after we submit the form. This is a production outage: ' +
  'invoices cannot be sent and customers are waiting. Chrome 120 on Windows 11, same in Firefox.';

async function aiCreate(body, as = 'user', target = null) {
  return (target ?? server()).api('POST', kCreate, { body, as });
}

async function currentConfig() {
  return expectJson(await api('GET', kConfig), 200, 'AiConfigSnapshot');
}

// Stores `config` as a new version and answers the snapshot.
async function putConfig(config, comment = 'e2e') {
  return expectJson(await api('PUT', kConfig, { body: { config, comment } }), 200, 'AiConfigSnapshot');
}

describe('ai-create with the offline analyzer', { skip: skipReason }, () => {
  useServer({ env: kEnv });

  test('a realistic report becomes a ticket with every AI field', async () => {
    const res = await aiCreate({ user_input: kOutage });
    const body = expectJson(res, 201, 'AiCreateResponse');
    const { ticket, ai_analysis: ai } = body;
    assert.equal(res.headers.get('location'), `/api/v1/tickets/${ticket.id}`);
    assert.equal(res.headers.get('etag'), '"1"');
    assert.ok(ticket.title.length > 0 && ticket.title.length <= 80, ticket.title);
    assert.ok(['high', 'critical'].includes(ticket.priority), `an outage is urgent, got ${ticket.priority}`);
    assert.equal(ticket.created_by_id, server().accounts.user.id);
    assert.equal(ai.model, 'offline');
    assert.equal(ai.language, 'en');
    assert.equal(body.confidence_score, ai.confidence_score);
    assert.deepEqual(body.suggested_actions, ai.suggested_actions);
    assert.equal(body.file_analysis_summary, null);
    assert.equal(body.integration_routing, null);
    assert.match(ticket.description, /502 Bad Gateway/);
    for (const field of ['category', 'priority', 'urgency']) {
      assert.ok(ai.fields[field].signals.length > 0, `signals for ${field}`);
    }
    const read = expectJson(await api('GET', `/api/v1/tickets/${ticket.id}`, { as: 'user' }), 200, 'Ticket');
    assert.deepEqual(read.ai_analysis.fields, ai.fields);
  });

  test('bad bodies are refused with the member named and nothing is filed', async () => {
    const tag = uniqueTag('aibad');
    const cases = [
      [{}, 'user_input'],
      [{ user_input: '   \n ' }, 'user_input'],
      [{ user_input: 42 }, 'user_input'],
      [{ user_input: `${tag} ${'x'.repeat(50_001)}` }, 'user_input'],
      [{ user_input: tag, uploaded_files: ['0b9e4c1e-3f7a-4a53-9f0e-2d1c6b7a8e90'] }, 'uploaded_files'],
      [{ user_input: tag, uploaded_files: 'a' }, 'uploaded_files'],
      [{ user_input: tag, conversation_context: [1] }, 'conversation_context[0]'],
      [{ user_input: tag, user_preferences: [] }, 'user_preferences'],
      [{ user_input: tag, integration_preference: 7 }, 'integration_preference'],
      [{ user_input: tag, title: 'not a member' }, 'title'],
    ];
    for (const [body, path] of cases) {
      const problem = expectProblem(await aiCreate(body), 422, 'VALIDATION_ERROR');
      assert.ok(errorPaths(problem).includes(path), `${JSON.stringify(body).slice(0, 80)} -> ${path}`);
    }
    const long = expectProblem(await aiCreate({ user_input: 'é'.repeat(50_001) }), 422);
    assert.match(long.errors[0].reason, /50000/);
    const malformed = { raw: '{"user_input":', as: 'user', headers: { 'Content-Type': 'application/json' } };
    expectProblem(await api('POST', kCreate, malformed), 400);
    expectProblem(await api('POST', kCreate, { raw: 'user_input=x', as: 'user' }), 415);
    const listed = expectJson(await api('GET', `/api/v1/tickets?q=${tag}`, { as: 'admin' }), 200);
    assert.equal(listed.total, 0);
  });

  test('exactly the limit is accepted, one word is enough, other languages are named', async () => {
    const word = expectJson(await aiCreate({ user_input: 'printer' }), 201, 'AiCreateResponse');
    assert.ok(word.ticket.title.length > 0);
    const limit = expectJson(await aiCreate({ user_input: 'ä'.repeat(50_000) }), 201, 'AiCreateResponse');
    assert.ok(limit.ticket.id);
    const german = expectJson(
      await aiCreate({
        user_input:
          'Seit dem letzten Update stürzt die App beim Öffnen der Rechnungen ab. Ich kann meine ' +
          'Rechnung nicht herunterladen und bekomme jedes Mal eine Fehlermeldung.',
      }),
      201,
    );
    assert.equal(german.ai_analysis.language, 'de');
  });

  test('an integration preference is answered with its routing, not silently dropped', async () => {
    const body = expectJson(
      await aiCreate({ user_input: 'Please add dark mode to the dashboard', integration_preference: 'jira' }),
      201,
      'AiCreateResponse',
    );
    assert.equal(body.integration_routing.recommended_integration, 'jira');
    assert.equal(body.integration_routing.routed, false);
  });

  test('likely duplicates are named only among tickets the caller may see', async () => {
    const word = uniqueTag('dup');
    const text = `VPN ${word} disconnects every hour on the office network and drops all calls`;
    const first = expectJson(await aiCreate({ user_input: text }), 201).ticket;
    const again = expectJson(await aiCreate({ user_input: text }), 201).ai_analysis;
    const hit = again.similar_tickets.find((t) => t.id === first.id);
    assert.ok(hit, `own earlier ticket is similar: ${JSON.stringify(again.similar_tickets)}`);
    assert.ok(again.likely_duplicates.includes(first.id));
    const stranger = expectJson(await aiCreate({ user_input: text }, 'user2'), 201).ai_analysis;
    assert.ok(!stranger.similar_tickets.some((t) => t.id === first.id), 'another user sees no one else');
    const staff = expectJson(await aiCreate({ user_input: text }, 'agent'), 201).ai_analysis;
    assert.ok(staff.similar_tickets.some((t) => t.id === first.id), 'staff see every ticket');
  });

  test('knowledge base articles that answer the problem are matched', async () => {
    const word = uniqueTag('kbm');
    const article = expectJson(
      await api('POST', '/api/v1/knowledge-base/articles', {
        body: { title: `Resetting the ${word} token`, content: `When ${word} refuses your code, reset it.` },
      }),
      201,
    );
    const ai = expectJson(await aiCreate({ user_input: `My ${word} token is refused every time` }), 201)
      .ai_analysis;
    assert.ok(
      ai.knowledge_base_matches.some((m) => m.id === article.id),
      JSON.stringify(ai.knowledge_base_matches),
    );
  });

  test('categorize analyses without filing a ticket', async () => {
    const word = uniqueTag('cat');
    const body = expectJson(
      await api('POST', '/api/v1/ai/categorize', {
        body: { user_input: `I was charged twice for my subscription ${word}, please refund one` },
        as: 'user',
      }),
      200,
      'AiCategorizeResponse',
    );
    assert.equal(body.ticket.category, 'billing');
    const listed = expectJson(await api('GET', `/api/v1/tickets?q=${word}`), 200);
    assert.equal(listed.total, 0);
    expectProblem(await api('POST', '/api/v1/ai/categorize', { body: {}, as: 'user' }), 422);
  });

  test('agent status is for staff and names the offline link', async () => {
    const status = expectJson(await api('GET', '/api/v1/ai/agents/status', { as: 'agent' }), 200, 'AiAgentsStatus');
    assert.equal(status.fallback_chain.at(-1), 'offline');
    assert.equal(status.offline.available, true);
    expectProblem(await api('GET', '/api/v1/ai/agents/status', { as: 'user' }), 403);
    expectProblem(await api('GET', '/api/v1/ai/agents/status', { as: null }), 401);
  });
});

// A loopback double of an OpenAI-compatible server: answers
// POST /v1/chat/completions with what `script` returns for each request.
class FakeOpenAi {
  constructor() {
    this.requests = [];
    this.script = () => ({ status: 500, body: { error: { message: 'not scripted' } } });
  }

  async start() {
    this.port = await freePort();
    this.server = http.createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk) => {
        raw += chunk;
      });
      req.on('end', () => {
        const body = JSON.parse(raw || '{}');
        this.requests.push({ url: req.url, headers: req.headers, body });
        const answer = this.script(body, this.requests.length);
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    return this;
  }

  stop() {
    return new Promise((resolve) => this.server.close(resolve));
  }
}

function completion(message, finish = 'stop') {
  return {
    status: 200,
    body: {
      id: 'chatcmpl-e2e',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'e2e-model',
      choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finish }],
      usage: { prompt_tokens: 120, completion_tokens: 80, total_tokens: 200 },
    },
  };
}

const kDraft = {
  title: 'Billing portal login fails with 502 for the Berlin office',
  description: 'Nobody in Berlin can sign in to the billing portal; the login answers 502.',
  category: 'technical',
  priority: 'critical',
  urgency: 'high',
  subcategory: 'login',
  department: 'IT',
  tags: ['billing-portal', 'outage'],
  summary: 'Billing portal login outage',
  steps_to_reproduce: ['Open the billing portal', 'Submit the login form'],
  expected_behavior: 'Signed in',
  actual_behavior: '502 Bad Gateway',
  environment: 'Chrome 120, Windows 11',
  error_messages: ['502 Bad Gateway'],
  language: 'en',
  confidence: 0.9,
  reasoning: 'An outage of a production portal for a whole office.',
};

describe('the live AI configuration and a configured provider', { skip: skipReason }, () => {
  const fake = new FakeOpenAi();
  let second;
  let start;
  // Registered before useServer's hooks, so it runs while the server is up.
  after(async () => {
    await api('POST', `${kConfig}/rollback/0`);
    await second?.stop();
    await fake.stop();
  });
  useServer({ env: kEnv });

  before(async () => {
    await fake.start();
    second = await new Server({ env: kEnv, accounts: ['admin'] }).start();
    start = await currentConfig();
  });

  function providerConfig(extra = {}) {
    return {
      ...start.config,
      providers: [
        {
          name: 'fake',
          kind: 'openai_compatible',
          base_url: `http://127.0.0.1:${fake.port}/v1`,
          model: 'e2e-model',
          max_retries: 0,
          connect_timeout_ms: 1000,
          total_timeout_ms: 5000,
          prices: { 'e2e-model': { input_per_1m_usd: 1, output_per_1m_usd: 2 } },
          ...extra,
        },
      ],
      fallback_chain: ['fake'],
    };
  }

  test('only admins read or change it', async () => {
    for (const as of ['manager', 'agent', 'user', 'api_user']) {
      expectProblem(await api('GET', kConfig, { as }), 403);
      expectProblem(await api('PUT', kConfig, { as, body: { config: start.config } }), 403);
      expectProblem(await api('GET', `${kConfig}/history`, { as }), 403);
      expectProblem(await api('POST', `${kConfig}/rollback/0`, { as }), 403);
    }
    expectProblem(await api('GET', kConfig, { as: null }), 401);
  });

  test('invalid configurations are refused with the field named and nothing stored', async () => {
    const base = providerConfig();
    const cases = [
      [{ ...base, providers: [{ ...base.providers[0], kind: 'skynet' }] }, 'config.providers[0].kind'],
      [{ ...base, providers: [{ ...base.providers[0], temperature: 2.5 }] }, 'config.providers[0].temperature'],
      [{ ...base, providers: [{ ...base.providers[0], temperature: -0.1 }] }, 'config.providers[0].temperature'],
      [{ ...base, prompts: { system: '' } }, 'config.prompts.system'],
      [{ ...base, fallback_chain: ['fake', 'nobody'] }, 'config.fallback_chain[1]'],
      [{ ...base, surprise: true }, 'config.surprise'],
    ];
    for (const [config, path] of cases) {
      const problem = expectProblem(await api('PUT', kConfig, { body: { config } }), 422, 'VALIDATION_ERROR');
      assert.ok(errorPaths(problem).includes(path), `${path} in ${JSON.stringify(problem.errors)}`);
    }
    expectProblem(await api('PUT', kConfig, { body: { config: base, comment: 'x'.repeat(501) } }), 422);
    expectProblem(await api('PUT', kConfig, { body: { comment: 'no config' } }), 422);
    expectProblem(await api('PUT', kConfig, { body: { config: [] } }), 422);
    assert.equal((await currentConfig()).version, start.version);
  });

  test('versions are appended with author, honour If-Match, roll back, and reach a second process', async () => {
    const stale = start.version;
    const stored = await putConfig({ ...start.config, agent: { max_iterations: 3, deadline_ms: 20000 } }, 'fewer turns');
    assert.equal(stored.version, stale + 1);
    assert.equal(stored.source, 'database');
    assert.equal(stored.author_id, server().accounts.admin.id);
    assert.equal(stored.author_kind, 'user');
    assert.equal(stored.comment, 'fewer turns');
    assert.equal(stored.config.agent.max_iterations, 3);

    const refused = await api('PUT', kConfig, {
      body: { config: start.config },
      headers: { 'If-Match': `"${stale}"` },
    });
    expectProblem(refused, 412);
    const matched = await api('PUT', kConfig, {
      body: { config: start.config },
      headers: { 'If-Match': `"${stored.version}"` },
    });
    assert.equal(expectJson(matched, 200, 'AiConfigSnapshot').version, stored.version + 1);

    const started = Date.now();
    let seen = null;
    while (Date.now() - started < 5000) {
      seen = expectJson(await second.api('GET', kConfig), 200, 'AiConfigSnapshot');
      if (seen.version === stored.version + 1) break;
      await sleep(100);
    }
    assert.equal(seen.version, stored.version + 1, 'the second process reloads within 5 s');

    const rolled = expectJson(await api('POST', `${kConfig}/rollback/${stored.version}`), 200, 'AiConfigSnapshot');
    assert.equal(rolled.rolled_back_from, stored.version);
    assert.equal(rolled.config.agent.max_iterations, 3);
    const history = expectJson(await api('GET', `${kConfig}/history?size=3`), 200, 'AiConfigPage');
    assert.deepEqual(history.items.map((v) => v.version), [rolled.version, rolled.version - 1, rolled.version - 2]);
    assert.equal(history.current_version, rolled.version);
    expectProblem(await api('POST', `${kConfig}/rollback/999999`), 404);
    expectProblem(await api('POST', `${kConfig}/rollback/abc`), 404);
    expectProblem(await api('POST', `${kConfig}/rollback/-1`), 404);
    const defaults = expectJson(await api('POST', `${kConfig}/rollback/0`), 200, 'AiConfigSnapshot');
    assert.equal(defaults.rolled_back_from, 0);
    assert.deepEqual(defaults.config.providers, []);

    const audit = expectJson(await api('GET', '/api/v1/audit-events?event=ai_config.rolled_back&size=5'), 200);
    assert.ok(audit.items.some((e) => e.detail.version === defaults.version), JSON.stringify(audit.items[0]));
  });

  test('a configured provider writes the ticket, may call a tool, and sees masked text as data', async () => {
    await putConfig(providerConfig());
    fake.requests = [];
    fake.script = (body, n) => {
      if (n === 1) {
        return completion(
          {
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'categorize_issue', arguments: JSON.stringify({ text: 'login 502 outage' }) },
              },
            ],
          },
          'tool_calls',
        );
      }
      return completion({ content: JSON.stringify(kDraft) });
    };
    const secretMail = 'ana.secret@example.com';
    const body = expectJson(
      await aiCreate({ user_input: `${kOutage} Contact me at ${secretMail}.` }),
      201,
      'AiCreateResponse',
    );
    assert.equal(body.ticket.title, kDraft.title);
    assert.equal(body.ticket.priority, 'critical');
    assert.equal(body.ai_analysis.model, 'e2e-model');
    assert.equal(body.ai_analysis.provider, 'fake');
    assert.ok(body.ai_analysis.usage.input_tokens >= 240, JSON.stringify(body.ai_analysis.usage));
    assert.ok(body.ai_analysis.usage.cost_usd > 0);
    assert.ok(body.ai_analysis.tool_calls.some((c) => c.name === 'categorize_issue' && c.ok));
    assert.equal(fake.requests.length, 2);
    const messages = fake.requests[0].body.messages;
    const system = messages.find((m) => m.role === 'system');
    assert.ok(!system.content.includes('Berlin'), 'user text is never in the system prompt');
    const sent = JSON.stringify(fake.requests.map((r) => r.body));
    assert.ok(sent.includes('Berlin office'), 'the text goes as a user message');
    assert.ok(!sent.includes(secretMail), 'e-mail addresses are masked before they leave');
    assert.ok(fake.requests[0].body.tools.some((t) => t.function.name === 'find_similar_tickets'));
  });

  test('when the provider fails the offline analyzer still files the ticket', async () => {
    await putConfig(providerConfig());
    fake.requests = [];
    fake.script = () => ({ status: 500, body: { error: { message: 'boom' } } });
    const body = expectJson(await aiCreate({ user_input: kOutage }), 201, 'AiCreateResponse');
    assert.equal(body.ai_analysis.model, 'offline');
    assert.ok(body.ai_analysis.fallbacks.some((f) => f.provider === 'fake'), JSON.stringify(body.ai_analysis.fallbacks));
    assert.ok(fake.requests.length >= 1);
    const status = expectJson(await api('GET', '/api/v1/ai/agents/status', { as: 'agent' }), 200, 'AiAgentsStatus');
    const fakeStatus = status.providers.find((p) => p.name === 'fake');
    assert.ok(fakeStatus.failures >= 1);
    assert.ok(fakeStatus.recent_errors.length >= 1);
    assert.deepEqual(status.fallback_chain, ['fake', 'offline']);
  });
});
