/** A minimal typed event emitter; a throwing listener is reported, never breaks the emitter. */
export type EventMap = Record<string, unknown[]>;

export class TypedEmitter<E extends EventMap> {
  private listeners = new Map<keyof E, Set<(...args: never[]) => void>>();

  constructor(private readonly onListenerError: (event: string, error: unknown) => void = () => {}) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as unknown as (...args: never[]) => void);
    return () => set.delete(listener as unknown as (...args: never[]) => void);
  }

  once<K extends keyof E>(event: K, listener: (...args: E[K]) => void): () => void {
    const off = this.on(event, (...args) => {
      off();
      listener(...args);
    });
    return off;
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return;
    for (const l of [...set]) {
      try {
        (l as unknown as (...a: E[K]) => void)(...args);
      } catch (e) {
        this.onListenerError(String(event), e);
      }
    }
  }

  listenerCount(event: keyof E): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
