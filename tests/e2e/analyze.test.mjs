// `ticketd analyze`: the offline analyzer over standard input, black-box.
// Needs no database or Redis, only the binary (TICKETD_BIN, default
// build/asan/ticketd).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const ticketdBin = path.resolve(repoRoot, process.env.TICKETD_BIN || path.join('build', 'asan', 'ticketd'));
const skip = existsSync(ticketdBin) ? false : `no ticketd binary at ${ticketdBin} (build it or set TICKETD_BIN)`;

// Runs `ticketd analyze` with `input` on stdin and no environment at all.
function analyze(input, args = []) {
  const result = spawnSync(ticketdBin, ['analyze', ...args], { input, env: {}, encoding: 'utf8', timeout: 30000 });
  const records = result.stdout.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line));
  return { status: result.status, records, stderr: result.stderr };
}

describe('ticketd analyze', { skip }, () => {
  test('plain text is one report and one JSON line, with no database', () => {
    const { status, records } = analyze('Since this morning the VPN is down and the whole sales team is affected\n');
    assert.equal(status, 0);
    assert.equal(records.length, 1);
    const [r] = records;
    assert.equal(r.ok, true);
    assert.equal(r.priority, 'critical');
    assert.equal(r.ai_analysis.model, 'offline');
    assert.ok(r.title.length > 0 && r.title.length <= 80);
    for (const field of ['category', 'priority', 'urgency', 'department', 'title']) {
      assert.ok(r.ai_analysis.fields[field].signals.length > 0, field);
    }
  });

  test('JSON lines with title and body or user_input give one record each, ids echoed', () => {
    const input = [
      JSON.stringify({ id: 'a', title: 'Charged twice', body: 'I was charged twice this month, please refund one payment' }),
      JSON.stringify({ id: 'b', user_input: 'I forgot my password and the reset email never arrives' }),
      '',
      JSON.stringify({ id: 'c', user_input: '   ' }),
    ].join('\n');
    const { status, records } = analyze(input);
    assert.equal(status, 1, 'a refused record makes the batch exit 1');
    assert.deepEqual(records.map((r) => r.id), ['a', 'b', 'c']);
    assert.equal(records[0].category, 'billing');
    assert.equal(records[1].category, 'user_access');
    assert.equal(records[2].ok, false);
    assert.equal(records[2].errors[0].path, 'user_input');
  });

  test('input over the limit is refused with the limit named', () => {
    const { status, records } = analyze('a'.repeat(60000));
    assert.equal(status, 1);
    assert.equal(records[0].ok, false);
    assert.match(records[0].errors[0].reason, /50000/);
    const raised = analyze('a'.repeat(60000), ['--max-chars', '100000']);
    assert.equal(raised.status, 0);
  });
});
