/**
 * The layer rules of src/main (eslint.layers.js) as `npm run lint` applies them: ESLint's own Node
 * API lints small sources placed at real paths of the tree, so the test fails if the plugin, the
 * resolver or the layer table stops catching a wrong-way import.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { TEMPORARY_EXCEPTIONS } from '../eslint.layers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const eslint = new ESLint({ cwd: root });

/** The boundary messages ESLint reports for `source` placed at `path` (relative to the repo root). */
async function layerErrors(path: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(root, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId?.startsWith('boundaries/')).map((m) => m.message);
}

describe('layer rules', () => {
  it('fail on an import from a higher layer (core → the composition root)', async () => {
    const errors = await layerErrors('src/main/core/layer-fixture.ts', "import { startWactorz } from '../wactorz.js';\nexport const start = startWactorz;\n");
    expect(errors).toEqual([expect.stringMatching(/core may not import root/)]);
  });

  it('fail on an import from a sibling on the same rung (broker → llm)', async () => {
    const errors = await layerErrors('src/main/broker/layer-fixture.ts', "import type { LlmProvider } from '../llm/provider.js';\nexport type P = LlmProvider;\n");
    expect(errors).toEqual([expect.stringMatching(/broker may not import llm/)]);
  });

  it('fail when an agent reaches up into the hub glue', async () => {
    const errors = await layerErrors('src/main/agents/llm/layer-fixture.ts', "import { llmRoutes } from '../../hub/llm-routes.js';\nexport const r = llmRoutes;\n");
    expect(errors).toEqual([expect.stringMatching(/agents-llm may not import hub/)]);
  });

  it('fail when production code imports a test helper', async () => {
    const errors = await layerErrors('src/main/core/layer-fixture.ts', "import { waitFor } from '../testing/wait.js';\nexport const w = waitFor;\n");
    expect(errors).toEqual([expect.stringMatching(/core may not import test/)]);
  });

  it('fail on a file in a folder no layer names', async () => {
    const errors = await layerErrors('src/main/new-folder/layer-fixture.ts', 'export const x = 1;\n');
    expect(errors.length).toBeGreaterThan(0);
  });

  it('pass imports of the same layer and the layers below', async () => {
    const source = [
      "import { Mailbox } from './mailbox.js';",
      "import type { Persistence } from '../persistence/persistence.js';",
      "import type { Message } from '../../shared/message.js';",
      'export type T = [Mailbox, Persistence, Message];',
      '',
    ].join('\n');
    expect(await layerErrors('src/main/core/layer-fixture.ts', source)).toEqual([]);
    expect(await layerErrors('src/main/agents/planner/layer-fixture.ts', "import { CatalogService } from '../catalog/catalog-service.js';\nexport const c = CatalogService;\n")).toEqual([]);
  });

  it('let tests import any layer', async () => {
    expect(await layerErrors('src/main/core/layer-fixture.test.ts', "import { startWactorz } from '../wactorz.js';\nexport const start = startWactorz;\n")).toEqual([]);
  });

  it('list only exceptions that are still needed (each one is an import that exists)', () => {
    for (const e of TEMPORARY_EXCEPTIONS) {
      const source = readFileSync(join(root, e.from), 'utf8');
      const spec = relative(dirname(join(root, e.from)), join(root, e.to)).replace(/\.ts$/, '.js');
      expect(source, `${e.from} no longer imports ${e.to}: delete the exception`).toContain(`'${spec.startsWith('.') ? spec : `./${spec}`}'`);
    }
  });
});
