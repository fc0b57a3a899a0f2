/** Secrets kept in memory until the process ends: nothing is written anywhere. */
import { checkSecret, type SecretStore } from './secret-store.js';

export class MemorySecretStore implements SecretStore {
  readonly kind = 'session-only' as const;
  private readonly values = new Map<string, string>();

  async get(name: string): Promise<string | undefined> {
    checkSecret(name);
    return this.values.get(name);
  }
  set(name: string, value: string): Promise<void> {
    return this.update({ [name]: value });
  }
  delete(name: string): Promise<void> {
    return this.update({ [name]: null });
  }
  async update(changes: Readonly<Record<string, string | null>>): Promise<void> {
    // Checked first: a bad entry leaves every value as it was.
    for (const [name, value] of Object.entries(changes)) checkSecret(name, value ?? undefined);
    for (const [name, value] of Object.entries(changes)) {
      if (value === null) this.values.delete(name);
      else this.values.set(name, value);
    }
  }
  async names(prefix = ''): Promise<string[]> {
    return [...this.values.keys()].filter((n) => n.startsWith(prefix)).sort();
  }
}
