// Holds openapi.yaml against the OpenAPI document of the Python backend that
// ticketd replaces: every ticket and health operation that document lists must
// exist here with the same success status, and every query parameter, request
// member, response member and enumeration value it names must be accepted or
// answered here too. ticketd may add members and values; it may not drop any.
//
// Run from the repository root: node --test tests/contract/
// The old document is read from ../shared/compat/ beside the repository, or
// from the path in COMPAT_OPENAPI. When it is absent the test is skipped with
// the path it looked for.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const kRepoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const kOursPath = path.join(kRepoRoot, 'openapi.yaml');
const kOldPath = process.env.COMPAT_OPENAPI
  ? path.resolve(process.env.COMPAT_OPENAPI)
  : path.resolve(kRepoRoot, '..', 'shared', 'compat', 'python-backend-openapi.yaml');

// Operations of the old document that arrive later, with the reason.
const kDeferred = new Map([]);

const kMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

// Resolved from web/, where the project's Node tools are installed.
function loadYaml() {
  const require = createRequire(path.join(kRepoRoot, 'web', 'package.json'));
  try {
    return require('yaml');
  } catch (err) {
    throw new Error(`the yaml package is missing from web/node_modules; run "npm ci" in web/ (${err.message})`);
  }
}

function readDocument(file) {
  return loadYaml().parse(readFileSync(file, 'utf8'));
}

function inScope(apiPath) {
  return apiPath === '/health' || apiPath.startsWith('/health/') ||
    apiPath === '/api/v1/tickets' || apiPath.startsWith('/api/v1/tickets/');
}

// "/api/v1/tickets/{id}" and "/api/v1/tickets/{ticket_id}" are the same path.
function pathShape(apiPath) {
  return apiPath.replace(/\{[^}]*\}/g, '{}');
}

// Follows a local "#/..." reference; other references are not used by either
// document and fail loudly.
function deref(doc, node) {
  const seen = new Set();
  while (node && typeof node === 'object' && typeof node.$ref === 'string') {
    const ref = node.$ref;
    assert.ok(ref.startsWith('#/'), `only local $refs are supported, got ${ref}`);
    assert.ok(!seen.has(ref), `$ref cycle at ${ref}`);
    seen.add(ref);
    node = ref.slice(2).split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce((at, part) => (at === undefined ? undefined : at[part]), doc);
    assert.ok(node !== undefined, `unresolved $ref ${ref}`);
  }
  return node;
}

// Everything a schema says about its members, merged over $ref, allOf, anyOf
// and oneOf: a member named in any branch counts as named. `required` and
// `forbidden` (members declared as the `false` schema) are taken from $ref and
// allOf only, since a branch of anyOf or oneOf may not apply.
function flatten(doc, schema) {
  const shape = {
    properties: new Map(),
    items: [],
    enumValues: new Set(),
    hasEnum: false,
    required: new Set(),
    forbidden: new Set(),
  };
  const visit = (node, definite, seen) => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (typeof node.$ref === 'string') visit(deref(doc, { $ref: node.$ref }), definite, seen);
    for (const sub of node.allOf ?? []) visit(sub, definite, seen);
    for (const sub of [...(node.anyOf ?? []), ...(node.oneOf ?? [])]) visit(sub, false, seen);
    for (const [name, sub] of Object.entries(node.properties ?? {})) {
      if (sub === false) {
        if (definite) shape.forbidden.add(name);
        continue;
      }
      if (!shape.properties.has(name)) shape.properties.set(name, []);
      shape.properties.get(name).push(sub);
    }
    if (node.items !== undefined) shape.items.push(node.items);
    if (Array.isArray(node.enum)) {
      shape.hasEnum = true;
      for (const value of node.enum) shape.enumValues.add(value);
    }
    if ('const' in node) {
      shape.hasEnum = true;
      shape.enumValues.add(node.const);
    }
    if (definite) for (const name of node.required ?? []) shape.required.add(name);
  };
  visit(schema, true, new Set());
  return shape;
}

// Compares what the old schema names with what ours names, member by member
// and into array items; appends a line to `problems` for each gap.
function compareSchemas(ctx, oldSchema, ourSchema, where, depth = 0) {
  if (depth > 25) return;
  const old = flatten(ctx.old, oldSchema);
  const ours = flatten(ctx.ours, ourSchema);

  if (old.hasEnum) {
    ctx.counts.enums += 1;
    if (!ours.hasEnum) {
      ctx.problems.push(`${where}: the old enum [${[...old.enumValues].join(', ')}] has no enum here`);
    } else {
      const missing = [...old.enumValues].filter((value) => !ours.enumValues.has(value));
      if (missing.length > 0) ctx.problems.push(`${where}: enum lacks ${missing.join(', ')}`);
    }
  }

  for (const [name, oldSubs] of old.properties) {
    ctx.counts.members += 1;
    const ourSubs = ours.properties.get(name) ?? [];
    if (ourSubs.length === 0 || ours.forbidden.has(name)) {
      ctx.problems.push(`${where}: member "${name}" is missing`);
      continue;
    }
    compareSchemas(ctx, { allOf: oldSubs }, { allOf: ourSubs }, `${where}.${name}`, depth + 1);
  }

  if (old.items.length > 0) {
    if (ours.items.length === 0) {
      ctx.problems.push(`${where}: the old document has an array here, ours does not`);
    } else {
      compareSchemas(ctx, { allOf: old.items }, { allOf: ours.items }, `${where}[]`, depth + 1);
    }
  }
}

function parametersOf(doc, pathItem, operation, location) {
  const byName = new Map();
  for (const raw of [...(pathItem.parameters ?? []), ...(operation.parameters ?? [])]) {
    const parameter = deref(doc, raw);
    if (parameter.in === location) byName.set(parameter.name, parameter);
  }
  return byName;
}

