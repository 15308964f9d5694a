// Self-check for the module-boundary lint rules: node tools/lint/boundaries.check.mjs
//
// Lints small snippets through the real eslint.config.mjs with ESLint's Node API.
// Each snippet gets a `filePath` inside a project; the file need not exist.
// The expectations are written here from the architecture, independent of the
// TAG_RULES table in boundaries.mjs, so a wrong table fails this script.
// Exits 1 and lists the failures if any expectation does not hold.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { BOUNDARY_RULE_IDS, MAX_DEPTH, readWorkspaceProjects } from './boundaries.mjs';

const workspaceRoot = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: workspaceRoot, overrideConfigFile: join(workspaceRoot, 'eslint.config.mjs') });

/** @type {{ title: string, file: string, code: string, expect: 'error' | 'ok', includes?: string, rule?: string, severity?: 1 | 2 }[]} */
const cases = [];
const use = (binding = 'x') => `\nexport const _use = ${binding};\n`;
const error = (title, file, code, includes) => cases.push({ title, file, code, expect: 'error', includes });
const ok = (title, file, code) => cases.push({ title, file, code, expect: 'ok' });

// --- the examples from the brief -------------------------------------------
error('domain: @nats-io/transport-node', 'libs/domain/src/x.ts', `import { connect } from '@nats-io/transport-node';${use('connect')}`, 'the domain is pure');
error('platform: @parley/gateway', 'libs/platform/src/x.ts', `import x from '@parley/gateway';${use()}`, 'type:app');
ok('platform: @parley/domain', 'libs/platform/src/x.ts', `import x from '@parley/domain';${use()}`);
for (const file of ['libs/platform/src/x.ts', 'libs/domain/src/x.ts', 'apps/cli/src/x.ts', 'libs/testing/src/x.ts', 'apps/gateway/test/x.test.ts']) {
  error(`deep import from ${file}`, file, `import x from '@parley/domain/src/ids.ts';${use()}`, 'deep import');
}

// --- the domain is pure -----------------------------------------------------
const domainFile = 'libs/domain/src/guild/x.ts';
for (const spec of [
  'uWebSockets.js', '@mikro-orm/core', '@mikro-orm/postgresql', '@nats-io/jetstream', '@nats-io/kv', 'pino', 'pino/file',
  'jose', 'avsc', 'pg', 'ws', 'testcontainers',
  'node:fs', 'node:fs/promises', 'fs', 'fs/promises', 'node:net', 'net', 'node:http', 'http',
  'node:child_process', 'child_process', 'node:crypto', 'crypto',
]) {
  error(`domain: ${spec}`, domainFile, `import * as x from '${spec}';${use()}`, 'the domain is pure');
}
error('domain: type-only import of pino', domainFile, `import type { Logger } from 'pino';\nexport type L = Logger;\n`, 'the domain is pure');
error('domain: re-export from @nats-io/kv', domainFile, `export * from '@nats-io/kv';\n`, 'the domain is pure');
error('domain: dynamic import("node:fs")', domainFile, `export const load = () => import('node:fs');\n`, 'the domain is pure');
error('domain: require("crypto")', domainFile, `declare const require: (id: string) => unknown;\nexport const c = require('crypto');\n`, 'the domain is pure');
error('domain: @parley/contracts', domainFile, `import x from '@parley/contracts';${use()}`, 'the domain is pure');
ok('domain: relative import inside the project', domainFile, `import { x } from '../ids.ts';${use()}`);
ok('domain: sibling import', 'libs/domain/src/x.ts', `import { x } from './ids.ts';${use()}`);
ok('domain: vitest in a test file', 'libs/domain/test/decide.test.ts', `import { it } from 'vitest';${use('it')}`);
ok('domain: node:util is not I/O', domainFile, `import { inspect } from 'node:util';${use('inspect')}`);
ok('platform: I/O is fine outside the domain', 'libs/platform/src/x.ts', `import pino from 'pino';\nimport { readFileSync } from 'node:fs';${use('[pino, readFileSync]')}`);

// --- relative imports must not leave the project ----------------------------
error('escape: ../../libs/... from a project-root file', 'apps/api/vitest.config.ts', `import x from '../../libs/domain/src/index.ts';${use()}`, 'climbs out of apps/api');
error('escape: ../../platform/... from src/', 'libs/domain/src/x.ts', `import x from '../../platform/src/index.ts';${use()}`, 'climbs out of libs/domain');
error('escape: ../../../apps/... from src/', 'libs/testing/src/x.ts', `import x from '../../../apps/gateway/src/index.ts';${use()}`, 'climbs out of libs/testing');
error('escape: ./../.. prefix', 'libs/testing/src/x.ts', `import x from './../../x.ts';${use()}`, 'climbs out');
error('escape: bare ".."', 'apps/api/x.ts', `import x from '..';${use()}`, 'climbs out');
error('escape: export * from ../../..', 'apps/gateway/src/ws/x.ts', `export * from '../../../../libs/platform/src/index.ts';\n`, 'climbs out');
error('escape: dynamic import', 'apps/gateway/src/x.ts', `export const m = () => import('../../projector/src/main.ts');\n`, 'climbs out');
ok('no escape: ../.. from src/a/b/', 'apps/gateway/src/a/b/x.ts', `import x from '../../index.ts';${use()}`);
ok('no escape: ../../src from test/a/', 'apps/gateway/test/a/x.test.ts', `import x from '../../src/index.ts';${use()}`);
{
  const deep = `apps/gateway/src/${'d/'.repeat(MAX_DEPTH + 2)}x.ts`; // past MAX_DEPTH
  error('escape from beyond MAX_DEPTH', deep, `import x from '${'../'.repeat(MAX_DEPTH + 4)}libs/domain/src/index.ts';${use()}`, 'climbs out');
  ok('no escape from beyond MAX_DEPTH (climbs MAX_DEPTH)', deep, `import x from '${'../'.repeat(MAX_DEPTH)}index.ts';${use()}`);
}
ok('files outside projects are not boundary-checked', 'tools/x.ts', `import x from '../libs/domain/src/index.ts';${use()}`);

