/**
 * The original map agent's MQTT framing: a payload that fits in `maxBytes` (4 KB by default) goes
 * as is; a larger one as a `home_assistant_map_update_chunked` header (snapshot id, chunk count,
 * devices, bytes) followed by `home_assistant_map_update_chunk` messages, each carrying a base64
 * slice of the compact JSON, small enough that every message fits in `maxBytes`.
 */
import { randomUUID } from 'node:crypto';

export const MAP_MAX_PAYLOAD_BYTES = 4 * 1024;

const size = (v: unknown): number => Buffer.byteLength(JSON.stringify(v), 'utf8');

export function mapMessages(map: object, maxBytes = MAP_MAX_PAYLOAD_BYTES): object[] {
  if (size(map) <= maxBytes) return [map];
  const payload = map as Record<string, unknown>;
  const snapshotId = randomUUID().replace(/-/g, '');
  const raw = Buffer.from(JSON.stringify(payload), 'utf8');
  const encoded = raw.toString('base64');
  const baseType = typeof payload.type === 'string' ? payload.type : 'home_assistant_map_update';
  const chunk = (index: number, data: string) => ({ type: 'home_assistant_map_update_chunk', base_type: baseType, snapshot_id: snapshotId, encoding: 'base64-json', chunk_index: index, data });
  // Room for data once the envelope is there, with the widest index it can come to.
  let digits = 1;
  let room = 0;
  for (;;) {
    room = maxBytes - size(chunk(Number('9'.repeat(digits)), ''));
    if (room <= 0) throw new Error(`a map payload limit of ${maxBytes} bytes leaves no room for a chunk`);
    const count = Math.max(1, Math.ceil(encoded.length / room));
    if (String(count - 1).length <= digits) break;
    digits = String(count - 1).length;
  }
  const chunks: Record<string, unknown>[] = [];
  for (let i = 0, at = 0; at < encoded.length; i++, at += room) chunks.push(chunk(i, encoded.slice(at, at + room)));
  const header = {
    type: 'home_assistant_map_update_chunked',
    base_type: baseType,
    event_type: payload.event_type ?? 'entity_registry_updated',
    timestamp: payload.timestamp ?? Date.now() / 1000,
    event: payload.event ?? {},
    snapshot_id: snapshotId,
    encoding: 'base64-json',
    chunk_count: chunks.length,
    total_devices: Array.isArray(payload.devices) ? payload.devices.length : 0,
    payload_bytes: raw.length,
  };
  return [header, ...chunks];
}
