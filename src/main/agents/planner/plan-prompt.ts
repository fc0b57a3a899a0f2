/**
 * The planner's system prompt: what a plan is (JSON, the schema in plan-schema.ts), the recipes the
 * catalog has (with their config fields), how generated agents are written (the agent API from
 * src/shared/agent-api.ts, so the prompt never disagrees with the sandbox), the topics that exist
 * (Home Assistant's state changes), and the conventions for the topics that connect the agents.
 */
import type { Recipe } from '../catalog/recipe-loader.js';
import { agentApiReference, MODULE_SHAPE, SANDBOX_RULES } from '../dynamic/prompt/agent-api-prompt.js';

export interface PromptContext {
  recipes: Recipe[];
  /** Null when Home Assistant is configured. */
  homeAssistantMissing: string | null;
  /** Agents running now (name: description). */
  agents: { name: string; description: string }[];
  userFacts?: Record<string, unknown> | undefined;
}

const EXAMPLE = `{
  "name": "hot-room-alert",
  "description": "Alert on Discord when the living-room temperature goes above 28 °C",
  "agents": [
    {"name": "hot-room-threshold", "role": "watches the temperature sensor and publishes when it is too hot",
     "type": "catalog", "recipe": "threshold-alert",
     "config": {"topic": "homeassistant/state_changes/#", "entity_id": "sensor.living_room_temperature", "above": 28, "hysteresis": 1, "publish_topic": "pipelines/hot-room-alert/too-hot"},
     "subscribes": ["homeassistant/state_changes/#"], "publishes": ["pipelines/hot-room-alert/too-hot"]},
    {"name": "hot-room-discord", "role": "posts the alert to Discord",
     "type": "catalog", "recipe": "webhook-notifier",
     "config": {"url": "https://discord.com/api/webhooks/…", "format": "discord", "topics": ["pipelines/hot-room-alert/too-hot"], "template": "🌡️ {message}"},
     "subscribes": ["pipelines/hot-room-alert/too-hot"]}
  ],
  "topics": [
    {"topic": "pipelines/hot-room-alert/too-hot", "from": ["hot-room-threshold"], "to": ["hot-room-discord"],
     "description": "status changes of the living-room temperature", "schema": {"type": "object", "properties": {"status": {"type": "string"}, "value": {"type": "number"}, "message": {"type": "string"}}}}
  ],
  "summary": "I'll post to Discord when the living room is above 28 °C, and again when it cools down."
}`;

export function plannerSystemPrompt(ctx: PromptContext): string {
  const recipes = ctx.recipes.map((r) => {
    const m = r.manifest;
    const props = Object.entries(m.config_schema.properties).map(([k, p]) => {
      const required = (m.config_schema.required ?? []).includes(k) ? ' (required)' : '';
      const type = typeof p.type === 'string' ? p.type : 'any';
      const enumText = Array.isArray(p.enum) ? ` one of ${p.enum.join('|')}` : '';
      const dflt = p.default !== undefined ? ` default ${JSON.stringify(p.default)}` : '';
      return `    - ${k}: ${type}${enumText}${required}${dflt}${typeof p.description === 'string' ? ` — ${p.description}` : ''}`;
    });
    return `- ${m.name}: ${m.description}\n  config:\n${props.join('\n')}`;
  });
  const facts = ctx.userFacts && Object.keys(ctx.userFacts).length ? `\nWhat the user told us before (use it, e.g. webhook URLs, names of rooms):\n${JSON.stringify(ctx.userFacts)}\n` : '';
  const running = ctx.agents.length ? ctx.agents.map((a) => `- ${a.name}${a.description ? `: ${a.description.slice(0, 100)}` : ''}`).join('\n') : '(none)';
  return `You are the pipeline planner of Wactorz, an actor-model home-automation and AI hub. Agents talk over MQTT.
The user asks for something that keeps running (react to events, schedules, monitoring, notifications). You answer with ONE JSON document — the plan — and nothing else.

## The plan
{"name": "<pipeline-name>", "description": "<what it does>", "agents": [<agent>…], "topics": [<topic contract>…], "summary": "<one or two sentences for the user>"}
Each agent: {"name", "role", "type": "catalog" | "dynamic" | "llm" | "ha_actuator", "subscribes": [topics], "publishes": [topics], …}
- "catalog": a ready-made recipe — add "recipe" and its "config". PREFER recipes: they are tested.
- "dynamic": generated code — add "code" (an ES module, see below), and "capabilities" (["fetch"] to call HTTP APIs), optionally "config" (read as agent.state.config).
- "llm": an LLM agent that answers tasks — add "system_prompt".
- "ha_actuator": Home Assistant service calls on MQTT triggers — add "spec": {"automation_id", "mqtt_topics": [..], "detection_filter": {..}, "actions": [{"domain", "service", "entity_id", "service_data"}], "conditions": [], "cooldown_seconds"}.${ctx.homeAssistantMissing ? ` NOT AVAILABLE here: ${ctx.homeAssistantMissing}.` : ''}
Names: lower-case words joined with "-", unique, not one of the running agents.
Topics between agents: "pipelines/<pipeline-name>/<stream>". Each topic contract: {"topic", "from": [agent names], "to": [agent names], "description", "schema": JSON Schema of the payload}.
If you cannot plan without an answer from the user (e.g. a webhook URL or which device), reply {"question": "<your question>"} instead.

## Topics that exist
- homeassistant/state_changes (and homeassistant/state_changes/<domain>/<entity_id>): every Home Assistant state change,
  payload {"entity_id": "light.living_room", "domain": "light", "new_state": {"state": "on", "attributes": {"friendly_name": "…"}, "last_changed": "…"}, "old_state": {…} | null}.
  Subscribe to "homeassistant/state_changes/#" (it covers both forms) and filter on entity_id.
- agents/<id>/alert: alerts of every agent {name, message, severity}.

## Catalog recipes
${recipes.join('\n')}

## Writing a dynamic agent
${MODULE_SHAPE}
${SANDBOX_RULES}
The agent API:
${agentApiReference()}

## Running agents
${running}
${facts}
## Example plan (for "tell me on Discord when the living room gets too hot")
${EXAMPLE}

Reply with the JSON plan only.`;
}

export function repairPrompt(error: string): string {
  return `That plan cannot be used:\n${error}\n\nReply with the corrected plan — the whole JSON document, nothing else.`;
}
