import { describe, expect, it } from 'vitest';
import { parseClassification } from './intent.js';

const intent = (raw: string) => parseClassification(raw).intent;

describe('parseClassification', () => {
  it('reads the JSON it asked for, with facts', () => {
    expect(parseClassification('{"intent":"HA","facts":{"kitchen lamp":"light.wiz_kitchen"}}')).toEqual({
      intent: 'HA',
      facts: [{ key: 'kitchen lamp', value: 'light.wiz_kitchen', source: 'llm' }],
      understood: true,
    });
    expect(parseClassification('```json\n{"category": "pipeline", "facts": []}\n```')).toMatchObject({ intent: 'PIPELINE', facts: [] });
    expect(intent('Sure! {"intent": "home_assistant"}')).toBe('HA');
  });

  it('is lenient with sloppy answers', () => {
    expect(intent('HA.')).toBe('HA');
    expect(intent('ha')).toBe('HA');
    expect(intent('intent: pipeline')).toBe('PIPELINE');
    expect(intent('**OTHER**')).toBe('OTHER');
    expect(intent('The user wants Home Assistant to do this.')).toBe('HA');
    expect(intent('PIPELINE (the user wants a notification whenever the door opens)')).toBe('PIPELINE');
  });

  it('falls back to OTHER when it cannot tell', () => {
    expect(parseClassification('I am not sure what you mean.')).toEqual({ intent: 'OTHER', facts: [], understood: false });
    expect(parseClassification('')).toMatchObject({ intent: 'OTHER', understood: false });
    expect(intent('Ha, that is a funny question')).toBe('OTHER'); // "Ha" as a laugh is not an intent
    expect(intent('HA or PIPELINE, hard to say')).toBe('HA'); // the leading word decides
    expect(intent('could be HA, could be PIPELINE')).toBe('OTHER'); // two candidates, none leading
    expect(parseClassification('{"intent": 42, "facts": {"name": "Ada"}}')).toMatchObject({ intent: 'OTHER', facts: [{ key: 'name', value: 'Ada' }], understood: false });
  });
});
