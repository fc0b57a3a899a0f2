/**
 * The packages the user approved, kept in SQLite (the installer's durable `kv` key). An entry is a
 * bare name (any version of it) or `name@range` (that spec exactly). Nothing is added here except
 * through a person's request (REST, or a spawn they clicked): LLM output never approves.
 */
import type { Persistence } from '../../persistence/persistence.js';
import { parsePackageSpec, type PackageSpec } from './package-spec.js';

const KEY = 'durable:package_allowlist';

export class Allowlist {
  private entries: string[] = [];

  constructor(
    private readonly persistence: Persistence,
    private readonly owner: string,
  ) {}

  async load(): Promise<void> {
    const stored = await this.persistence.recall<string[]>(this.owner, KEY);
    this.entries = Array.isArray(stored) ? stored.filter((e) => typeof e === 'string') : [];
  }

  list(): string[] {
    return [...this.entries];
  }

  allows(p: PackageSpec): boolean {
    return this.entries.includes(p.name) || this.entries.includes(p.spec);
  }

  async approve(specs: PackageSpec[]): Promise<string[]> {
    for (const p of specs) if (!this.entries.includes(p.spec)) this.entries.push(p.spec);
    this.entries.sort();
    await this.persistence.persist(this.owner, KEY, this.entries);
    return this.list();
  }

  async revoke(names: string[]): Promise<string[]> {
    this.entries = this.entries.filter((e) => !names.includes(e) && !names.includes(parsePackageSpec(e).name));
    await this.persistence.persist(this.owner, KEY, this.entries);
    return this.list();
  }
}
