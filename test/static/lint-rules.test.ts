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
    expect(await ruleIds('workflows/domain/ids.ts', "import { createNotify } from '../../activities/legacy/notify';\nexport const x = createNotify;\n")).toContain(
      'no-restricted-imports',
    );
  });

  test('let workflows import activity types', async () => {
    expect(await ruleIds('workflows/domain/ids.ts', "import type { BriefActivities } from '../../activities/types';\nexport type X = BriefActivities;\n")).toEqual([]);
  });

  test('allow the same imports outside workflows', async () => {
    expect(await ruleIds('activities/index.ts', "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toEqual([]);
  });

  test('forbid import cycles', async () => {
    // api/idempotency.ts imports lib/ids.ts: lib/ids.ts importing it back closes a cycle.
    expect(await ruleIds('lib/ids.ts', "import { requestHash } from '../api/idempotency';\nexport const x = requestHash;\n")).toContain('import-x/no-cycle');
    expect(await ruleIds('lib/keys.ts', "import { newId } from './ids';\nexport const x = newId;\n")).not.toContain('import-x/no-cycle');
  });

  test('keep services/ from importing the layers that use it', async () => {
    expect(await ruleIds('services/audit.ts', "import { fieldError } from '../api/errors';\nexport const x = fieldError;\n")).toContain('no-restricted-imports');
    expect(await ruleIds('services/audit.ts', "import { createRecordEvents } from '../activities/record-events';\nexport const x = createRecordEvents;\n")).toContain('no-restricted-imports');
    expect(await ruleIds('services/audit.ts', "import { newId } from '../lib/ids';\nexport const x = newId;\n")).toEqual([]);
    expect(await ruleIds('lib/keys.ts', "import { audit } from '../services/audit';\nexport const x = audit;\n")).toContain('no-restricted-imports');
  });

  test('keep lib/ from importing the API, the worker and the process assembly', async () => {
    expect(await ruleIds('lib/keys.ts', "import { fieldError } from '../api/errors';\nexport const x = fieldError;\n")).toContain('no-restricted-imports');
    expect(await ruleIds('lib/keys.ts', "import { createWorker } from '../worker/worker';\nexport const x = createWorker;\n")).toContain('no-restricted-imports');
    expect(await ruleIds('lib/keys.ts', "import { startHandoff } from '../start/handoff';\nexport const x = startHandoff;\n")).toContain('no-restricted-imports');
    expect(await ruleIds('start/handoff.ts', "import { fieldError } from '../api/errors';\nexport const x = fieldError;\n")).not.toContain('no-restricted-imports');
  });

  test('keep the notify path of briefs started before the outbox to itself', async () => {
    expect(await ruleIds('activities/deliver.ts', "import { createNotify } from './legacy/notify';\nexport const x = createNotify;\n")).toContain('no-restricted-imports');
    expect(await ruleIds('start/handoff.ts', "import { createNotify } from '../activities/legacy/notify';\nexport const x = createNotify;\n")).toContain('no-restricted-imports');
    expect(await ruleIds('activities/index.ts', "import { createNotify } from './legacy/notify';\nexport const x = createNotify;\n")).not.toContain('no-restricted-imports');
  });

  test('forbid floating promises', async () => {
    const code = 'async function work(): Promise<void> {}\nexport function run(): void {\n  work();\n}\n';
    expect(await ruleIds('lib/ids.ts', code)).toContain('@typescript-eslint/no-floating-promises');
  });
});
