import { describe, expect, it } from 'vitest';
import { applyMention, mentionAt, mentionCandidates } from './mention.js';

describe('mentionAt', () => {
  it('finds the mention being typed at the caret', () => {
    expect(mentionAt('@we', 3)).toEqual({ start: 0, query: 'we' });
    expect(mentionAt('hi @', 4)).toEqual({ start: 3, query: '' });
    expect(mentionAt('ask @temp_se now', 12)).toEqual({ start: 4, query: 'temp_se' });
  });

  it('ignores e-mail addresses and finished mentions', () => {
    expect(mentionAt('mail a@b', 8)).toBeNull();
    expect(mentionAt('@main hello', 11)).toBeNull();
  });
});

describe('mentionCandidates', () => {
  it('ranks prefix matches before substring matches', () => {
    expect(mentionCandidates(['weather', 'main', 'home-weather', 'monitor'], 'we')).toEqual(['weather', 'home-weather']);
    expect(mentionCandidates(['b', 'a', 'c'], '')).toEqual(['a', 'b', 'c']);
  });
});

describe('applyMention', () => {
  it('replaces the partial name and puts the caret after it', () => {
    const r = applyMention('ask @we now', { start: 4, query: 'we' }, 7, 'weather');
    expect(r).toEqual({ text: 'ask @weather now', caret: 13 });
  });
});
