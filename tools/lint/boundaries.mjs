/**
 * Module boundaries for the Parley workspace, derived from Nx project tags.
 *
 * This stands in for @nx/eslint-plugin's enforce-module-boundaries, which has
 * no release compatible with this workspace. At config load time it reads every
 * `apps/<name>/project.json` and `libs/<name>/project.json` (synchronously) plus
 * the sibling package.json `name`, and emits flat-config blocks that configure
 * the core `no-restricted-imports` rule (paths + regex patterns) for each project.
 * The same options also drive `parley-boundaries/no-restricted-dynamic-imports`
 * (defined below), which applies them to `import('...')` and `require('...')`,
 * the two forms `no-restricted-imports` does not look at.
 *
 * Rule table: a project's `type:*` tag (exactly one is required) says which
 * tags its @parley dependencies may carry:
 *
 *   tag               may import @parley packages tagged
 *   ----------------  ----------------------------------------------------------
 *   type:domain       (none)  + no I/O libraries, no I/O node built-ins
 *   type:platform     type:domain, type:platform
 *   type:read-model   type:domain, type:platform
 *   type:tooling      type:domain, type:platform, type:read-model, type:tooling,
 *                     type:app  (the test harness starts apps in-process)
 *   type:app          type:domain, type:platform, type:read-model, type:tooling
 *
 * Grant tags add to that:
 *
 *   scope:launcher    + type:app  (apps/cli starts the other apps)
 *
 * Importing your own package root is not restricted here. For every project:
 *
 *   - `@parley/<name>/<anything>` is forbidden: packages export only ".", so a
 *     deep import reaches into another project's internals.
 *   - a relative import that climbs out of the project root (`../../libs/...`,
 *     `../../../apps/...`, `../other-lib/...`) is forbidden. A static regex
 *     cannot know how deep the importing file is, so each project gets one
 *     block per directory depth (`<root>/*.ts`, `<root>/<dir>/*.ts`, ...). The
 *     block for depth d forbids specifiers starting with d+1 `..` segments.
 *     Files deeper than MAX_DEPTH share one conservative block. Specifiers are
 *     not normalised, so `./a/../../../x` gets through.
 *
 * The table lives in TAG_RULES / GRANT_TAGS / DOMAIN_FORBIDDEN below. An unknown
 * tag, or a project without exactly one type:* tag, fails config loading
 * loudly. A silent gap in the boundaries would be worse.
 *
 * Self-check: `node tools/lint/boundaries.check.mjs`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** @type {Record<string, { mayImport: string[], why?: string }>} */
export const TAG_RULES = {
  'type:domain': {
    mayImport: [],
    why: 'the domain is pure: it depends on no other @parley package (docs/architecture.md)',
  },
  'type:platform': { mayImport: ['type:domain', 'type:platform'] },
  'type:read-model': { mayImport: ['type:domain', 'type:platform'] },
  'type:tooling': {
    mayImport: ['type:domain', 'type:platform', 'type:read-model', 'type:tooling', 'type:app'],
  },
  'type:app': { mayImport: ['type:domain', 'type:platform', 'type:read-model', 'type:tooling'] },
};

/** Tags that widen what a project may import, on top of its type:* rule. */
export const GRANT_TAGS = {
  'scope:launcher': ['type:app'],
};

/** Extra restrictions for type:domain: I/O libraries and I/O node built-ins. */
export const DOMAIN_FORBIDDEN = {
  message:
    'the domain is pure: no I/O libraries and no I/O node built-ins; ids and time are passed in as inputs (docs/architecture.md)',
  packages: ['uWebSockets.js', 'pino', 'jose', 'avsc', 'pg', 'ws', 'testcontainers'],
  scopes: ['@mikro-orm', '@nats-io'],
  builtins: ['fs', 'net', 'http', 'https', 'http2', 'dgram', 'dns', 'tls', 'child_process', 'crypto'],
};

/** Deeper files share one conservative block, see the header. */
export const MAX_DEPTH = 8;

const PROJECT_PARENTS = ['apps', 'libs'];
const PLUGIN_NAME = 'parley-boundaries';

const escapeRegex = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`tools/lint/boundaries.mjs: cannot read ${file}: ${error.message}`);
  }
}

/**
 * Every `apps/*` and `libs/*` directory that has a project.json.
 * @returns {{ name: string, root: string, packageName: string, tags: string[], type: string }[]}
 */
