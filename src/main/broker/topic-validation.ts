/**
 * MQTT topic rules (MQTT 3.1.1 §4.7), checked before anything reaches a broker: a bad topic
 * from generated agent code must be a clear error for that caller, not a broker-side surprise.
 */

/** Brokers cap topic depth; aedes rejects more than 100 levels (its matcher would throw). */
const MAX_TOPIC_LEVELS = 100;
/** MQTT's UTF-8 string limit. */
const MAX_TOPIC_BYTES = 65_535;

export class TopicError extends Error {
  override name = 'TopicError';
}

function checkCommon(topic: string, what: string): void {
  if (typeof topic !== 'string' || topic.length === 0) throw new TopicError(`${what} must be a non-empty string`);
  if (topic.includes('\u0000')) throw new TopicError(`${what} "${topic}" contains a NUL character`);
  if (Buffer.byteLength(topic) > MAX_TOPIC_BYTES) throw new TopicError(`${what} is longer than ${MAX_TOPIC_BYTES} bytes`);
}

function levelCount(topic: string): number {
  let n = 1;
  for (let i = 0; i < topic.length; i++) if (topic.charCodeAt(i) === 47 /* / */) n++;
  return n;
}

/** Throws a TopicError unless `topic` is a valid topic to publish to (no wildcards). */
export function assertPublishTopic(topic: string): void {
  checkCommon(topic, 'topic');
  if (topic.includes('+') || topic.includes('#')) {
    throw new TopicError(`cannot publish to "${topic}": wildcards (+, #) are only allowed in subscriptions`);
  }
  if (levelCount(topic) > MAX_TOPIC_LEVELS) throw new TopicError(`topic "${topic}" has more than ${MAX_TOPIC_LEVELS} levels`);
}

/** Throws a TopicError unless `pattern` is a valid subscription filter. */
export function assertTopicFilter(pattern: string): void {
  checkCommon(pattern, 'subscription pattern');
  const levels = pattern.split('/');
  if (levels.length > MAX_TOPIC_LEVELS) throw new TopicError(`pattern "${pattern}" has more than ${MAX_TOPIC_LEVELS} levels`);
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level.includes('#') && (level !== '#' || i !== levels.length - 1)) {
      throw new TopicError(`invalid pattern "${pattern}": # must be a whole level and the last one`);
    }
    if (level.includes('+') && level !== '+') {
      throw new TopicError(`invalid pattern "${pattern}": + must be a whole level`);
    }
  }
}

/** [MQTT-4.7.2-1]: a filter starting with a wildcard does not match topics starting with `$` ($SYS/…). */
export function wildcardSkipsTopic(pattern: string, topic: string): boolean {
  const first = pattern.charCodeAt(0);
  return (first === 43 /* + */ || first === 35) /* # */ && topic.charCodeAt(0) === 36 /* $ */;
}
