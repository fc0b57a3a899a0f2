/**
 * Our home map in the shape of the original's home-assistant-map-agent payload (`type:
 * "home_assistant_map_update"`, `devices` with their area's name and their entities), which its
 * `/ha-map` returned. Served beside our own fields in the same body. Registry details we do not
 * keep (unique_id, platform, original_name) are null; devices without entities are listed, as the
 * original lists every device, and entities without a device are not (they have no place there).
 */
import type { HaMapResponse, HaEntityView, OriginalHaMapFields } from '../../../../shared/rest.js';

export function originalMapPayload(map: HaMapResponse): OriginalHaMapFields {
  const entities = new Map<string, HaEntityView>();
  for (const e of [...map.areas.flatMap((a) => a.entities), ...map.unassigned.entities]) entities.set(e.entity_id, e);
  const areaName = new Map(map.areas.map((a) => [a.area_id, a.name]));
  const devices = [...map.areas.flatMap((a) => a.devices), ...map.unassigned.devices].map((d) => ({
    device_id: d.id,
    name: d.name,
    manufacturer: d.manufacturer,
    model: d.model,
    area: d.area_id ? (areaName.get(d.area_id) ?? null) : null,
    entities: d.entity_ids
      .map((id) => entities.get(id))
      .filter((e): e is HaEntityView => e !== undefined)
      .map((e) => ({ entity_id: e.entity_id, unique_id: null, platform: null, area: e.area_name, original_name: null, name: e.name, state: e.state, attributes: e.attributes }))
      .sort((x, y) => x.entity_id.localeCompare(y.entity_id)),
  }));
  devices.sort((x, y) => x.name.localeCompare(y.name));
  return { type: 'home_assistant_map_update', event_type: 'entity_registry_updated', timestamp: map.updated_at, event: {}, devices };
}
