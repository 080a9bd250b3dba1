// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

const SUBGRAPHS = ['users', 'products', 'inventory', 'orders', 'payments'];

module.exports = tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      '.data/',
      'client/generated/',
      'coverage/',
      'helm/',
      'eslint.config.js',
      'jest.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  // Tests poke at raw JSON responses.
  { files: ['**/*.test.ts', 'test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  // A subgraph never imports another: they talk over HTTP and events only.
  ...SUBGRAPHS.map((name) => ({
    files: [`subgraphs/${name}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: SUBGRAPHS.filter((other) => other !== name).map((other) => ({
            // An event contract is written once by its producer and imported by its consumers.
            // gitignore-style: a folder's files can only be re-included once the folder itself is.
            group: [
              `**/${other}/*`,
              `**/${other}/*/**`,
              `!**/${other}/events`,
              `**/${other}/events/*`,
              `!**/${other}/events/contracts`,
            ],
            message: "Subgraphs never import each other (only another's events/contracts).",
          })),
        },
      ],
    },
  })),
  // The domain is plain rules: no GraphQL, SQL or NATS in it.
  {
    files: ['subgraphs/*/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'graphql',
                'type-graphql',
                '@apollo/*',
                'typeorm',
                'pg',
                'nats',
                '**/db/**',
                '**/resolvers/**',
                '**/schema/**',
              ],
              message: 'domain/ stays free of GraphQL, SQL and NATS.',
            },
          ],
        },
      ],
    },
  },
  // Nothing but an entry point reads the environment.
  {
    files: ['platform/**/*.ts', 'subgraphs/**/*.ts', 'gateway/**/*.ts'],
    // Entry points read the environment and pass it down: each main.ts, and tracing's register.ts,
    // which every main.ts imports first (instrumentation must patch modules before they load).
    ignores: ['**/main.ts', 'platform/tracing/register.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Declare a setting in its module (*Settings.ts); main.ts passes the environment down.',
        },
      ],
    },
  },
);
