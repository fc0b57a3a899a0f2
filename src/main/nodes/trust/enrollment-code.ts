/**
 * What the hub hands a node at enrollment, as one line to copy: `wnk1:<node>:<kid>:<key>` (the
 * key base64url). It *is* the node's fleet key: shown once by `POST /nodes/{node}/enroll`, typed
 * (or piped) into `wactorz node enroll` on the node, then kept only in each side's secret store.
 */
import { NODE_NAME_PATTERN } from '../../../shared/node-protocol.js';
import type { FleetKey } from './fleet-mac.js';

const PREFIX = 'wnk1';

export function formatEnrollmentCode(node: string, key: FleetKey): string {
  return `${PREFIX}:${node}:${key.kid}:${key.secret.toString('base64url')}`;
}

export function parseEnrollmentCode(code: string): { ok: true; node: string; key: FleetKey } | { ok: false; error: string } {
  const parts = code.trim().split(':');
  if (parts.length !== 4 || parts[0] !== PREFIX) return { ok: false, error: `an enrollment code looks like ${PREFIX}:<node>:<key id>:<key> (as POST /nodes/<node>/enroll printed it)` };
  const [, node, kid, secret] = parts as [string, string, string, string];
  if (!NODE_NAME_PATTERN.test(node)) return { ok: false, error: 'the enrollment code names an invalid node' };
  if (!/^[0-9a-f]{16}$/.test(kid) || !/^[A-Za-z0-9_-]{43}$/.test(secret)) return { ok: false, error: 'the enrollment code is damaged (copy it again, whole)' };
  return { ok: true, node, key: { kid, secret: Buffer.from(secret, 'base64url') } };
}
