// @ts-check
/**
 * Runs INSIDE the QuickJS engine, called once by guest-prelude.mjs while it builds `agent` (before
 * the agent's code runs): the parts of the original Wactorz's agent API that are more than a name —
 * its StreamWindow statistics on `agent.window`'s samples, and its LLM shims (`agent.chat`,
 * `complete`, `ask_llm`/`askLlm`, `agent.llm.converse`, and `llm.chat`/`llm.complete` taking the
 * original's arguments). Every LLM call here goes through the prelude's `request('llm.chat' |
 * 'llm.complete')`, the same two bridge calls as `agent.llm`, so the host's budget, billing and
 * refusals cover the shims without a line of their own.
 *
 * Self-contained like the prelude (serialised with Function.prototype.toString, and compiled inside
 * the engine only when the agent first uses one of its calls): it uses only its argument, and the
 * built-ins in it are the prelude's, taken before the agent's code could replace them.
 */

/**
 * The built-ins this file relies on, taken by the prelude before the agent's code runs: the file is
 * compiled only when an agent first uses one of its calls, by then the agent may have replaced them.
 * @typedef {{
 *   stringify: typeof JSON.stringify, apply: typeof Reflect.apply, promiseThen: typeof Promise.prototype.then,
 *   promiseResolve: (v: unknown) => Promise<unknown>, isArray: typeof Array.isArray, hasOwn: typeof Object.prototype.hasOwnProperty,
 *   arrayValues: typeof Array.prototype.values, defineProperties: typeof Object.defineProperties, entriesOf: typeof Object.entries,
 *   isFiniteNumber: typeof Number.isFinite, mathMin: typeof Math.min, mathMax: typeof Math.max, dateNow: typeof Date.now,
 * }} ExtrasBuiltins
 */

/**
 * @param {{
 *   request: (method: string, args: unknown[]) => Promise<unknown>,
 *   setTimer: (fn: unknown, ms: unknown, args: any[], repeat: boolean) => number,
 *   clearTimer: (id: unknown) => void,
 *   seconds: (v: unknown, dflt: number, what: string) => number,
 *   str: (v: unknown, what: string) => string,
 *   text: (v: unknown) => string,
 *   getState: () => Record<string, any>,
 *   builtins: ExtrasBuiltins,
 * }} d the prelude's helpers, and the built-ins this file uses as the prelude took them
 */
