// Lint rules that keep the architecture honest: dependencies point down the layers of DESIGN.md (apps →
// feature libs → credentials → tenants / event-store / projections → adapters → domain / config), feature
// libs never import each other, the domain stays framework-free, test helpers stay in tests.
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

// The layers, top to bottom. A lib imports only libs of lower layers and, inside its layer, only libs
// listed after it (so nothing loops); feature libs never import each other (what two share moves down).
const LAYERS = [
  {
    name: 'feature',
    libs: ['authentication', 'delegation', 'management', 'dashboard', 'audit'],
    siblings: false,
  },
  { name: 'credentials', libs: ['credentials'] },
  { name: 'tenants / event store / projections', libs: ['projections', 'tenants', 'event-store'] },
  { name: 'adapter', libs: ['platform', 'jwt', 'messaging', 'database', 'security'] },
  { name: 'domain / config', libs: ['config', 'domain'] },
];
const layerRules = LAYERS.flatMap((layer, depth) =>
  layer.libs.map((lib, rank) => {
    const above = LAYERS.slice(0, depth).flatMap((l) => l.libs);
    const beside = layer.siblings === false ? layer.libs.filter((l) => l !== lib) : layer.libs.slice(0, rank);
    const forbidden = [...above, ...beside];
    const layerImport = {
      group: forbidden.map((l) => `@libs/${l}`),
      message: `Layers (DESIGN.md): ${lib} is a ${layer.name} lib; it may not import ${forbidden.join(', ')}.`,
    };
    return {
      files: [`libs/${lib}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          { patterns: [deepLibImport, appImport, testingImport, ...(forbidden.length ? [layerImport] : [])] },
        ],
      },
    };
  }),
);

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
  ...layerRules,
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
  // Tests compose like apps (an integration spec may boot several feature modules together).
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
