/**
 * One sandbox worker thread as the hub sees it: it hosts the engines of many agents (a shared
 * worker) or of one (a dedicated worker). Messages to its engines made in the same tick travel as
 * one postMessage, and the worker's answers come back the same way and are routed by engine id.
 *
 * What happens to one engine stays with that engine (its own memory, cap, deadline, modules). What
 * happens to the THREAD reaches every engine on it, so it is said to each: the thread dying (an
 * error, an exit, a kill from outside) fails every hosted agent with a fatal `crash` naming the
 * worker; a thread that stops answering past a deadline (a stretch of native code no interrupt can
 * stop) is terminated — the agent that was running gets a fatal `timeout`, its neighbours a fatal
 * `crash` that names it. Their supervisors restart them.
 */
import { Worker } from 'node:worker_threads';
import type { SandboxErrorKind } from './errors.js';
import type { SandboxAssets } from './quickjs-assets.js';

export type WorkerKind = 'shared' | 'dedicated';

/** What the worker sends, tagged with the engine it is about (`a`). */
export type WorkerMessage = { a: number } & (
  | { t: 'loaded'; exports: { setup: boolean; handleTask: boolean; process: boolean; cleanup: boolean } }
  | { t: 'load_failed'; message: string; line?: number; column?: number; kind: 'bad_code' | 'timeout' }
  | { t: 'done'; id: number; ok: boolean; json: string; kind?: SandboxErrorKind }
  | { t: 'results'; ids: string; st: string; json: string }
  | { t: 'host'; id?: number; method: string; args: string }
  | { t: 'state'; json: string }
  | { t: 'ack'; n: number }
  | { t: 'fatal'; kind: SandboxErrorKind; message: string }
  | { t: 'reset'; kind: SandboxErrorKind; message: string }
  | { t: 'overrun'; phase: string; replay: number[]; lost: number[]; redeliver: [number, string, string][] }
  | { t: 'hog' }
  | { t: 'load'; busy: number }
);

/** One engine's side of the conversation (a SandboxInstance). */
export interface EngineClient {
  readonly name: string;
  onWorkerMessage(msg: WorkerMessage): void;
  /** The thread is gone; the engine with it. */
  onWorkerGone(kind: SandboxErrorKind, message: string): void;
}

export interface EngineWorkerOptions {
  kind: WorkerKind;
  sliceMs: number;
  /** Engines with `spareMemoryMb` booted ahead of need inside the worker. */
  spares: number;
  spareMemoryMb: number;
  initialPages: number;
  /** The worker thread is gone (the pool forgets it). */
  onGone: (worker: EngineWorker) => void;
}

/** Calls to one engine gathered in one tick (finished into `one`, `run` (with `first`, `n`, no `list`) or `json` when the tick's message goes). */
interface OpenCalls {
  t: 'calls';
  a: number;
  list: [number, string][];
  payloads: (string | undefined)[];
}

let nextWorkerId = 1;

/** handleTask calls with consecutive ids, each with a payload: sent as `run`, the payloads alone (the engine numbers them). */
function isRun(open: OpenCalls): boolean {
  const first = open.list[0]![0];
  for (let i = 0; i < open.list.length; i++) {
    if (open.list[i]![0] !== first + i || open.list[i]![1] !== 'handleTask' || open.payloads[i] === undefined) return false;
  }
  return true;
}

export class EngineWorker {
  readonly id = nextWorkerId++;
  readonly kind: WorkerKind;
  private busyShare = 0;
  private busyAt = 0;
  private readonly thread: Worker;
  private readonly clients = new Map<number, EngineClient>();
  /** Engines created and not yet loaded (booting or loading): the worker's backlog of starts. */
  private readonly startingIds = new Set<number>();
  private readonly running: Int32Array;
  private nextEngineId = 1;
  private outbox: Record<string, unknown>[] = [];
  /** This tick's `calls` message per engine, still taking calls. */
  private readonly openCalls = new Map<number, OpenCalls>();
  private flushScheduled = false;
  private gone = false;

  constructor(
    assets: SandboxAssets,
    private readonly opts: EngineWorkerOptions,
  ) {
    this.kind = opts.kind;
    const running = new SharedArrayBuffer(4);
    this.running = new Int32Array(running);
    this.thread = new Worker(assets.workerFile, {
      workerData: {
        quickjsCore: assets.quickjsCore,
        quickjsVariant: assets.quickjsVariant,
        wasmModule: assets.wasmModule,
        initialPages: opts.initialPages,
        shared: opts.kind === 'shared',
        sliceMs: opts.sliceMs,
        spares: opts.spares,
        spareMemoryMb: opts.spareMemoryMb,
        running,
      },
      // The thread's own heap holds the emscripten glue of its engines (~60 KB each) and messages in
      // transit; every agent's heap is its engine's linear memory (capped per agent), outside it.
      resourceLimits: { maxOldGenerationSizeMb: opts.kind === 'shared' ? 512 : 64, maxYoungGenerationSizeMb: 8, stackSizeMb: 8 },
      env: {},
      // Plain JavaScript: no loader of the hub's (tsx, vitest) needs to follow it into the worker.
      execArgv: [],
      // The engine prints nothing; an emscripten abort message goes to the hub's stderr.
      stdout: false,
      stderr: false,
      name: opts.kind === 'shared' ? 'wactorz-agent-engines' : 'wactorz-agent-engine',
    });
    this.thread.unref();
    this.thread.on('message', (batch: WorkerMessage[]) => this.onBatch(batch));
    this.thread.on('error', (err: Error & { code?: string }) => {
      const oom = err.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.fail(oom ? 'out_of_memory' : 'crash', oom ? `its sandbox worker ran out of memory (the worker hosted ${this.clients.size} agent(s))` : `its sandbox worker failed: ${err.message}`);
    });
    this.thread.on('exit', (code) => this.fail('crash', `its sandbox worker exited (code ${code}; it hosted ${this.clients.size} agent(s))`));
  }

