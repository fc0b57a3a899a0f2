// @ts-check
/**
 * Runs INSIDE the QuickJS engine (the worker evaluates `(${guestPrelude})(meta, extrasSource)`), before the
 * agent's module. It builds the `agent` object, `console` and timers on top of four raw host
 * functions that the worker installed as globals, removes those globals, and returns the
 * dispatcher the worker drives (call, settle, deliver, fire, snapshot).
 *
 * Everything crossing to the host is a JSON string: no object of the host ever enters the engine,
 * so there is no host prototype chain to climb.
 *
 * It must stay self-contained (it is serialised with Function.prototype.toString).
 */

/**
 * @param {string} metaJson
 * @param {string} extrasSource guest-original-extras.mjs's function as source (the original's StreamWindow and LLM shims, and `agent.llm`), compiled on first use
 */
export function guestPrelude(metaJson, extrasSource) {
  'use strict';
  const g = /** @type {any} */ (globalThis);
  /** @type {(method: string, argsJson: string) => void} */
  const hostSend = g.__wzSend;
  /** @type {(method: string, argsJson: string) => number} */
  const hostCall = g.__wzCall;
  /** @type {(op: string, id: number, ms: number) => void} */
  const hostTimer = g.__wzTimer;
  // The clock the batch loop yields by (taken before the agent's code could replace Date.now; an
  // agent that breaks its own clock only overruns its slices and is moved out).
  const dateNow = Date.now;
  /** When the current turn should start no new call (ms since the epoch; Infinity: never). */
  let yieldAt = Infinity;
  /** Calls of a batch one turn starts at most, and how many it has started (the results of a long batch go out as they come). */
  let mostThisTurn = Infinity;
  let startedThisTurn = 0;
  // The built-ins this protocol relies on, taken before the agent's code can replace them (an agent
  // that overwrites JSON or Array.prototype breaks only itself — not the way its answers travel).
  const stringify = JSON.stringify;
  const parse = JSON.parse;
  const apply = Reflect.apply;
  const promiseThen = Promise.prototype.then;
  const callThen = Function.prototype.call.bind(promiseThen);
  const joinList = Function.prototype.call.bind(Array.prototype.join);
  const promiseResolve = Promise.resolve.bind(Promise);
  const promiseReject = Promise.reject.bind(Promise);
  const promiseAll = Promise.all.bind(Promise);
  const NativePromise = Promise;
  const isArray = Array.isArray;
  const dict = () => Object.create(null);
  // What the extras use, taken now (they are compiled when first used, perhaps after the agent's
  // code replaced a built-in), and the global eval that compiles them.
  const compileGlobal = g.eval;
  /** @type {import('./guest-original-extras.mjs').ExtrasBuiltins} */
  const extrasBuiltins = {
    stringify,
    apply,
    promiseThen,
    promiseResolve,
    isArray,
    hasOwn: Object.prototype.hasOwnProperty,
    arrayValues: Array.prototype.values,
    defineProperties: Object.defineProperties,
    entriesOf: Object.entries,
    isFiniteNumber: Number.isFinite,
    mathMin: Math.min,
    mathMax: Math.max,
    dateNow,
  };
  /**
   * Runs `ok`/`fail` when `p` settles. A native promise (what an async handler returns) takes the
   * callbacks straight — Promise.resolve(p) would hand back that same promise, one call dearer
   * (≈ 1.5 µs a task); anything else is adopted as Promise.resolve would.
   * @param {unknown} p @param {(v: any) => void} ok @param {(e: any) => void} fail
   */
  const onSettle = (p, ok, fail) => {
    if (p instanceof NativePromise) {
      try {
        return callThen(p, ok, fail);
      } catch {
        // Not a promise after all (a faked prototype chain): adopted below.
      }
    }
    return apply(promiseThen, promiseResolve(p), [ok, fail]);
  };
  /**
   * Calls settled since the last collect(), as three columns: their ids (`5,6,7`), their statuses
   * (one digit each: 1 value, 2 undefined, 0 error) and their values (an error as {name, message,
   * stack}). Only the values are serialised, once per batch in collect(): a [id, status, value]
   * triple per call cost twice the stringify.
   */
  /** @type {number[]} */
  const resultIds = [];
  /** @type {number[]} */
  const resultStatus = [];
  /** @type {unknown[]} */
  const resultValues = [];
  /** @param {number} id @param {number} status @param {unknown} value */
  const hostDone = (id, status, value) => {
    const n = resultValues.length;
    resultIds[n] = id;
    resultStatus[n] = status;
    resultValues[n] = value;
  };
  /** The batch of calls being started, and how far: an interrupted call must not drop the ones after it. */
  /** @type {any[] | null} */
  let batch = null;
  let batchIndex = 0;
  /** A run (callRun): the batch holds only payloads, of handleTask calls numbered from this id; 0: [id, hook, payload] triples. */
  let runFirst = 0;
  let running = 0;
  /**
   * The handleTask calls of a run are watched by one async loop per part of the run (watchInOrder)
   * that awaits their results in order, instead of a then() per call: then() makes a promise, its
   * resolving functions and our two callbacks for every call, an await only its own two (the engine
   * alone, same-process A/B: see docs/dynamic-agent-isolation.md). A result still pending when the
   * turn ends (its handler waits on the host) would hold up the ones after it, so drain() hands the
   * loop's unreported calls, from the one it waits on, to then() (reportWhenSettled).
   * @typedef {{ ids: number[], results: unknown[], at: number, from: number, done: boolean }} Watch
   */
  /** @type {Watch[]} */
  let watches = [];
  /** The run's calls started in this part (watched when the part ends). */
  /** @type {number[]} */
  let partIds = [];
  /** @type {unknown[]} */
  let partResults = [];
  delete g.__wzSend;
  delete g.__wzCall;
  delete g.__wzTimer;

  const meta = parse(metaJson);
  /** Null-prototype dictionaries: nothing an agent does to Object.prototype or Map reaches them. */
  /** @type {Record<number, {resolve: (v: any) => void, reject: (e: any) => void}>} */
  const pending = dict();
  /** @type {Record<number, Function>} */
  const subs = dict();
  /** @type {Record<number, {fn: Function, args: any[], repeat: boolean, ms: number}>} */
  const timers = dict();
  let nextSub = 1;
  let nextTimer = 1;
  /** @type {Record<string, Function | undefined>} */
  let hooks = dict();
  let state = meta.state && typeof meta.state === 'object' ? meta.state : {};
  let interval = meta.interval;
  let lastSnapshot = stringify([state, interval]);

  /** @param {unknown} v */
  const text = (v) => {
    if (typeof v === 'string') return v;
    if (v instanceof Error) return v.stack ? `${v.name}: ${v.message}\n${v.stack}` : `${v.name}: ${v.message}`;
    try {
      const s = stringify(v);
      return s === undefined ? String(v) : s;
    } catch {
      return String(v);
    }
  };
  /** @param {unknown} e */
  const errorObject = (e) =>
    e instanceof Error ? { name: e.name, message: e.message, stack: e.stack || '' } : { name: 'Error', message: `non-Error thrown: ${text(e)}`, stack: '' };
  /** @param {string} method @param {unknown[]} args */
  const request = (method, args) =>
    new Promise((resolve, reject) => {
      const id = hostCall(method, stringify(args));
      pending[id] = { resolve, reject };
    });
  /** @param {string} where @param {unknown} e */
  const report = (where, e) => hostSend('log', stringify(['error', `${where} failed: ${text(e)}`]));
  /** @param {unknown} v @param {string} what */
  const str = (v, what) => {
    if (typeof v !== 'string' || v === '') throw new TypeError(`${what} must be a non-empty string`);
    return v;
  };
  /** @param {unknown} v @param {number} dflt @param {string} what */
  const seconds = (v, dflt, what) => {
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'number' || !(v >= 0)) throw new TypeError(`${what} must be a number of seconds`);
    return v;
  };

  const setTimer = (/** @type {unknown} */ fn, /** @type {unknown} */ ms, /** @type {any[]} */ args, /** @type {boolean} */ repeat) => {
    if (typeof fn !== 'function') throw new TypeError('the timer callback must be a function');
    const delay = Math.max(repeat ? 1 : 0, Number(ms) || 0);
    const id = nextTimer++;
    timers[id] = { fn, args, repeat, ms: delay };
    hostTimer('set', id, delay);
    return id;
  };
  const clearTimer = (/** @type {unknown} */ id) => {
    if (typeof id === 'number' && timers[id]) {
      delete timers[id];
      hostTimer('clear', id, 0);
    }
  };
  g.setTimeout = (/** @type {unknown} */ fn, /** @type {unknown} */ ms, /** @type {any[]} */ ...args) => setTimer(fn, ms, args, false);
  g.setInterval = (/** @type {unknown} */ fn, /** @type {unknown} */ ms, /** @type {any[]} */ ...args) => setTimer(fn, ms, args, true);
  g.clearTimeout = clearTimer;
  g.clearInterval = clearTimer;
  g.queueMicrotask = (/** @type {() => void} */ fn) => {
    Promise.resolve().then(fn).then(undefined, (e) => report('queueMicrotask callback', e));
  };
  /** @param {string} level */
  const consoleMethod = (level) => (/** @type {unknown[]} */ ...args) => hostSend('log', stringify([level, args.map(text).join(' ')]));
  g.console = Object.freeze({
    log: consoleMethod('info'),
    info: consoleMethod('info'),
    debug: consoleMethod('debug'),
    warn: consoleMethod('warning'),
    error: consoleMethod('error'),
  });

  /** @param {{status: number, statusText: string, headers: Record<string,string>, body: string, url: string}} r */
  const response = (r) =>
    Object.freeze({
      ok: r.status >= 200 && r.status < 300,
      status: r.status,
      statusText: r.statusText,
      url: r.url,
      headers: Object.freeze({ ...r.headers }),
      text: () => Promise.resolve(r.body),
      json: () => Promise.resolve().then(() => parse(r.body)),
    });

  /** @param {string} topic @param {unknown} payload @param {unknown} [options] */
  const publishTo = (topic, payload, options) => hostSend('publish', stringify([topic, payload === undefined ? null : payload, options ?? {}]));
  /** This agent's own `agents/{id}/{kind}` topic. @param {string} kind */
  const ownTopic = (kind) => `agents/${meta.actorId}/${kind}`;
  /** @param {unknown} name @param {unknown} payload @param {unknown} timeoutSeconds */
  const sendTo = (name, payload, timeoutSeconds) => request('sendTo', [str(name, 'name'), payload === undefined ? null : payload, seconds(timeoutSeconds, 60, 'timeout')]);
  /** A failed task of sendToMany, in its place: `{error, kind}`. @param {any} e */
  const failure = (e) => ({ error: e instanceof Error ? e.message : text(e), ...(e && typeof e.kind === 'string' ? { kind: e.kind } : {}) });

  /**
   * The original's extras (guest-original-extras.mjs: StreamWindow, the LLM shims, `agent.llm`),
   * compiled the first time the agent uses one: compiled with the prelude they cost every engine
   * 12–15 % of its boot and load and ~100 KB of memory (same-process A/B), and most agents never
   * call them.
   * @type {ReturnType<typeof import('./guest-original-extras.mjs').guestOriginalExtras> | undefined}
   */
  let extrasMade;
  const extras = () => {
    if (!extrasMade) extrasMade = compileGlobal(`(${extrasSource})`)({ request, setTimer, clearTimer, seconds, str, text, getState: () => state, builtins: extrasBuiltins });
    return /** @type {NonNullable<typeof extrasMade>} */ (extrasMade);
  };
  /** The shims by name, each compiling the extras on its first call. */
  const shim = (/** @type {'chat' | 'complete' | 'askLlm'} */ name) => (/** @type {unknown} */ a, /** @type {unknown} */ b, /** @type {unknown} */ c) => extras().shims[name](a, b, c);
  const llmCall = (/** @type {'chat' | 'complete' | 'converse'} */ name) => (/** @type {any} */ a, /** @type {any} */ b) => extras().llm[name](a, b);
  const askLlm = shim('askLlm'); // one function under both of its names
  /**
   * The original's API beside ours (publish_result, world state, send_to_many, declare_contract…):
   * publishes go through `publish` (the host checks every topic), reads through `mqttGet`, tasks
   * through `sendTo`, so nothing here reaches further than those.
   */
  const originalApi = {
    publishResult(/** @type {unknown} */ data) {
      publishTo(ownTopic('result'), data);
    },
    publishDetection(/** @type {unknown} */ data) {
      publishTo(ownTopic('detections'), data);
    },
    publishWorldState(/** @type {unknown} */ key, /** @type {unknown} */ data, retain = true) {
      publishTo(`agents/${meta.name}/data/${str(key, 'key')}`, data, { retain: retain !== false });
    },
    readWorldState(/** @type {unknown} */ topicOrAgent, /** @type {unknown} */ keyOrTimeout, /** @type {unknown} */ timeoutSeconds) {
      const byKey = typeof keyOrTimeout === 'string';
      const topic = byKey ? `agents/${str(topicOrAgent, 'agent name')}/data/${str(keyOrTimeout, 'key')}` : str(topicOrAgent, 'topic');
      return request('mqttGet', [topic, seconds(byKey ? timeoutSeconds : keyOrTimeout, 2, 'timeout')]);
    },
    sendToMany(/** @type {unknown} */ tasks, /** @type {unknown} */ timeoutSeconds) {
      if (!isArray(tasks)) throw new TypeError('agent.sendToMany(tasks): tasks must be a list of [name, payload] or {name, payload}');
      const timeout = seconds(timeoutSeconds, 60, 'timeout');
      return promiseAll(
        tasks.map((/** @type {any} */ task) => {
          let started;
          try {
            const [name, payload] = isArray(task) ? task : task && typeof task === 'object' ? [task.name ?? task.agent ?? task.to, task.payload] : [task, null];
            started = sendTo(name, payload, timeout);
          } catch (e) {
            started = promiseReject(e);
          }
          return apply(promiseThen, started, [(/** @type {unknown} */ v) => v, failure]);
        }),
      );
    },
    delegate: sendTo,
    declareContract(/** @type {unknown} */ contract, /** @type {unknown[]} */ ...rest) {
      // The original's positional form: (publishes, subscribes, triggers_when, produces_schema, consumes_schema).
      const c = isArray(contract) || (contract == null && rest.length)
        ? { publishes: contract ?? undefined, subscribes: rest[0], triggers_when: rest[1], produces_schema: rest[2], consumes_schema: rest[3] }
        : contract ?? {};
      return request('declareContract', [c]).then(() => undefined);
    },
    nodes: () => request('nodes', []),
    capabilities: (/** @type {unknown} */ keyword) => request('capabilities', [keyword == null ? '' : String(keyword)]),
    notifyUser(/** @type {unknown} */ message, /** @type {unknown} */ extra) {
      const more = extra && typeof extra === 'object' && !isArray(extra) ? extra : {};
      publishTo(ownTopic('chat'), { ...more, from: meta.name, to: 'user', content: text(message), timestamp: dateNow() / 1000 });
    },
  };

  const agent = {
    name: meta.name,
    actorId: meta.actorId,
    env: Object.freeze({ ...meta.env }),
    get state() {
      return state;
    },
    set state(v) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError('agent.state must be a plain object');
      state = v;
    },
    get interval() {
      return interval;
    },
    set interval(v) {
      if (typeof v !== 'number' || !(v > 0)) throw new TypeError('agent.interval must be a positive number of seconds');
      interval = v;
    },
    log(/** @type {unknown} */ message, level = 'info') {
      hostSend('log', stringify([level, text(message)]));
    },
    alert(/** @type {unknown} */ message, severity = 'warning') {
      hostSend('alert', stringify([text(message), severity]));
    },
    publish(/** @type {unknown} */ topic, /** @type {unknown} */ payload, /** @type {unknown} */ options) {
      hostSend('publish', stringify([str(topic, 'topic'), payload === undefined ? null : payload, options ?? {}]));
    },
    subscribe(/** @type {unknown} */ pattern, /** @type {unknown} */ callback) {
      str(pattern, 'pattern');
      if (typeof callback !== 'function') throw new TypeError('agent.subscribe(pattern, callback): callback must be a function');
      const id = nextSub++;
      subs[id] = callback;
      hostSend('subscribe', stringify([id, pattern]));
      return () => {
        if (!subs[id]) return;
        delete subs[id];
        hostSend('unsubscribe', stringify([id]));
      };
    },
    sendTo,
    mqttGet(/** @type {unknown} */ topic, /** @type {unknown} */ timeoutSeconds) {
      return request('mqttGet', [str(topic, 'topic'), seconds(timeoutSeconds, 10, 'timeout')]);
    },
    window(/** @type {unknown} */ topic, /** @type {unknown} */ windowSeconds) {
      const t = str(topic, 'topic');
      const secs = seconds(windowSeconds, 300, 'seconds'); // the original's default
      return apply(promiseThen, request('window', [t, secs]), [(/** @type {unknown} */ samples) => extras().streamWindow(t, secs, samples)]);
    },
    persist(/** @type {unknown} */ key, /** @type {unknown} */ value) {
      return request('persist', [str(key, 'key'), value === undefined ? null : value]).then(() => undefined);
    },
    recall(/** @type {unknown} */ key) {
      return request('recall', [str(key, 'key')]).then((v) => (v === null ? undefined : v));
    },
    llm: Object.freeze({ chat: llmCall('chat'), complete: llmCall('complete'), converse: llmCall('converse') }),
    agents: () => request('agents', []),
    topics: () => request('topics', []),
    fetch(/** @type {unknown} */ url, /** @type {unknown} */ init) {
      return request('fetch', [str(String(url), 'url'), init ?? {}]).then((r) => response(/** @type {any} */ (r)));
    },
    sleep(/** @type {unknown} */ s) {
      const ms = seconds(s, 0, 'seconds') * 1000;
      return new Promise((resolve) => setTimer(resolve, ms, [], false));
    },
    ...originalApi,
    chat: shim('chat'),
    complete: shim('complete'),
    askLlm,
    // The original's snake_case names, beside ours.
    actor_id: meta.actorId,
    send_to: sendTo,
    send_to_many: originalApi.sendToMany,
    publish_result: originalApi.publishResult,
    publish_detection: originalApi.publishDetection,
    publish_world_state: originalApi.publishWorldState,
    read_world_state: originalApi.readWorldState,
    declare_contract: originalApi.declareContract,
    notify_user: originalApi.notifyUser,
    ask_llm: askLlm,
  };
  /** @type {any} */ (agent).mqtt_get = agent.mqttGet;

  /** Reports call `callId` when `result` (a promise, a thenable or a value) settles. @param {number} callId @param {unknown} result */
  const reportWhenSettled = (callId, result) =>
    onSettle(
      result,
      (v) => hostDone(callId, v === undefined ? 2 : 1, v === undefined ? 0 : v),
      (e) => hostDone(callId, 0, errorObject(e)),
    );

  /** What callHook returns for a call it already reported. */
  const none = {};
  /**
   * Calls hook `fn`; returns what it returned (a throw as a rejected promise), or `none` when the
   * agent has no such hook (then the call is already reported).
   * @param {number} callId @param {string} fn @param {unknown} payload
   */
  const callHook = (callId, fn, payload) => {
    const hook = hooks[fn];
    if (!hook) {
      if (fn === 'handleTask') hostDone(callId, 0, { name: 'Error', message: 'this agent has no handleTask: it does not take tasks', stack: '' });
      else hostDone(callId, 2, 0);
      return none;
    }
    try {
      return fn === 'handleTask' ? hook(agent, payload) : hook(agent);
    } catch (e) {
      return promiseReject(e);
    }
  };

  /** @param {number} callId @param {string} fn @param {unknown} payload */
  const startCall = (callId, fn, payload) => {
    const result = callHook(callId, fn, payload);
    if (result !== none) reportWhenSettled(callId, result);
  };

  /** Awaits the results of a part of a run in order and reports each, until done or handed off (`from`). @param {Watch} w */
  const watchInOrder = async (w) => {
    for (let i = 0; i < w.ids.length; i++) {
      w.at = i;
      let value;
      let ok = true;
      try {
        value = await w.results[i];
      } catch (e) {
        value = e;
        ok = false;
      }
      if (i >= w.from) return;
      if (ok) hostDone(w.ids[i], value === undefined ? 2 : 1, value === undefined ? 0 : value);
      else hostDone(w.ids[i], 0, errorObject(value));
    }
    w.done = true;
  };

  /** The run's calls started so far in this part go to a loop of their own. */
  const watchPart = () => {
    if (partIds.length === 0) return;
    const w = { ids: partIds, results: partResults, at: 0, from: Infinity, done: false };
    partIds = [];
    partResults = [];
    watches[watches.length] = w;
    watchInOrder(w);
  };

  /** End of a turn: what a loop has not reported yet, from the call it waits on, is reported by then() instead. */
  const handOff = () => {
    for (let k = 0; k < watches.length; k++) {
      const w = watches[k];
      if (!w || w.done) continue;
      w.from = w.at;
      for (let i = w.at; i < w.ids.length; i++) reportWhenSettled(w.ids[i], w.results[i]);
    }
    watches = [];
  };

  /** Starts calls of the batch until it is done (''), or the turn's budget or call count is used (the index reached). */
  const resumeBatch = () => {
    startedThisTurn = 0;
    while (batch && batchIndex < batch.length) {
      const c = batch[batchIndex++];
      if (runFirst) {
        running = runFirst + batchIndex - 1;
        const result = callHook(running, 'handleTask', c);
        if (result !== none) {
          partIds[partIds.length] = running;
          partResults[partResults.length] = result;
        }
      } else {
        running = c[0];
        startCall(c[0], c[1], c[2]);
      }
      running = 0;
      if (batchIndex < batch.length && (dateNow() >= yieldAt || ++startedThisTurn >= mostThisTurn)) {
        watchPart();
        return `${batchIndex}`;
      }
    }
    batch = null;
    watchPart();
    return '';
  };

  /** JSON [state, interval] when it changed since the last snapshot, else ''. */
  const snapshot = () => {
    let s;
    try {
      s = stringify([state, interval]);
    } catch (e) {
      report('saving agent.state (it must be JSON)', e);
      return '';
    }
    if (s === lastSnapshot) return '';
    lastSnapshot = s;
    return s;
  };

  return {
    /** Resolves the hooks from the module namespace; returns JSON {exports} or {error}. */
    load(/** @type {any} */ ns) {
      const pick = (/** @type {string} */ n) => {
        const v = ns[n] !== undefined ? ns[n] : ns.default && typeof ns.default === 'object' ? ns.default[n] : undefined;
        if (v !== undefined && typeof v !== 'function') throw new TypeError(`export \`${n}\` must be a function, got ${typeof v}`);
        return v;
      };
      try {
        hooks = dict();
        hooks.setup = pick('setup');
        hooks.handleTask = pick('handleTask') || pick('handle_task');
        hooks.process = pick('process');
        hooks.cleanup = pick('cleanup');
      } catch (e) {
        return stringify({ error: e instanceof Error ? e.message : String(e) });
      }
      if (!hooks.setup && !hooks.handleTask && !hooks.process) {
        return stringify({ error: 'the module must export at least one of `setup`, `handleTask` (or `handle_task`) and `process`' });
      }
      return stringify({ exports: { setup: !!hooks.setup, handleTask: !!hooks.handleTask, process: !!hooks.process, cleanup: !!hooks.cleanup } });
    },
    /** Starts a batch of calls: JSON [[callId, hook, payload?], …]. */
    callBatch(/** @type {string} */ json, /** @type {number} */ until, /** @type {number} */ most) {
      batch = parse(json);
      batchIndex = 0;
      runFirst = 0;
      yieldAt = until > 0 ? until : Infinity;
      mostThisTurn = most > 0 ? most : Infinity;
      return resumeBatch();
    },
    /**
     * Starts a run of handleTask calls numbered `first`, `first + 1`, …: JSON [payload, …] only (the
     * pipelined case; parsing the payloads alone costs a third of parsing triples).
     */
    callRun(/** @type {number} */ first, /** @type {string} */ json, /** @type {number} */ until, /** @type {number} */ most) {
      batch = parse(json);
      batchIndex = 0;
      runFirst = first;
      yieldAt = until > 0 ? until : Infinity;
      mostThisTurn = most > 0 ? most : Infinity;
      return resumeBatch();
    },
    /** Starts one call alone (the serial case): its payload ('' for none) is parsed by itself, no batch to build. */
    callOne(/** @type {number} */ id, /** @type {string} */ fn, /** @type {string} */ payloadJson) {
      running = id;
      startCall(id, fn, payloadJson === '' ? undefined : parse(payloadJson));
      running = 0;
      return '';
    },
    /** Starts the rest of the batch (after a call in it was interrupted, or in the next turn). */
    resume(/** @type {number} */ until, /** @type {number} */ most) {
      yieldAt = until > 0 ? until : Infinity;
      mostThisTurn = most > 0 ? most : Infinity;
      return resumeBatch();
    },
    /** `id,index`: the call whose synchronous part was running when the engine was interrupted (0: none), and how far the batch got. */
    interrupted() {
      const id = running;
      running = 0;
      return `${id},${batchIndex}`;
    },
    /** `ids\nstatuses\n[value, …]` of the calls settled since the last collect (see hostDone), or ''. */
    collect() {
      const n = resultValues.length;
      if (n === 0) return '';
      let status = joinList(resultStatus, '');
      let json;
      try {
        json = stringify(resultValues);
      } catch {
        // Some result is not JSON (a cycle, a BigInt): that call fails, the others go through.
        json = '[';
        status = '';
        for (let i = 0; i < n; i++) {
          let one;
          let st = resultStatus[i];
          try {
            one = stringify(resultValues[i]);
            if (one === undefined) one = 'null';
          } catch (e) {
            one = stringify(errorObject(new TypeError(`the result is not JSON: ${e instanceof Error ? e.message : `${e}`}`)));
            st = '0';
          }
          json += i === 0 ? one : `,${one}`;
          status += st;
        }
        json += ']';
      }
      const ids = joinList(resultIds, ',');
      resultIds.length = 0;
      resultStatus.length = 0;
      resultValues.length = 0;
      return `${ids}\n${status}\n${json}`;
    },
    /** A host request answered. */
    settle(/** @type {number} */ id, /** @type {boolean} */ ok, /** @type {string} */ json) {
      const p = pending[id];
      if (!p) return;
      delete pending[id];
      if (ok) {
        p.resolve(json === '' ? undefined : parse(json));
      } else {
        const info = parse(json);
        const err = new Error(info.message);
        err.name = info.name || 'Error';
        /** @type {any} */ (err).kind = info.kind;
        p.reject(err);
      }
    },
    /** A message for subscription `subId`. */
    deliver(/** @type {number} */ subId, /** @type {string} */ topic, /** @type {string} */ payloadJson) {
      const cb = subs[subId];
      if (!cb) return;
      try {
        const r = cb(parse(payloadJson), topic);
        if (r && typeof r.then === 'function') r.then(undefined, (/** @type {unknown} */ e) => report(`subscription callback (${topic})`, e));
      } catch (e) {
        report(`subscription callback (${topic})`, e);
      }
    },
    /** Timer `id` is due. */
    fire(/** @type {number} */ id) {
      const t = timers[id];
      if (!t) return;
      if (t.repeat) hostTimer('set', id, t.ms);
      else delete timers[id];
      try {
        apply(t.fn, undefined, t.args);
      } catch (e) {
        report('timer callback', e);
      }
    },
    snapshot,
    /**
     * The end of a turn in one call: `ids\nstatuses\nvalues\nstate` (collect, then snapshot; parts may
     * be empty). Watched calls not reported yet are handed to then() first: they report in a later turn.
     */
    drain() {
      handOff();
      const collected = this.collect();
      return `${collected === '' ? '\n\n' : collected}\n${snapshot()}`;
    },
  };
}
