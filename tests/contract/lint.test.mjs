// Lints openapi.yaml with Redocly CLI and the rules in redocly.yaml, the same
// check a developer runs by hand. Run from the repository root:
// node --test tests/contract/

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const kRepoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const kRedocly = path.join(kRepoRoot, 'web', 'node_modules', '.bin', 'redocly');

test('openapi.yaml passes redocly lint', () => {
  assert.ok(existsSync(kRedocly), `${kRedocly} is missing; run "npm ci" in web/`);
  assert.ok(existsSync(path.join(kRepoRoot, 'redocly.yaml')), 'redocly.yaml is missing');

  const run = spawnSync(kRedocly, ['lint', 'openapi.yaml'], {
    cwd: kRepoRoot,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      NO_COLOR: '1',
      REDOCLY_TELEMETRY: 'off',
      REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
    },
  });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;

  assert.ifError(run.error);
  assert.equal(run.status, 0, `redocly lint exited with ${run.status} (signal ${run.signal}):\n${output}`);
  // Without this, a misplaced redocly.yaml would silently fall back to the
  // built-in rules.
  assert.doesNotMatch(output, /No configurations were provided/,
    `redocly lint did not read redocly.yaml:\n${output}`);
});