export function guestOriginalExtras(d) {
  'use strict';
  const { request, setTimer, clearTimer, seconds, str, text, getState } = d;
  const { stringify, apply, promiseThen, promiseResolve, isArray, hasOwn, arrayValues, defineProperties, entriesOf, isFiniteNumber, mathMin, mathMax, dateNow } = d.builtins;
  /** @param {unknown} p @param {(v: any) => void} ok @param {(e: any) => void} fail */
  const onSettle = (p, ok, fail) => apply(promiseThen, promiseResolve(p), [ok, fail]);

  /**
   * The original's StreamWindow on the samples `window` answered: the array stays (code that
   * iterates the samples keeps working) and gains the original's statistics as methods —
   * non-enumerable, so JSON and `Object.keys` see only the samples. Each method looks at the samples
   * still inside the window *now* (as the original trimmed on every call); a value is a field of a
   * JSON-object payload, or the payload itself under `value`. `values(key)` needs its key: without
   * one it is the array's own iterator.
   * @param {string} topic @param {number} windowSeconds @param {any} answered
   */
  const streamWindow = (topic, windowSeconds, answered) => {
    /** @type {any[]} */
    const samples = isArray(answered) ? answered : [];
    /** The original's entries: the payload's fields (or `value`) plus `_ts`, within the window. @param {number} [secs] */
    const entries = (secs = windowSeconds) => {
      const since = dateNow() / 1000 - secs;
      /** @type {Record<string, any>[]} */
      const out = [];
      for (const s of samples) {
        if (!s || !(s.timestamp >= since)) continue;
        const p = s.payload;
        out[out.length] = p !== null && typeof p === 'object' && !isArray(p) ? { ...p, _ts: s.timestamp } : { value: p, _ts: s.timestamp };
      }
      return out;
    };
    /** @param {unknown} key */
    const field = (key) => (key === undefined || key === null ? 'value' : String(key));
    /** @param {unknown} key */
    const valuesOf = (key) => {
      const k = field(key);
      return entries()
        .filter((e) => apply(hasOwn, e, [k]))
        .map((e) => e[k]);
    };
    /** @param {unknown} key @returns {number[]} */
    const numbers = (key) => valuesOf(key).filter((v) => typeof v === 'number' && isFiniteNumber(v));
    /** @param {unknown} v @param {number} dflt */
    const num = (v, dflt) => (typeof v === 'number' && isFiniteNumber(v) ? v : dflt);
    /** @param {unknown} a @param {unknown} b */
    const same = (a, b) => a === b || (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && stringify(a) === stringify(b));
    const stats = {
      /** @param {unknown} [key] */
      values(key) {
        return key === undefined ? apply(arrayValues, samples, []) : valuesOf(key);
      },
      latest() {
        const all = entries();
        return all.length ? all[all.length - 1] : null;
      },
      count: () => entries().length,
      /** @param {unknown} [key] */
      mean(key) {
        const v = numbers(key);
        return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
      },
      /** @param {unknown} [key] */
      min(key) {
        const v = numbers(key);
        return v.length ? mathMin(...v) : null;
      },
      /** @param {unknown} [key] */
      max(key) {
        const v = numbers(key);
        return v.length ? mathMax(...v) : null;
      },
      /** @param {unknown} [key] @param {unknown} [threshold] */
      rising(key, threshold) {
        const v = numbers(key);
        return v.length >= 2 && v[v.length - 1] - v[0] >= num(threshold, 1);
      },
      /** @param {unknown} [key] @param {unknown} [threshold] */
      falling(key, threshold) {
        const v = numbers(key);
        return v.length >= 2 && v[0] - v[v.length - 1] >= num(threshold, 1);
      },
      /** @param {unknown} [key] @param {unknown} [tolerance] */
      stable(key, tolerance) {
        const v = numbers(key);
        return v.length < 2 || mathMax(...v) - mathMin(...v) <= num(tolerance, 0.5);
      },
      /** @param {unknown} secs */
      absentFor(secs) {
        const all = entries();
        return all.length === 0 || dateNow() / 1000 - all[all.length - 1]._ts >= seconds(secs, 0, 'seconds');
      },
      /** @param {unknown} [key] @param {unknown} [value] @param {unknown} [secs] */
      eventCount(key, value, secs) {
        const k = key === undefined || key === null ? null : String(key);
        return entries(secs === undefined || secs === null || secs === 0 ? windowSeconds : seconds(secs, windowSeconds, 'seconds')).filter(
          (e) => k === null || (apply(hasOwn, e, [k]) && (value === undefined || value === null || same(e[k], value))),
        ).length;
      },
    };
    /** @type {Record<string, PropertyDescriptor>} */
    const props = { topic: { value: topic }, seconds: { value: windowSeconds }, samples: { value: samples } };
    for (const [k, fn] of entriesOf(stats)) props[k] = { value: fn };
    props.absent_for = { value: stats.absentFor };
    props.event_count = { value: stats.eventCount };
    return defineProperties(samples, props);
  };

  /** The bounds of `agent.llm.converse`'s history in `agent.getState()._chat_history`: messages, and characters in all. */
  const CONVERSE_MAX_MESSAGES = 40;
  const CONVERSE_MAX_CHARS = 32_000;
  /** The original's `system` string, or our options object. @param {unknown} options */
  const llmOptions = (options) => (typeof options === 'string' ? (options ? { system: options } : {}) : options ?? {});
  /** @param {unknown} messages @param {unknown} options */
  const llmChat = (messages, options) =>
    request('llm.chat', [typeof messages === 'string' ? [{ role: 'user', content: messages }] : messages, llmOptions(options)]);
  /** A list of messages is the original's multi-turn `complete`. @param {unknown} prompt @param {unknown} system */
  const llmComplete = (prompt, system) => {
    if (isArray(prompt)) return llmChat(prompt, system);
    const sys = /** @type {any} */ (llmOptions(system)).system;
    return request('llm.complete', [str(prompt, 'prompt'), sys === undefined || sys === '' ? null : sys]);
  };
  /**
   * The original's shims' `timeout` (seconds, default 60): past it they answer '' (its word for
   * "no answer in time"); the call itself is not undone.
   * @param {Promise<unknown>} call @param {unknown} timeoutSeconds
   */
  const within = (call, timeoutSeconds) => {
    const ms = seconds(timeoutSeconds, 60, 'timeout') * 1000;
    return new Promise((resolve, reject) => {
      const timer = setTimer(resolve, ms, [''], false);
      onSettle(
        call,
        (v) => {
          clearTimer(timer);
          resolve(v);
        },
        (e) => {
          clearTimer(timer);
          reject(e);
        },
      );
    });
  };
  /**
   * The original's stateful chat: its history is `agent.getState()._chat_history` (where the original
   * kept it), so it survives restarts, hot-swaps and moves with the rest of the state and the agent
   * can read or clear it. Bounded (the oldest exchanges go first) so the state saved after every
   * call and the prompt stay small. A turn joins the history only once answered.
   * @param {unknown} message @param {unknown} options
   */
  const converse = (message, options) => {
    const turn = { role: 'user', content: str(message, 'message') };
    /** The valid turns of `agent.state._chat_history` now (the agent may have changed or cleared it). */
    const history = () => {
      const kept = getState()._chat_history;
      return isArray(kept) ? kept.filter((/** @type {any} */ m) => m && (m.role === 'user' || m.role === 'assistant') && typeof m.content === 'string') : [];
    };
    return apply(promiseThen, llmChat([...history(), turn], options), [
      (/** @type {unknown} */ reply) => {
        // Appended to the history as it is now: two conversations in flight both keep their exchange.
        const next = [...history(), turn, { role: 'assistant', content: typeof reply === 'string' ? reply : text(reply) }];
        let chars = next.reduce((n, m) => n + m.content.length, 0);
        while (next.length > 2 && (next.length > CONVERSE_MAX_MESSAGES || chars > CONVERSE_MAX_CHARS)) {
          for (const m of next.splice(0, 2)) chars -= m.content.length;
        }
        getState()._chat_history = next;
        return reply;
      },
    ]);
  };
  /**
   * The original's LLM shims on the `agent` object, on the same two bridge calls as `agent.llm`
   * (so the same budget, billing and refusals): `chat`/`complete` (messages or a prompt, system,
   * timeout) and `ask_llm` (a prompt, system, timeout).
   */
  const llmShims = {
    chat: (/** @type {unknown} */ messages, /** @type {unknown} */ system, /** @type {unknown} */ timeoutSeconds) => within(llmChat(messages, system), timeoutSeconds),
    complete: (/** @type {unknown} */ messages, /** @type {unknown} */ system, /** @type {unknown} */ timeoutSeconds) => within(llmChat(messages, system), timeoutSeconds),
    askLlm: (/** @type {unknown} */ prompt, /** @type {unknown} */ system, /** @type {unknown} */ timeoutSeconds) => within(llmComplete(str(prompt, 'prompt'), system), timeoutSeconds),
  };

  return {
    streamWindow,
    llm: { chat: llmChat, complete: llmComplete, converse },
    shims: llmShims,
  };
}
