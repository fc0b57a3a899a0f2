/**
 * Type declarations of the DynamicAgent API (`agent` in setup/handleTask/process/cleanup) for
 * Monaco's TypeScript service, so completion, hover and type errors work in the editor. The source
 * of truth is src/shared/agent-api.ts, bundled as text and made global by the shared helper — the
 * editor always shows the API the hub actually implements.
 */
import agentApiSource from '../../../../shared/agent-api.ts?raw';
import { agentApiAmbientDts } from '../../../../shared/agent-api-ambient.js';

export const AGENT_API_DTS: string = agentApiAmbientDts(agentApiSource);
