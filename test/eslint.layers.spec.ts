import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

interface Case {
  file: string;
  code: string;
}

const ROOT = resolve(__dirname, '..');

// ESLint loads eslint.config.mjs with a dynamic import, which Jest's CommonJS runtime does not allow:
// the Node API runs in one child process for all the cases.
const LINT = `
  const { ESLint } = require('eslint');
  (async () => {
    const eslint = new ESLint({ cwd: process.cwd() });
    const cases = JSON.parse(process.argv[1]);
    const messages = [];
    for (const c of cases) {
      const [result] = await eslint.lintText(c.code, { filePath: c.file });
      messages.push(result.messages.map((m) => m.ruleId + ': ' + m.message));
    }
    process.stdout.write(JSON.stringify(messages));
  })();`;

function lint(cases: Case[]): string[][] {
  return JSON.parse(
    execFileSync(process.execPath, ['-e', LINT, JSON.stringify(cases)], { cwd: ROOT, encoding: 'utf8' }),
  );
}

const importing = (file: string, lib: string): Case => ({
  file,
  code: `import * as imported from '@libs/${lib}';\nexport const used = imported;\n`,
});

/** The layers of DESIGN.md are enforced by ESLint (eslint.config.mjs): a violation fails `npm run lint`. */
describe('ESLint layer rules', () => {
  const [featureToFeature, upward, testingInLib, domainToLib, deep, ...allowed] = lint([
    importing('libs/authentication/src/token/x.ts', 'delegation'),
    importing('libs/tenants/src/x.ts', 'credentials'),
    importing('libs/credentials/src/x.ts', 'testing'),
    importing('libs/domain/src/x.ts', 'config'),
    {
      file: 'libs/delegation/src/x.ts',
      code: "export { TenantError } from '@libs/tenants/errors/tenant.error';\n",
    },
    importing('libs/delegation/src/x.ts', 'credentials'),
    importing('libs/credentials/src/x.ts', 'tenants'),
    importing('libs/tenants/src/x.ts', 'jwt'),
    importing('libs/platform/src/x.ts', 'security'),
    importing('apps/api/src/x.ts', 'management'),
    importing('libs/credentials/src/x.spec.ts', 'testing'),
    importing('libs/jwt/src/x.int-spec.ts', 'authentication'),
  ]);

  it('refuses a feature lib importing another one', () => {
    expect(featureToFeature).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*authentication is a feature lib/),
    ]);
  });

  it('refuses an import up the layers', () => {
    expect(upward).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*tenants is a .* lib; it may not import .*credentials/),
    ]);
  });

  it('keeps @libs/testing out of production code, the domain free of other libs, libs behind their index', () => {
    expect(testingInLib).toEqual([expect.stringMatching(/@libs\/testing is for tests only/)]);
    expect(domainToLib).toEqual([expect.stringMatching(/The domain depends on no other lib/)]);
    expect(deep).toEqual([expect.stringMatching(/only through its index/)]);
  });

  it('allows imports down the layers, from apps, and in tests', () => {
    expect(allowed).toEqual(allowed.map(() => []));
  });
});
