import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'dist/**', 'web/dist/**', 'web/src/api/schema.ts', 'lib/db/generated/**', 'coverage/**', 'reports/**', '.stryker-tmp/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // No import cycles: a module graph read in one direction (entry points, then services, then
    // the domain) is what lets a newcomer change one layer without surprises in another.
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    // lib/ is the infrastructure every layer stands on (configuration, database, Temporal
    // connection, logging, ids and keys, the languages of messages): it never reaches up into the
    // services, the activities, the API, the worker or the process assembly under start/.
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/services/*', '**/services/**', '**/activities/*', '**/activities/**', '**/api/*', '**/api/**', '**/worker/*', '**/start/*'],
              message: 'lib/ is infrastructure: it must not import from services/, activities/, api/, worker/ or start/ (they build on lib/, not the other way round).',
            },
          ],
        },
      ],
    },
  },
  {
    // services/ holds what the API and the activities both use (policies, action links, settings,
    // the audit log, snapshots, the escalation feed writer): on lib/ and the domain, never on
    // the layers that use it.
    files: ['services/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities/*', '**/activities/**', '**/api/*', '**/api/**', '**/worker/*', '**/start/*'],
              message: 'services/ is shared by the API and the activities: it must not import from activities/, api/, worker/ or start/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The notify path of briefs started before the outbox is kept for them alone: only the
    // activity list registers it, and nothing new builds on it.
    // (lib/ and services/ may import no activities at all, legacy/ included: their own rules above.)
    files: ['activities/**/*.ts', 'api/**/*.ts', 'worker/**/*.ts', 'start/**/*.ts'],
    ignores: ['activities/index.ts', 'activities/legacy/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/legacy/*', '**/legacy/**', './legacy', '../legacy'], message: 'activities/legacy serves briefs started before the outbox only: register it in activities/index.ts, import nothing from it.' }] },
      ],
    },
  },
  {
    // Tests read loosely typed JSON responses.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Workflow code is replayed: it must stay deterministic and free of I/O.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({ name, message: 'Workflows must not use Node built-ins.' })),
          patterns: [
            { group: ['@prisma/*', 'prisma', '**/lib/db/**', 'pg', '@electric-sql/*'], message: 'Workflows must not touch the database.' },
            { group: ['**/activities/*', '**/activities/**', '!**/activities/types'], message: 'Workflows import activity types only (activities/types).' , allowTypeImports: true },
            { group: ['@temporalio/client', '@temporalio/worker', '@temporalio/activity'], message: 'Workflows use @temporalio/workflow only.' },
          ],
        },
      ],
    },
  },
);