// --- every project pair, against a table written from the architecture ------
const EXPECTED_MAY_IMPORT = {
  'type:domain': [],
  'type:platform': ['type:domain', 'type:platform'],
  'type:read-model': ['type:domain', 'type:platform'],
  'type:tooling': ['type:domain', 'type:platform', 'type:read-model', 'type:tooling', 'type:app'],
  'type:app': ['type:domain', 'type:platform', 'type:read-model', 'type:tooling'],
};
const projects = readWorkspaceProjects(workspaceRoot);
const byName = Object.fromEntries(projects.map((p) => [p.name, p]));
const failures = [];
if (!byName.cli?.tags.includes('scope:launcher')) failures.push('apps/cli/project.json: expected tag "scope:launcher"');
for (const from of projects) {
  const mayImport = new Set(EXPECTED_MAY_IMPORT[from.type]);
  if (from.tags.includes('scope:launcher')) mayImport.add('type:app');
  for (const to of projects) {
    if (to === from) continue;
    const code = `import x from '${to.packageName}';${use()}`;
    const title = `${from.name} (${from.tags.join(',')}) -> ${to.packageName} (${to.type})`;
    if (mayImport.has(to.type)) ok(title, `${from.root}/src/x.ts`, code);
    else error(title, `${from.root}/src/x.ts`, code);
  }
}
// Named on purpose, so the exception is visible in the output.
ok('cli (scope:launcher) -> @parley/gateway', 'apps/cli/src/start.ts', `import x from '@parley/gateway';${use()}`);
error('gateway -> @parley/projector (apps never import apps)', 'apps/gateway/src/x.ts', `import x from '@parley/projector';${use()}`, 'type:app');
error('platform: type-only import of @parley/read-model', 'libs/platform/src/x.ts', `import type { X } from '@parley/read-model';\nexport type Y = X;\n`, 'type:read-model');
error('platform: dynamic import of @parley/gateway', 'libs/platform/src/x.ts', `export const m = () => import('@parley/gateway');\n`, 'type:app');

// --- base rules -------------------------------------------------------------
cases.push({ title: 'base: _-prefixed unused vars are allowed', file: 'libs/platform/src/x.ts', code: `export function f(_a: number) { const _b = 1; }\n`, expect: 'ok', rule: '@typescript-eslint/no-unused-vars' });
cases.push({ title: 'base: other unused vars are errors', file: 'libs/platform/src/x.ts', code: `export function f() { const b = 1; }\n`, expect: 'error', rule: '@typescript-eslint/no-unused-vars', severity: 2 });
cases.push({ title: 'base: explicit any is a warning', file: 'libs/platform/src/x.ts', code: `export const a: any = 1;\n`, expect: 'error', rule: '@typescript-eslint/no-explicit-any', severity: 1 });

// --- run --------------------------------------------------------------------
for (const c of cases) {
  const [result] = await eslint.lintText(c.code, { filePath: join(workspaceRoot, c.file) });
  const fatal = result.messages.filter((m) => m.fatal || m.ruleId === null);
  const rules = c.rule ? [c.rule] : BOUNDARY_RULE_IDS;
  const hits = result.messages.filter((m) => rules.includes(m.ruleId) && m.severity === (c.severity ?? 2));
  const describe = () => result.messages.map((m) => `      ${m.ruleId ?? 'fatal'}: ${m.message}`).join('\n') || '      (no messages)';
  let problem;
  if (fatal.length) problem = 'parse error / file ignored';
  else if (c.expect === 'ok' && hits.length) problem = 'expected no report';
  else if (c.expect === 'error' && !hits.length) problem = `expected ${c.rule ?? 'a boundary'} ${c.severity === 1 ? 'warning' : 'error'}`;
  else if (c.expect === 'error' && c.includes && !hits.some((m) => m.message.includes(c.includes))) problem = `expected a message containing "${c.includes}"`;
  if (problem) failures.push(`${c.title}\n    ${c.file}: ${problem}\n${describe()}`);
}

const errors = cases.filter((c) => c.expect === 'error').length;
console.log(`boundaries self-check: ${cases.length} cases (${errors} must report, ${cases.length - errors} must pass) over ${projects.length} projects`);
if (failures.length) {
  console.error(`\n${failures.length} FAILED:\n\n${failures.join('\n\n')}`);
  process.exit(1);
}
console.log('all expectations hold');
