// Lint rules that keep the architecture honest: dependencies point down (apps → feature libs →
// infrastructure libs → domain), the domain stays framework-free, test helpers stay in tests.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const FRAMEWORKS = ['@nestjs/*', 'typeorm', 'kafkajs', 'jose', 'pg', 'express', 'nestjs-pino', 'pino*'];
const deepLibImport = {
  group: ['@libs/*/*'],
  message: 'Import a lib only through its index (@libs/<name>).',
};
const appImport = { group: ['**/apps/**', '@apps/*'], message: 'Libs never import apps.' };
const testingImport = { group: ['@libs/testing'], message: '@libs/testing is for tests only.' };

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.data/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      'no-restricted-imports': ['error', { patterns: [deepLibImport, testingImport] }],
    },
  },
  {
    files: ['libs/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepLibImport, appImport, testingImport] }] },
  },
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: FRAMEWORKS, message: 'The domain is pure TypeScript: no framework imports.' },
            { group: ['@libs/*'], message: 'The domain depends on no other lib.' },
            appImport,
          ],
        },
      ],
    },
  },
  {
    files: [
      '**/*.spec.ts',
      '**/*.int-spec.ts',
      'test/**/*.ts',
      'libs/testing/**/*.ts',
      'scripts/**/*.ts',
      'bench/**/*.ts',
      'examples/**/*.ts',
      'chaos/**/*.ts',
    ],
    rules: {
      'no-console': 'off',
      'no-restricted-imports': ['error', { patterns: [deepLibImport] }],
    },
  },
  {
    files: ['libs/domain/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: FRAMEWORKS, message: 'Domain tests need no framework.' }, appImport] },
      ],
    },
  },
);
