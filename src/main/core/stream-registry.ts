/**
 * In-process chunk streams between a requester and the actor answering it. Payloads stay plain
 * data (they are validated and may one day cross a process boundary); the callback lives here,
 * keyed by an id both sides know — for chat, the `message_id` of the chat TASK.
 *
 *   requester: const close = system.streams.open(id, (chunk) => …); await ask(…); close();
 *   answerer:  system.streams.emit(id, chunk)   // false when nobody listens: just don't stream
 */
export type ChunkSink = (chunk: string) => void;

export class StreamRegistry {
  private sinks = new Map<string, ChunkSink>();

  constructor(private readonly onSinkError: (id: string, error: unknown) => void = () => {}) {}

  /** Registers `sink` for `id` (replacing any previous one); returns a function that closes it. */
  open(id: string, sink: ChunkSink): () => void {
    this.sinks.set(id, sink);
    return () => {
      if (this.sinks.get(id) === sink) this.sinks.delete(id);
    };
  }

  has(id: string): boolean {
    return this.sinks.has(id);
  }

  /** Delivers one chunk; false when no sink is open for `id`. A throwing sink is reported, not propagated. */
  emit(id: string, chunk: string): boolean {
    const sink = this.sinks.get(id);
    if (!sink) return false;
    try {
      sink(chunk);
    } catch (e) {
      this.onSinkError(id, e);
    }
    return true;
  }

  get size(): number {
    return this.sinks.size;
  }
}
