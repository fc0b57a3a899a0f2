/**
 * npm package specs the installer accepts: registry packages only — `name`, `name@version`,
 * `name@range`, `@scope/name@…`. Git URLs, tarball URLs, local paths and `npm:` aliases are
 * refused: they would bypass what the user approved by name.
 */
import { z } from 'zod';

export interface PackageSpec {
  name: string;
  /** A version or range; '' means latest. */
  range: string;
  /** As given (normalised): `name` or `name@range`. */
  spec: string;
}

const NAME = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;
const RANGE = /^[A-Za-z0-9.^~<>=*|+ -]*$/;

export function parsePackageSpec(raw: string): PackageSpec {
  const s = raw.trim();
  if (/^(git\+|git:|https?:|file:|link:|npm:|github:|\.|\/|~)/i.test(s) || s.includes('://')) {
    throw new Error(`"${raw}": only packages from the npm registry can be installed (name or name@version)`);
  }
  const at = s.startsWith('@') ? s.indexOf('@', 1) : s.indexOf('@');
  const name = at > 0 ? s.slice(0, at) : s;
  const range = at > 0 ? s.slice(at + 1).trim() : '';
  if (!NAME.test(name) || name.length > 214) throw new Error(`"${raw}": "${name}" is not a valid npm package name`);
  if (!RANGE.test(range)) throw new Error(`"${raw}": "${range}" is not a version or range`);
  return { name, range, spec: range ? `${name}@${range}` : name };
}

export const packageListSchema = z.array(z.string().min(1).max(300)).min(1).max(50);