export function readWorkspaceProjects(workspaceRoot) {
  const projects = [];
  for (const parent of PROJECT_PARENTS) {
    const parentDir = join(workspaceRoot, parent);
    if (!existsSync(parentDir)) continue;
    for (const entry of readdirSync(parentDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const root = `${parent}/${entry.name}`;
      const projectFile = join(workspaceRoot, root, 'project.json');
      if (!existsSync(projectFile)) continue;
      const project = readJson(projectFile);
      const name = project.name ?? entry.name;
      const packageFile = join(workspaceRoot, root, 'package.json');
      const packageName = existsSync(packageFile)
        ? (readJson(packageFile).name ?? `@parley/${name}`)
        : `@parley/${name}`;
      const tags = Array.isArray(project.tags) ? project.tags : [];
      for (const tag of tags) {
        if (!(tag in TAG_RULES) && !(tag in GRANT_TAGS)) {
          throw new Error(
            `tools/lint/boundaries.mjs: ${root}/project.json has tag "${tag}", which the rule table does not know; add it to TAG_RULES or GRANT_TAGS`,
          );
        }
      }
      const typeTags = tags.filter((tag) => tag in TAG_RULES);
      if (typeTags.length !== 1) {
        throw new Error(
          `tools/lint/boundaries.mjs: ${root}/project.json must have exactly one of ${Object.keys(TAG_RULES).join(', ')} in "tags" (has: ${JSON.stringify(tags)})`,
        );
      }
      projects.push({ name, root, packageName, tags, type: typeTags[0] });
    }
  }
  projects.sort((a, b) => a.root.localeCompare(b.root));
  return projects;
}

/** The tags a project's @parley dependencies may carry. */
export function allowedTags(project) {
  const allowed = new Set(TAG_RULES[project.type].mayImport);
  for (const tag of project.tags) for (const extra of GRANT_TAGS[tag] ?? []) allowed.add(extra);
  return allowed;
}

/** The no-restricted-imports options for one project, minus the depth-specific escape pattern. */
function baseRestrictions(project, projects) {
  const allowed = allowedTags(project);
  const rule = TAG_RULES[project.type];
  const paths = [];
  const patterns = [];

  for (const other of projects) {
    if (other.root === project.root) continue;
    if (allowed.has(other.type)) continue;
    const mayImport = allowed.size ? [...allowed].join(', ') : 'nothing';
    paths.push({
      name: other.packageName,
      message:
        rule.why ??
        `${project.name} (${project.type}) may not import ${other.packageName} (${other.type}); ${project.type} may import ${mayImport}. See the rule table in tools/lint/boundaries.mjs.`,
    });
  }

  patterns.push({
    regex: `^(?:${[...new Set(projects.map((p) => escapeRegex(p.packageName)))].join('|')}|@parley/[^/]+)/`,
    message:
      'deep import into another project: import @parley packages by their root only (each exports "." alone); export what you need from its src/index.ts.',
  });

  if (project.type === 'type:domain') {
    const { message, packages, scopes, builtins } = DOMAIN_FORBIDDEN;
    for (const name of packages) paths.push({ name, message });
    for (const name of builtins) paths.push({ name, message }, { name: `node:${name}`, message });
    // Sub-paths (pino/file, node:fs/promises) and whole scopes; exact names are in `paths`.
    patterns.push({
      regex: `^(?:(?:${packages.map(escapeRegex).join('|')})/|(?:${scopes.map(escapeRegex).join('|')})/|(?:node:)?(?:${builtins.join('|')})/)`,
      message,
    });
  }
  return { paths, patterns };
}

function escapePattern(project, minUps) {
  return {
    // `..`, `../x`, `./../x`, repeated minUps times at the start of the specifier.
    regex: `^(?:\\./)?(?:\\.\\./){${minUps - 1}}\\.\\.(?:/|$)`,
    message: `relative import climbs out of ${project.root}: import the other project by its package name (@parley/<name>), not by path.`,
  };
}

/**
 * Matches the options of no-restricted-imports as generated above (paths with
 * exact names, patterns with `regex`), applied to import() and require().
 */
const noRestrictedDynamicImports = {
  meta: {
    type: 'problem',
    docs: { description: 'apply the no-restricted-imports boundary options to import() and require()' },
    schema: [{ type: 'object', additionalProperties: true }],
    messages: { restricted: "'{{name}}' import is restricted from being used. {{message}}" },
  },
  create(context) {
    const { paths = [], patterns = [] } = context.options[0] ?? {};
    const compiled = patterns.map((p) => ({
      re: new RegExp(p.regex, p.caseSensitive ? 'u' : 'iu'),
      message: p.message ?? '',
    }));
    const check = (node, name) => {
      const hit =
        paths.find((p) => p.name === name) ?? compiled.find((p) => p.re.test(name));
      if (hit) context.report({ node, messageId: 'restricted', data: { name, message: hit.message ?? '' } });
    };
    const literal = (node) => {
      if (node?.type === 'Literal' && typeof node.value === 'string') return node.value;
      if (node?.type === 'TemplateLiteral' && node.expressions.length === 0) return node.quasis[0].value.cooked;
      return undefined;
    };
    return {
      ImportExpression(node) {
        const name = literal(node.source);
        if (name !== undefined) check(node.source, name);
      },
      CallExpression(node) {
        if (node.callee.type !== 'Identifier' || node.callee.name !== 'require') return;
        const name = literal(node.arguments[0]);
        if (name !== undefined) check(node.arguments[0], name);
      },
    };
  },
};

export const boundariesPlugin = {
  meta: { name: PLUGIN_NAME },
  rules: { 'no-restricted-dynamic-imports': noRestrictedDynamicImports },
};

/** Rule ids these blocks configure (the self-check counts only these). */
export const BOUNDARY_RULE_IDS = ['no-restricted-imports', `${PLUGIN_NAME}/no-restricted-dynamic-imports`];

/**
 * Flat-config blocks enforcing the boundaries. Per project: one block per
 * directory depth 0..MAX_DEPTH-1 plus one for anything deeper, each complete
 * (a later block's rule options replace, not merge with, an earlier block's).
 */
export function boundaryConfigs({ workspaceRoot }) {
  const projects = readWorkspaceProjects(workspaceRoot);
  const blocks = [{ name: 'parley/boundaries/plugin', plugins: { [PLUGIN_NAME]: boundariesPlugin } }];
  for (const project of projects) {
    const base = baseRestrictions(project, projects);
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      const dirs = '*/'.repeat(depth);
      const files = depth < MAX_DEPTH ? [`${project.root}/${dirs}*.ts`] : [`${project.root}/${dirs}**/*.ts`];
      const options = { paths: base.paths, patterns: [...base.patterns, escapePattern(project, depth + 1)] };
      blocks.push({
        name: `parley/boundaries/${project.name}/depth-${depth < MAX_DEPTH ? depth : `${depth}+`}`,
        files,
        rules: {
          'no-restricted-imports': ['error', options],
          [`${PLUGIN_NAME}/no-restricted-dynamic-imports`]: ['error', options],
        },
      });
    }
  }
  return blocks;
}
