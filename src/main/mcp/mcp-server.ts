/**
 * The Wactorz MCP server: tools that let an MCP client (Claude Desktop, an IDE, another agent)
 * work with a running hub through its REST API — list agents, chat with main, send a task to an
 * agent, spawn an agent from code or a catalog recipe, read and update an agent's code. A failing
 * call is a tool error with a message that says what to do, never a protocol error.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { createAgentRequestSchema } from '../../shared/rest.js';
import { HubError, type HubClient } from './hub-client.js';

const agentName = z.string().min(1).describe('Agent name (or actor id), e.g. "main", "monitor", "lamp-watcher"');
const language = z.enum(['javascript', 'typescript']).optional().describe('Language of the code (default: detected by the hub)');

const text = (t: string): CallToolResult => ({ content: [{ type: 'text', text: t }] });
const json = (label: string, value: unknown): CallToolResult => text(`${label}\n${typeof value === 'string' ? value : JSON.stringify(value, null, 2)}`);

/** Runs a tool body; any failure becomes an MCP tool error with a useful message. */
async function tool(run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await run();
  } catch (e) {
    const message = e instanceof HubError ? e.message : `Unexpected error: ${e instanceof Error ? e.message : String(e)}`;
    return { isError: true, content: [{ type: 'text', text: message }] };
  }
}

interface AgentRow {
  name?: string;
  id?: string;
  state?: string;
  kind?: string;
  protected?: boolean;
  description?: string;
}

export function createWactorzMcpServer(hub: HubClient, version = '0.1.0'): McpServer {
  const server = new McpServer({ name: 'wactorz', title: 'Wactorz hub', version }, { instructions: `Tools for the Wactorz actor hub at ${hub.url}: every agent is an actor; "main" is the LLM orchestrator you can chat with.` });

  server.registerTool(
    'list_agents',
    { title: 'List agents', description: 'Lists every agent (actor) on the hub with its state, kind and whether it is protected.', inputSchema: {}, annotations: { readOnlyHint: true } },
    () =>
      tool(async () => {
        const agents = (await hub.listAgents()) as AgentRow[];
        if (!Array.isArray(agents)) return json('Unexpected answer from GET /agents:', agents);
        const lines = agents.map((a) => `- ${a.name} — ${a.state}${a.kind ? `, ${a.kind}` : ''}${a.protected ? ', protected' : ''}${a.description ? `: ${a.description}` : ''} (id ${a.id})`);
        return text(`${agents.length} agent${agents.length === 1 ? '' : 's'}:\n${lines.join('\n')}`);
      }),
  );

  server.registerTool(
    'chat',
    {
      title: 'Chat with main',
      description:
        'Sends a message to the hub\'s orchestrator ("main") and returns its reply. "@agent {json}" in the message goes straight to that agent; "/help" lists commands. With agent_name, talks to that agent directly.',
      inputSchema: { message: z.string().min(1).describe('What to say'), agent_name: agentName.optional().describe('Talk to this agent instead of main') },
    },
    ({ message, agent_name }) =>
      tool(async () => {
        const r = (await hub.chat(message, agent_name)) as { agent?: string; response?: unknown };
        return text(typeof r?.response === 'string' ? r.response : JSON.stringify(r));
      }),
  );

  server.registerTool(
    'send_task',
    {
      title: 'Send a task to an agent',
      description: "Sends a TASK to an agent and returns its RESULT payload (the agent's handleTask return value).",
      inputSchema: {
        agent: agentName,
        payload: z.unknown().describe('The task payload: any JSON value, usually an object such as {"action": "status"}'),
        timeout_ms: z.number().int().positive().max(600_000).optional().describe('How long to wait for the result (default: the hub\'s, 60 s)'),
      },
    },
    ({ agent, payload, timeout_ms }) =>
      tool(async () => {
        const r = (await hub.sendTask(agent, payload ?? {}, timeout_ms)) as { result?: unknown } | null;
        return json(`Result from ${agent}:`, r && typeof r === 'object' && 'result' in r ? r.result : r);
      }),
  );

  server.registerTool(
    'spawn_agent',
    {
      title: 'Spawn an agent',
      description:
        'Starts a new agent, either from code (a JavaScript/TypeScript module exporting setup/process/handleTask/cleanup, each taking the `agent` API object) or from a catalog recipe. Give exactly one of `code` or `recipe`.',
      inputSchema: {
        name: createAgentRequestSchema.shape.name.optional().describe('Agent name (required with code; optional with a recipe, which has a default)'),
        code: z.string().min(1).optional().describe('The agent module source'),
        language,
        description: z.string().optional().describe('What the agent does (shown in the dashboard and to main)'),
        capabilities: z.array(z.string()).optional(),
        recipe: z.string().min(1).optional().describe('A catalog recipe name (see the dashboard\'s catalog)'),
        config: z.record(z.string(), z.unknown()).optional().describe('Recipe configuration'),
      },
    },
    (args) =>
      tool(async () => {
        if ((args.code === undefined) === (args.recipe === undefined)) {
          return { isError: true, content: [{ type: 'text', text: 'Give exactly one of `code` (with `name`) or `recipe`.' }] };
        }
        if (args.code !== undefined) {
          if (!args.name) return { isError: true, content: [{ type: 'text', text: 'Spawning from code needs a `name`.' }] };
          const r = await hub.createAgent({
            name: args.name,
            code: args.code,
            ...(args.language ? { language: args.language } : {}),
            ...(args.description ? { description: args.description } : {}),
            ...(args.capabilities ? { capabilities: args.capabilities } : {}),
          });
          return json(`Spawned ${args.name}:`, r);
        }
        const r = await hub.spawnRecipe(args.recipe!, { ...(args.name ? { name: args.name } : {}), ...(args.config ? { config: args.config } : {}) });
        return json(`Spawned from recipe ${args.recipe}:`, r);
      }),
  );

  server.registerTool(
    'get_agent_code',
    {
      title: "Read an agent's code",
      description: 'Returns the current code of a dynamic agent (or a stored earlier version) and its version list.',
      inputSchema: { name: agentName, version: z.number().int().positive().optional().describe('An earlier version to read') },
      annotations: { readOnlyHint: true },
    },
    ({ name, version }) =>
      tool(async () => {
        const r = (await hub.getCode(name, version)) as { code?: unknown; language?: string; version?: number; versions?: { version: number }[] };
        if (typeof r?.code !== 'string') return json(`Code of ${name}:`, r);
        const versions = Array.isArray(r.versions) ? ` (versions: ${r.versions.map((v) => v.version).join(', ')})` : '';
        return text(`${name} — version ${r.version ?? '?'}, ${r.language ?? 'javascript'}${versions}\n\n\`\`\`${r.language === 'typescript' ? 'ts' : 'js'}\n${r.code}\n\`\`\``);
      }),
  );

  server.registerTool(
    'update_agent_code',
    {
      title: "Update an agent's code",
      description: 'Validates the new code and hot-swaps the running agent (the previous version is kept for rollback). Syntax and type errors come back with line numbers.',
      inputSchema: { name: agentName, code: z.string().min(1).describe('The whole new module source'), language },
    },
    ({ name, code, language: lang }) =>
      tool(async () => {
        const r = await hub.putCode(name, code, lang);
        return json(`Updated ${name}:`, r);
      }),
  );

  return server;
}
