/** Why a catalog operation was refused; routes turn `kind` into a status code. */
export type CatalogErrorKind = 'not_found' | 'bad_config' | 'bad_input' | 'needs_approval' | 'install_failed' | 'conflict' | 'spawn_failed' | 'too_many_agents' | 'rate_limited';

export class CatalogError extends Error {
  override name = 'CatalogError';
  constructor(
    readonly kind: CatalogErrorKind,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

export const CATALOG_STATUS: Record<CatalogErrorKind, number> = {
  not_found: 404,
  bad_config: 400,
  bad_input: 400,
  needs_approval: 409,
  install_failed: 502,
  conflict: 409,
  spawn_failed: 400,
  too_many_agents: 409,
  rate_limited: 429,
};
