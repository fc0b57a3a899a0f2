// The layers of src/main, lowest first: a file may import its own layer and any layer BELOW it,
// never one above and never a sibling on the same rung (siblings stay independent so that either
// can change alone). docs/architecture.md ("Layers") explains each rung; `npm run lint` checks
// it with eslint-plugin-boundaries, and scripts/lint-layers.test.ts shows it fails on a wrong-way
// import.
//
//   0  shared                         wire contracts (zod + types); no runtime of its own
//   1  base · net                     small pure helpers every layer uses: the logger type, backoff, URL redaction;
//                                     network guards (address classes, safe fetch, login throttle)
//   2  config · persistence           the config schema; storage (SQLite, Redis/memory, blobs)
//   3  core · secrets                 actors, mailbox, scheduler, supervision, the bus interface;
//                                     the secret store (file 0600 / keychain), agents' env values
//   4  broker · llm                   the MQTT bus; LLM providers
//   5  server                         the HTTP platform: app, auth, errors, OpenAPI, RoutePlugin
//   6  integration · grants           the integration contract, its host, the spawn-type registry;
//                                     the bus rules of agent code (topic rules, filters, declared topics)
//   7  agents/{llm,io,monitor,installer,home-assistant,manual}, agents/dynamic/sandbox   leaf agents;
//      approvals (the spawn gate, pending requests, grants review: agents/dynamic consults it)
//   8  agents/dynamic                 generated agents (spawns LLM agents, runs the sandbox)
//   9  agents/{catalog,main}          recipes; the main actor (uses dynamic's hooks)
//  10  agents/planner                 pipelines of recipes
//  11  agents/*/integration.ts and agents/*/index.ts · nodes   a feature's plug and public API; the fleet
//  12  hub · settings · interfaces · mcp · graph · feed   glue over the actor system; the outer surfaces
//  13  composition roots: wactorz.ts, wactorz-handle.ts, cli.ts, nodes/node-cli.ts,
//      mcp/mcp-cli.ts, electron/
//
// Tests (*.test.ts) and test helpers (any testing/ folder) may import anything: a test assembles
// what it needs, up to a whole hub. Nothing else may import them.

/** Rungs, lowest first. Each entry: [element type, pattern(s) relative to the repo root]. */
export const LAYERS = [
  [['shared', 'src/shared/**']],
  [
    ['base', 'src/main/base/**'],
    ['net', 'src/main/net/**'],
  ],
  [
    ['config', 'src/main/config/**'],
    ['persistence', 'src/main/persistence/**'],
  ],
  [
    ['core', 'src/main/core/**'],
    ['secrets', 'src/main/secrets/**'],
  ],
  [
    ['broker', 'src/main/broker/**'],
    ['llm', 'src/main/llm/**'],
  ],
  [['server', 'src/main/server/**']],
  [
    ['integration-contract', 'src/main/integration/**'],
    ['grants', 'src/main/grants/**'],
  ],
  [
    ['agents-sandbox', 'src/main/agents/dynamic/sandbox/**'],
    ['agents-llm', 'src/main/agents/llm/**'],
    ['agents-io', 'src/main/agents/io/**'],
    ['agents-monitor', 'src/main/agents/monitor/**'],
    ['agents-installer', 'src/main/agents/installer/**'],
    ['agents-home-assistant', 'src/main/agents/home-assistant/**'],
    ['agents-manual', 'src/main/agents/manual/**'],
    ['approvals', 'src/main/approvals/**'],
  ],
  [['agents-dynamic', 'src/main/agents/dynamic/**']],
  [
    ['agents-catalog', 'src/main/agents/catalog/**'],
    ['agents-main', 'src/main/agents/main/**'],
  ],
  [['agents-planner', 'src/main/agents/planner/**']],
  [
    ['integration', ['src/main/agents/*/integration.ts', 'src/main/agents/*/index.ts']],
    ['nodes', 'src/main/nodes/**'],
  ],
  [
    ['hub', 'src/main/hub/**'],
    ['settings', 'src/main/settings/**'],
    ['interfaces', 'src/main/interfaces/**'],
    ['mcp', 'src/main/mcp/**'],
    ['graph', 'src/main/graph/**'],
    ['feed', 'src/main/feed/**'],
  ],
  [['root', ['src/main/*.ts', 'src/main/nodes/node-cli.ts', 'src/main/mcp/mcp-cli.ts', 'src/main/electron/**']]],
];

/**
 * Wrong-way imports that exist today and are being cut (issue 14). One line each, with who removes
 * it; delete the line with the import. A new exception needs a reason as good as these.
 */
export const TEMPORARY_EXCEPTIONS = [
];

const TEST_PATTERNS = ['src/main/**/*.test.ts', 'src/main/**/testing/**'];

/** Element descriptors: tests first (first match wins), then the more specific patterns before the broad ones. */
function elements() {
  const list = [{ type: 'test', pattern: TEST_PATTERNS, mode: 'full' }];
  const rungs = LAYERS.flat();
  // Specific files (integration plugs, composition roots, the sandbox) must win over their folder.
  const specific = ['root', 'integration', 'agents-sandbox'];
  for (const type of specific) {
    const [, pattern] = rungs.find(([t]) => t === type);
    list.push({ type, pattern, mode: 'full' });
  }
  for (const [type, pattern] of rungs) if (!specific.includes(type)) list.push({ type, pattern, mode: 'full' });
  return list;
}

/** One policy a type: it may import its own type and every type on a lower rung. */
function policies() {
  const out = [{ from: { element: { type: 'test' } }, allow: { to: { element: { type: '*' } } } }];
  LAYERS.forEach((rung, i) => {
    const below = LAYERS.slice(0, i).flat().map(([t]) => t);
    for (const [type] of rung) {
      out.push({ from: { element: { type } }, allow: { to: { element: { types: { anyOf: [type, ...below] } } } } });
    }
  });
  for (const e of TEMPORARY_EXCEPTIONS) {
    out.push({ from: { file: { path: e.from } }, allow: { to: { file: { path: e.to } } } });
  }
  return out;
}

/** The flat-config block for eslint.config.js. `boundaries` is the plugin module. */
export function layerConfig(boundaries) {
  return {
    files: ['src/main/**/*.ts', 'src/shared/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements(),
      'boundaries/include': ['src/main/**', 'src/shared/**'],
      // mode 'full' (a pattern matches the file's whole path) is the only way 7.x classifies single
      // files (the composition roots, integration plugs, tests); it warns that it is deprecated.
      'boundaries/legacy-warnings': false,
      'import/resolver': { typescript: { project: 'tsconfig.node.json' } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message: 'Layer rule: {{from.type}} may not import {{to.type}} (eslint.layers.js lists the layers; docs/architecture.md explains them).',
          policies: policies(),
        },
      ],
      // Every file under src/main belongs to a layer: a new folder must be placed in LAYERS.
      'boundaries/no-unknown-files': 'error',
    },
  };
}
