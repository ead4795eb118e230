// The lint rules that keep workflow code deterministic and promises awaited do fire.
import path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT });

// Lints the given text as if it were the content of an existing file of that folder.
async function ruleIds(relativePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, relativePath) });
  return result.messages.map((m) => m.ruleId ?? m.message);
}

describe('lint rules', () => {
  test('keep Node built-ins out of workflows', async () => {
    expect(await ruleIds('workflows/domain/ids.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toContain('no-restricted-imports');
    expect(await ruleIds('workflows/domain/ids.ts', "import crypto from 'crypto';\nexport const x = crypto;\n")).toContain('no-restricted-imports');
  });

  test('keep Prisma and activity implementations out of workflows', async () => {
    expect(await ruleIds('workflows/domain/ids.ts', "import { PrismaClient } from '../../lib/db/database';\nexport const x = PrismaClient;\n")).toContain(
      'no-restricted-imports',
    );
    expect(await ruleIds('workflows/domain/ids.ts', "import { createNotify } from '../../activities/notify';\nexport const x = createNotify;\n")).toContain(
      'no-restricted-imports',
    );
  });

  test('let workflows import activity types', async () => {
    expect(await ruleIds('workflows/domain/ids.ts', "import type { BriefActivities } from '../../activities/types';\nexport type X = BriefActivities;\n")).toEqual([]);
  });

  test('allow the same imports outside workflows', async () => {
    expect(await ruleIds('activities/index.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toEqual([]);
  });

  test('forbid floating promises', async () => {
    const code = 'async function work(): Promise<void> {}\nexport function run(): void {\n  work();\n}\n';
    expect(await ruleIds('lib/ids.ts', code)).toContain('@typescript-eslint/no-floating-promises');
  });
});
