/** The subset of Web Storage the stores use; injectable so tests run under Node. */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export class MemoryStorage implements StorageLike {
  private readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

/** localStorage when the page may use it (private modes and sandboxed frames may refuse), else memory. */
export function browserStorage(kind: 'local' | 'session' = 'local'): StorageLike {
  try {
    const s = kind === 'local' ? globalThis.localStorage : globalThis.sessionStorage;
    if (s) {
      const probe = '__wactorz_probe__';
      s.setItem(probe, '1');
      s.removeItem(probe);
      return s;
    }
  } catch {
    // storage disabled: fall back to memory for this page's lifetime
  }
  return new MemoryStorage();
}
