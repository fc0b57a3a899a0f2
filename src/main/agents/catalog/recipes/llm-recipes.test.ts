/** topic-summariser and daily-digest in the real sandbox; the LLM is the real OpenAI SDK against the scripted server. */
import { describe, expect } from 'vitest';
import type { Json } from '../testing/recipe-hub.js';
import { recipeTest } from '../../../testing/hub-fixture.js';
import { waitUntil } from '../../../testing/wait.js';

function lastUserText(body: Json): string {
  return body.messages.filter((m: Json) => m.role === 'user').at(-1).content;
}

const test = recipeTest;
test.override('recipeHubOptions', { llm: true });

describe('LLM recipes', { timeout: 120_000 }, () => {
  test('topic-summariser sends the collected messages to the LLM and publishes its summary', async ({ hub }) => {
    const out = await hub.collect('summaries/#');
    await hub.catalog.spawn('topic-summariser', { name: 'garage-summary', config: { topics: ['garage/#'], every_seconds: 3600 } }, 'user');
    hub.publish('garage/door', { state: 'open' });
    hub.publish('garage/temp', 4.5);
    await waitUntil(async () => (await hub.system.ask<Json>('garage-summary', { action: 'last' })).count === 2, 'two collected messages');
    hub.llmServer!.script('openai', ['- The garage door was opened.\n- It is cold (4.5 °C).']);
    const r = await hub.system.ask<Json>('garage-summary', { action: 'summarise' }, 60_000);
    expect(r).toMatchObject({ summary: '- The garage door was opened.\n- It is cold (4.5 °C).', count: 2, topics: { 'garage/door': 1, 'garage/temp': 1 } });
    const req = hub.llmServer!.lastRequest('openai')!;
    const prompt = lastUserText(req.body);
    expect(prompt).toMatch(/garage\/door: \{"state":"open"\}/);
    expect(prompt).toMatch(/garage\/temp: 4\.5/);
    expect(JSON.stringify(req.body)).toMatch(/summarise MQTT message streams/);
    await waitUntil(() => out.length === 1, 'the published summary');
    expect(out[0]!.topic).toBe('summaries/garage-summary');
    expect((await hub.system.ask<Json>('garage-summary', { action: 'summarise' })).reason).toBe('not enough messages yet');
    expect(hub.costs.snapshot().agents['garage-summary']?.calls).toBe(1); // billed to the agent
  });

  test('daily-digest sends at the set time: LLM-written, to MQTT and a Slack webhook', async ({ hub, hook }) => {
    const out = await hub.collect('digests/#');
    const two = (n: number): string => String(n).padStart(2, '0');
    hub.llmServer!.script('openai', ['Quiet day: the front door opened twice, one low-battery warning.']);
    // Due a few seconds after the spawn; a spawn slower than that (loaded machine) schedules it for
    // tomorrow, so it is tried again with a later time.
    let status: Json;
    for (let attempt = 0; ; attempt++) {
      const at = new Date(Date.now() + 6_000 * (attempt + 1));
      const hhmmss = `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
      await hub.catalog.spawn('daily-digest', { name: 'evening-digest', replace: true, config: { topics: ['events/#'], at: hhmmss, url: `${hook.url}/slack`, format: 'slack', title: 'Home today' }, capabilities: ['fetch_local'] }, 'user');
      status = await hub.system.ask<Json>('evening-digest', { action: 'status' });
      expect(Math.round(status.next_at) % 86_400).toBe(Math.floor(at.getTime() / 1000) % 86_400);
      if (status.next_at - Date.now() / 1000 < 3_600 || attempt === 3) break;
    }
    expect(status.next_at - Date.now() / 1000).toBeLessThan(3_600);
    hub.publish('events/door', { message: 'Front door opened' });
    hub.publish('events/door', { message: 'Front door opened' });
    hub.publish('events/battery', { message: 'Door sensor battery at 12 %' });
    const [req] = await hook.waitFor(1, '/slack', 30_000);
    expect(req!.json).toEqual({ text: 'Home today\nQuiet day: the front door opened twice, one low-battery warning.' });
    await waitUntil(() => out.length === 1, 'the digest on MQTT');
    expect(out[0]!.topic).toBe('digests/evening-digest');
    expect(out[0]!.payload).toMatchObject({ count: 3, topics: { 'events/door': 2, 'events/battery': 1 }, llm: true, title: 'Home today' });
    expect(lastUserText(hub.llmServer!.lastRequest('openai')!.body)).toMatch(/events\/battery: Door sensor battery at 12 %/);
    const after = await waitUntil(async () => {
      const s = await hub.system.ask<Json>('evening-digest', { action: 'status' });
      return s.count === 0 && s.next_at !== status.next_at && s;
    }, 'a new day');
    expect(after.next_at - status.next_at).toBeCloseTo(86_400, -2);
  });

  test('daily-digest falls back to the plain list when the LLM fails', async ({ hub }) => {
    hub.llmServer!.script('openai', [{ kind: 'error', status: 500, message: 'model overloaded' }]);
    await hub.catalog.spawn('daily-digest', { name: 'plain-digest', config: { topics: ['plain/#'], at: '03:00', timezone: 'UTC' } }, 'user');
    hub.publish('plain/a', { message: 'one' });
    hub.publish('plain/b', 'two');
    hub.publish('plain/a', { message: 'three' });
    await waitUntil(async () => (await hub.system.ask<Json>('plain-digest', { action: 'status' })).count === 3, 'three events');
    const d = await hub.system.ask<Json>('plain-digest', { action: 'digest' }, 60_000);
    expect(d.llm).toBe(false);
    expect(d.digest).toMatch(/^Daily digest: 3 events on 2 topics\n• plain\/a \(2\): last at \d\d:\d\d — three\n• plain\/b \(1\): last at \d\d:\d\d — two$/);
    expect((await hub.system.ask<Json>('plain-digest', { action: 'digest' })).reason).toBe('no events today');
  });
});
