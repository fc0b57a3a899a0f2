/**
 * Global declarations of the agent API for an editor (Monaco's `addExtraLib`): the source of
 * ./agent-api.ts with its `export`s removed (so `Agent` etc. are global names, usable in a
 * DynamicAgent module without imports), plus the few globals the sandbox provides.
 *
 * The renderer loads the source with Vite's raw import, so there is nothing to regenerate:
 *   import agentApiSource from '../../shared/agent-api.ts?raw';
 *   monaco.languages.typescript.typescriptDefaults.addExtraLib(agentApiAmbientDts(agentApiSource), 'file:///wactorz-agent-api.d.ts');
 * Set the editor's `lib` to ES2023 without DOM: the sandbox has no DOM and no global `fetch`.
 */

/** Globals of the sandbox besides the standard JavaScript built-ins. */
export const SANDBOX_GLOBALS_DTS = `
/** Goes to agent.log with the matching level. */
declare var console: AgentConsole;
declare function setTimeout(callback: (...args: any[]) => void, ms?: number, ...args: any[]): number;
declare function clearTimeout(id: number | undefined): void;
declare function setInterval(callback: (...args: any[]) => void, ms?: number, ...args: any[]): number;
declare function clearInterval(id: number | undefined): void;
declare function queueMicrotask(callback: () => void): void;
`;

/** `agentApiSource` = the text of src/shared/agent-api.ts. */
export function agentApiAmbientDts(agentApiSource: string): string {
  const globalised = agentApiSource.replace(/^export (?=(?:interface|type|declare|const enum|enum)\b)/gm, '');
  return `${globalised}\n${SANDBOX_GLOBALS_DTS}`;
}
