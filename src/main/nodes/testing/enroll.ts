/**
 * Enrolls a node for a test or bench the way a person does: the hub makes the key
 * (`NodeRegistry.enrollment.enroll`, as POST /nodes/{node}/enroll) and the node's state dir gets
 * it (`installEnrollment`, as `wactorz node enroll`). Call before the node starts.
 */
import type { NodeRegistry } from '../hub/node-registry.js';
import type { Enrollment } from '../hub/node-enrollment.js';
import { installEnrollment } from '../trust/node-fleet-key.js';

export async function enrollNode(hub: NodeRegistry, name: string, stateDir: string, opts: { replace?: boolean } = {}): Promise<Enrollment> {
  const e = await hub.enrollment.enroll(name, opts);
  await installEnrollment(stateDir, name, e.code);
  return e;
}
