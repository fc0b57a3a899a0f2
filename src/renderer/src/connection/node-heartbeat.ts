/**
 * A remote node's heartbeat (`nodes/{node}/heartbeat`, every 10 s) as the dashboard reads it. The
 * hub's own schema lives in src/main/nodes/protocol.ts, which the renderer must not import; this
 * one is lenient (only the name and time are required) so an older node still shows up.
 */
import { z } from 'zod';

export const nodeHeartbeatSchema = z.looseObject({
  node: z.string().min(1),
  timestamp: z.number(),
  agents: z.array(z.string()).catch([]).default([]),
  load: z.array(z.number()).catch([]).default([]),
  memory_mb: z.number().optional(),
  agent_states: z.record(z.string(), z.string()).optional(),
  cpus: z.number().optional(),
  hostname: z.string().optional(),
});

export type NodeHeartbeat = z.infer<typeof nodeHeartbeatSchema>;
