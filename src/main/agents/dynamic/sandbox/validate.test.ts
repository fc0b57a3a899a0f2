/** validateAgentCode: what REST, the editor and the LLM repair loop get back. */
import { describe, expect, it } from 'vitest';
import { validateAgentCode } from './validate.js';

describe('validateAgentCode', () => {
  it('accepts a module with the hooks and reports its exports', () => {
    const v = validateAgentCode(`export async function setup(agent) {}\nexport const handleTask = async (agent, p) => p;\nexport async function cleanup() {}`);
    expect(v.ok).toBe(true);
    expect(v.diagnostics).toEqual([]);
    expect(v.exports).toEqual({ setup: true, handleTask: true, process: false, cleanup: true });
    expect(v.js).toContain('export async function setup');
  });

  it('gives line and column of a JavaScript syntax error', () => {
    const v = validateAgentCode(`export async function handleTask(agent, p) {\n  const x = ;\n  return x;\n}`);
    expect(v.ok).toBe(false);
    expect(v.diagnostics[0]).toMatchObject({ line: 2, column: 13, severity: 'error' });
    expect(v.js).toBe('');
  });

  it('gives line and column of a TypeScript syntax error', () => {
    const v = validateAgentCode(`type P = { a: number };\nexport async function handleTask(agent: Agent, p: P) {\n  return p.a +* 2;\n}`, 'typescript');
    expect(v.ok).toBe(false);
    expect(v.diagnostics[0]).toMatchObject({ line: 3, severity: 'error' });
    expect(v.diagnostics[0]!.column).toBeGreaterThan(10);
  });

  it('transpiles TypeScript to the JavaScript the sandbox runs', () => {
    const v = validateAgentCode(`interface P { a: number }\nexport async function handleTask(agent: Agent, p: P): Promise<number> { return p.a as number }`, 'typescript');
    expect(v.ok).toBe(true);
    expect(v.js).not.toMatch(/interface|: P|as number/);
    expect(v.js).toContain('export async function handleTask(agent, p)');
  });

  it('requires at least one of setup, handleTask/handle_task and process', () => {
    const v = validateAgentCode(`export async function cleanup() {}\nexport const name = 'x';`);
    expect(v.ok).toBe(false);
    expect(v.diagnostics.map((d) => d.message).join()).toMatch(/must export at least one of/);
    expect(validateAgentCode(`export function handle_task(agent, p) { return p }`).exports.handleTask).toBe(true);
    expect(validateAgentCode(`export async function process(agent) {}`).ok).toBe(true);
    expect(validateAgentCode(`const setup = async () => {};\nexport { setup }`).exports.setup).toBe(true);
    expect(validateAgentCode(`export default { async handleTask(agent, p) { return p } }`).exports.handleTask).toBe(true);
  });

  it('says when a hook is declared but not exported (the usual LLM slip)', () => {
    const v = validateAgentCode(`async function handleTask(agent, p) { return p }\nexport async function setup() {}`);
    expect(v.ok).toBe(true);
    expect(v.diagnostics).toEqual([expect.objectContaining({ line: 1, column: 1, severity: 'warning', message: expect.stringMatching(/handleTask.*not exported/) })]);
    const none = validateAgentCode(`async function handleTask(agent, p) { return p }`);
    expect(none.ok).toBe(false);
  });

  it('refuses CommonJS, require and Node modules with a hint at the agent API', () => {
    const cjs = validateAgentCode(`module.exports = { handleTask: async () => 1 }`);
    expect(cjs.ok).toBe(false);
    expect(cjs.diagnostics[0]!.message).toMatch(/CommonJS/);
    const req = validateAgentCode(`export async function handleTask() {\n  const fs = require('fs');\n}`);
    expect(req.diagnostics[0]).toMatchObject({ line: 2, column: 14, message: expect.stringMatching(/require/) });
    const node = validateAgentCode(`import { readFileSync } from 'node:fs';\nexport async function handleTask() {}`);
    expect(node.ok).toBe(false);
    expect(node.diagnostics[0]!.message).toMatch(/Node module/);
  });

  it('accepts imports only of modules provided for the agent', () => {
    const code = `import { slugify } from 'tiny-slug';\nexport async function handleTask(agent, p) { return slugify(p) }`;
    expect(validateAgentCode(code).ok).toBe(false);
    expect(validateAgentCode(code).diagnostics[0]!.message).toMatch(/tiny-slug.*not available/);
    const ok = validateAgentCode(code, 'javascript', { modules: ['tiny-slug'] });
    expect(ok.ok).toBe(true);
    expect(ok.imports).toEqual(['tiny-slug']);
  });

  it('refuses oversized code', () => {
    expect(validateAgentCode(`export async function setup() {}\n//${'x'.repeat(600 * 1024)}`).ok).toBe(false);
  });
});