function compareQueryParameters(ctx, oldPathItem, oldOp, ourPathItem, ourOp) {
  const ours = parametersOf(ctx.ours, ourPathItem, ourOp, 'query');
  for (const [name, oldParameter] of parametersOf(ctx.old, oldPathItem, oldOp, 'query')) {
    ctx.counts.parameters += 1;
    const ourParameter = ours.get(name);
    if (!ourParameter) {
      ctx.problems.push(`query parameter "${name}" is missing`);
      continue;
    }
    compareSchemas(ctx, oldParameter.schema, ourParameter.schema, `query parameter "${name}"`);
  }
}

function compareRequestBodies(ctx, oldOp, ourOp) {
  if (!oldOp.requestBody) return;
  const oldBody = deref(ctx.old, oldOp.requestBody);
  const ourBody = ourOp.requestBody ? deref(ctx.ours, ourOp.requestBody) : undefined;
  if (!ourBody) {
    ctx.problems.push('the old operation takes a request body, ours takes none');
    return;
  }
  for (const [mediaType, oldMedia] of Object.entries(oldBody.content ?? {})) {
    if (!oldMedia.schema) continue;
    const ourMedia = ourBody.content?.[mediaType];
    if (!ourMedia?.schema) {
      ctx.problems.push(`request body: media type ${mediaType} is not accepted`);
      continue;
    }
    const where = `request body (${mediaType})`;
    compareSchemas(ctx, oldMedia.schema, ourMedia.schema, where);

    // A member ours requires but the old one did not breaks old clients,
    // which leave it out.
    const oldRequired = flatten(ctx.old, oldMedia.schema).required;
    for (const name of flatten(ctx.ours, ourMedia.schema).required) {
      if (!oldRequired.has(name)) {
        ctx.problems.push(`${where}: "${name}" is required here but optional in the old document`);
      }
    }
  }
}

function compareSuccessResponses(ctx, oldOp, ourOp) {
  const successes = Object.keys(oldOp.responses ?? {}).filter((code) => /^2(\d\d|XX)$/.test(code));
  for (const code of successes) {
    ctx.counts.responses += 1;
    const oldResponse = deref(ctx.old, oldOp.responses[code]);
    const ourResponse = ourOp.responses?.[code] ? deref(ctx.ours, ourOp.responses[code]) : undefined;
    if (!ourResponse) {
      ctx.problems.push(`the old operation answers ${code}; ours does not document ${code}`);
      continue;
    }
    for (const [mediaType, oldMedia] of Object.entries(oldResponse.content ?? {})) {
      if (!oldMedia.schema) continue;
      const ourMedia = ourResponse.content?.[mediaType];
      if (!ourMedia?.schema) {
        ctx.problems.push(`response ${code}: media type ${mediaType} is not answered`);
        continue;
      }
      compareSchemas(ctx, oldMedia.schema, ourMedia.schema, `response ${code} (${mediaType})`);
    }
  }
}

const kOldMissing = existsSync(kOldPath)
  ? false
  : `the old backend's document is not at ${kOldPath}; set COMPAT_OPENAPI to its path to run this test`;

test('openapi.yaml keeps the Python backend\'s ticket and health contract', { skip: kOldMissing }, async (t) => {
  assert.ok(existsSync(kOursPath), `${kOursPath} is missing`);
  const old = readDocument(kOldPath);
  const ours = readDocument(kOursPath);
  assert.ok(old?.paths && typeof old.paths === 'object', `${kOldPath} has no paths`);
  assert.ok(ours?.paths && typeof ours.paths === 'object', `${kOursPath} has no paths`);

  const ourPaths = new Map(Object.keys(ours.paths).map((apiPath) => [pathShape(apiPath), apiPath]));
  const counts = { operations: 0, members: 0, enums: 0, parameters: 0, responses: 0 };

  for (const [oldPath, oldPathItem] of Object.entries(old.paths)) {
    if (!inScope(oldPath)) continue;
    for (const method of kMethods) {
      const oldOp = oldPathItem[method];
      if (!oldOp) continue;
      const name = `${method.toUpperCase()} ${oldPath}`;
      if (kDeferred.has(oldPath)) {
        await t.test(name, { skip: kDeferred.get(oldPath) }, () => {});
        continue;
      }
      counts.operations += 1;

      await t.test(name, () => {
        const ourPath = ourPaths.get(pathShape(oldPath));
        assert.ok(ourPath, `openapi.yaml has no path ${oldPath}`);
        const ourPathItem = ours.paths[ourPath];
        const ourOp = ourPathItem[method];
        assert.ok(ourOp, `openapi.yaml has no ${method.toUpperCase()} on ${ourPath}`);

        const ctx = { old, ours, problems: [], counts };
        compareQueryParameters(ctx, oldPathItem, oldOp, ourPathItem, ourOp);
        compareRequestBodies(ctx, oldOp, ourOp);
        compareSuccessResponses(ctx, oldOp, ourOp);
        assert.deepEqual(ctx.problems, [], `${name} differs from the old document:\n  ${ctx.problems.join('\n  ')}`);
      });
    }
  }

  // Guards against a wrong or truncated old document making every check vacuous.
  await t.test('the comparison covered the old contract', () => {
    assert.ok(counts.operations >= 5, `only ${counts.operations} old operations were in scope; is ${kOldPath} the right file?`);
    assert.ok(counts.members > 0 && counts.enums > 0 && counts.parameters > 0 && counts.responses > 0,
      `nothing was compared: ${JSON.stringify(counts)}`);
  });
});
