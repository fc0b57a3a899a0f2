/**
 * JSON encoding for the durable and ephemeral tiers, with errors that say what went wrong
 * instead of silently storing `{}` for a Map or `{"type":"Buffer",…}` for bytes.
 */

export class PersistenceValueError extends TypeError {
  override name = 'PersistenceValueError';
}

export function isBinary(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array; // Buffer is a Uint8Array too
}

/** Encodes `value` as JSON text, or throws a PersistenceValueError naming the key. */
export function encodeJson(value: unknown, where: string): string {
  if (value === undefined) {
    throw new PersistenceValueError(`${where}: cannot persist undefined (use forget() to remove a key)`);
  }
  if (isBinary(value)) {
    throw new PersistenceValueError(
      `${where}: binary values are stored only in blob keys; this key routes to a JSON tier (see persistence README)`,
    );
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    throw new PersistenceValueError(`${where}: value is not JSON-serialisable (${(err as Error).message})`);
  }
  if (text === undefined) {
    throw new PersistenceValueError(`${where}: value of type ${typeof value} is not JSON-serialisable`);
  }
  return text;
}

/** Decodes stored JSON text; a corrupt value is reported, not returned as garbage. */
export function decodeJson<T>(text: string, where: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new PersistenceValueError(`${where}: stored value is not valid JSON (${(err as Error).message})`);
  }
}
