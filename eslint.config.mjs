// Flat ESLint config for the Parley workspace.
//   1. typescript-eslint `recommended` (not type-checked, to keep it fast) on **/*.ts.
//   2. Module boundaries generated from the Nx tags in apps/*/project.json and
//      libs/*/project.json. The rule table is in tools/lint/boundaries.mjs.
//      Self-check: `node tools/lint/boundaries.check.mjs`.
// No stylistic rules; formatting is not linted.
import { fileURLToPath } from 'node:url';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';
import { boundaryConfigs } from './tools/lint/boundaries.mjs';

const workspaceRoot = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig(
  globalIgnores(['**/node_modules/', '**/dist/', '**/.nx/', '**/.parley/', '**/coverage/'], 'parley/ignores'),
  {
    name: 'parley/typescript',
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  ...boundaryConfigs({ workspaceRoot }),
);
