// Lint rules that enforce the direction of imports (as VS Code does): only src/main/electron
// touches Electron, the renderer never reaches into main, shared depends on nothing of ours, and
// inside src/main every folder sits on a layer that imports only the layers below it
// (eslint.layers.js lists them; docs/architecture.md explains them).
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';
import { layerConfig } from './eslint.layers.js';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'state/**', 'test-output/**', 'catalogue_agents/**/*.js'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  layerConfig(boundaries),
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/electron/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only src/main/electron may import electron: the core runs under plain Node.' }] }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', 'electron', 'node:*'], message: 'The renderer talks to the hub over MQTT and REST; shared contracts live in src/shared.' }] }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', '**/renderer/**', '**/preload/**', 'electron', 'node:*'], message: 'src/shared holds contracts only: no runtime-specific imports.' }] }],
    },
  },
);