  /** Share of the last second the thread spent running agents (0–1); an idle thread stops reporting, so an old figure counts as 0. */
  get busy(): number {
    return Date.now() - this.busyAt < 2_500 ? this.busyShare : 0;
  }

  get agents(): number {
    return this.clients.size;
  }

  /** Engines asked for and not yet loaded: a burst of spawns (a restore) shows here before any turn does. */
  get starting(): number {
    return this.startingIds.size;
  }

  get alive(): boolean {
    return !this.gone;
  }

  /** Creates an engine with this memory cap for `client`; returns its id. */
  attach(client: EngineClient, memoryMb: number, spares: number): number {
    const id = this.nextEngineId++;
    this.clients.set(id, client);
    this.startingIds.add(id);
    this.thread.ref();
    this.post(id, { t: 'create', memoryMb, spares: this.kind === 'shared' ? spares : 0 });
    return id;
  }

  /** Drops one engine (never the thread: neighbours keep running). */
  detach(id: number): void {
    this.startingIds.delete(id);
    if (!this.clients.delete(id) || this.gone) return;
    // What was still waiting for this tick's message goes nowhere (the calls were failed hub-side).
    if (this.outbox.some((m) => m.a === id)) this.outbox = this.outbox.filter((m) => m.a !== id);
    this.openCalls.delete(id);
    this.post(id, { t: 'drop' });
    if (this.clients.size === 0) this.thread.unref();
  }

  post(id: number, msg: Record<string, unknown>): void {
    if (this.gone) return;
    msg.a = id;
    this.outbox.push(msg);
    this.scheduleFlush();
  }

  /**
   * A call for engine `id`: the calls to one engine made in the same tick travel as one `calls`
   * message (at the place of the first). One call alone carries its payload JSON as is (`one`: the
   * engine parses just the payload); several, one JSON text the engine parses once.
   */
  call(id: number, callId: number, fn: string, payloadJson: string | undefined): void {
    if (this.gone) return;
    const open = this.openCalls.get(id);
    if (open) {
      open.list.push([callId, fn]);
      open.payloads.push(payloadJson);
      return;
    }
    const msg: OpenCalls = { t: 'calls', a: id, list: [[callId, fn]], payloads: [payloadJson] };
    this.openCalls.set(id, msg);
    this.outbox.push(msg as unknown as Record<string, unknown>);
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      const batch = this.outbox;
      this.outbox = [];
      for (const open of this.openCalls.values()) {
        const m = open as unknown as Record<string, unknown>;
        if (open.list.length === 1) m.one = open.payloads[0] ?? '';
        else if (isRun(open)) {
          // Named by its first id and count: no per-call list to copy across.
          m.run = `[${open.payloads.join(',')}]`;
          m.first = open.list[0]![0];
          m.n = open.list.length;
          delete m.list;
        } else m.json = `[${open.list.map(([callId, fn], i) => (open.payloads[i] === undefined ? `[${callId},"${fn}"]` : `[${callId},"${fn}",${open.payloads[i]}]`)).join(',')}]`;
        delete m.payloads;
      }
      this.openCalls.clear();
      if (!this.gone) this.thread.postMessage(batch);
    });
  }

  /**
   * An engine on this thread missed a deadline by far: the thread is stuck in code no interrupt
   * reaches. Terminate it; the agent it was running is the culprit.
   */
  wedged(reporter: string, detail: string): void {
    if (this.gone) return;
    const culpritId = Atomics.load(this.running, 0);
    const culprit = this.clients.get(culpritId);
    const name = culprit?.name ?? reporter;
    const clients = [...this.clients];
    this.markGone();
    for (const [, client] of clients) {
      if (client === culprit || (!culprit && client.name === reporter)) client.onWorkerGone('timeout', `the agent stayed busy past its deadline (${detail}): its engine was stopped`);
      else client.onWorkerGone('crash', `its sandbox worker was restarted because agent ${name} stayed busy past its deadline`);
    }
    void this.thread.terminate();
  }

  /** Stops the thread (at shutdown, or from outside: every hosted agent is told). */
  async terminate(): Promise<void> {
    await this.thread.terminate();
  }

  private onBatch(batch: WorkerMessage[]): void {
    for (const msg of batch) {
      if (msg.t === 'load' && msg.a === 0) {
        this.busyShare = typeof msg.busy === 'number' && Number.isFinite(msg.busy) ? Math.min(1, Math.max(0, msg.busy)) : 0;
        this.busyAt = Date.now();
        continue;
      }
      if (msg.t === 'loaded' || msg.t === 'load_failed' || msg.t === 'fatal') this.startingIds.delete(msg.a);
      this.clients.get(msg.a)?.onWorkerMessage(msg);
    }
  }

  private fail(kind: SandboxErrorKind, message: string): void {
    if (this.gone) return;
    const clients = [...this.clients.values()];
    this.markGone();
    for (const client of clients) client.onWorkerGone(kind, message);
  }

  private markGone(): void {
    this.gone = true;
    this.clients.clear();
    this.startingIds.clear();
    this.opts.onGone(this);
  }
}
