/** Which chat messages main hands to the agent writer. */
import { describe, expect, it } from 'vitest';
import { wantsAgent } from './main-hooks.js';

describe('wantsAgent', () => {
  it('recognises requests for a new agent', () => {
    for (const text of [
      'Create an agent that doubles numbers',
      'can you make me a bot which posts the weather every morning?',
      'build a temperature alert agent for the greenhouse',
      'Please set up a new agent that watches my front door',
      'write another agent like the last one',
      'spawn an RSS agent',
    ]) {
      expect(wantsAgent(text), text).toBe(true);
    }
  });

  it('leaves other messages to the conversation', () => {
    for (const text of [
      'make the agent faster',
      'write a poem about agents',
      'what agents are running?',
      'create a shopping list for me',
      'add a note to my agent',
      'tell me about secret agents in movies',
    ]) {
      expect(wantsAgent(text), text).toBe(false);
    }
  });
});
