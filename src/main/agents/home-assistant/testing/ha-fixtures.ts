/**
 * A small, realistic home for the simulator: three areas, a few devices and the entity kinds
 * the agents care about (lights, a switch, sensors with numeric and text states, a lock,
 * a camera, automations) plus the services HA registers for them.
 */
export interface SimEntity {
  entity_id: string;
  state: string;
  attributes?: Record<string, unknown>;
  /** Registry entry fields (area/device/name); omit for a state-only entity (e.g. `sun.sun`). */
  registry?: { name?: string | null; original_name?: string | null; device_id?: string | null; area_id?: string | null; platform?: string };
}

export interface SimArea {
  area_id: string;
  name: string;
  aliases?: string[];
}

export interface SimDevice {
  id: string;
  name: string;
  area_id: string | null;
  manufacturer?: string;
  model?: string;
  name_by_user?: string | null;
}

export interface SimHome {
  areas: SimArea[];
  devices: SimDevice[];
  entities: SimEntity[];
  /** Extra services beyond the ones every simulator has (light, switch, homeassistant, automation…). */
  services?: Record<string, string[]>;
}

export function defaultHome(): SimHome {
  return {
    areas: [
      { area_id: 'living_room', name: 'Living Room', aliases: ['lounge'] },
      { area_id: 'kitchen', name: 'Kitchen' },
      { area_id: 'bedroom', name: 'Bedroom' },
    ],
    devices: [
      { id: 'dev_lamp', name: 'WiZ RGBW Tunable', area_id: 'living_room', manufacturer: 'WiZ', model: 'RGBW Tunable' },
      { id: 'dev_ceiling', name: 'Hue Ceiling', area_id: 'living_room', manufacturer: 'Signify', model: 'LCA001' },
      { id: 'dev_kitchen_light', name: 'Kitchen Light', area_id: 'kitchen', manufacturer: 'IKEA', model: 'TRADFRI' },
      { id: 'dev_coffee', name: 'Coffee Plug', area_id: 'kitchen', manufacturer: 'Shelly', model: 'Plug S' },
      { id: 'dev_climate', name: 'Aqara Climate', area_id: 'living_room', manufacturer: 'Aqara', model: 'WSDCGQ11LM' },
      { id: 'dev_door', name: 'Front Door Contact', area_id: null, manufacturer: 'Aqara', model: 'MCCGQ11LM' },
      { id: 'dev_bedroom_lamp', name: 'Bedside Lamp', area_id: 'bedroom', manufacturer: 'IKEA', model: 'TRADFRI' },
      { id: 'dev_cam', name: 'Porch Camera', area_id: null, manufacturer: 'Reolink', model: 'E1' },
    ],
    entities: [
      { entity_id: 'light.wiz_rgbw_tunable_02cba0', state: 'off', attributes: { friendly_name: 'Living Room Lamp', supported_color_modes: ['rgbw'] }, registry: { name: 'Living Room Lamp', device_id: 'dev_lamp', platform: 'wiz' } },
      { entity_id: 'light.living_room_ceiling', state: 'off', attributes: { friendly_name: 'Living Room Ceiling' }, registry: { original_name: 'Living Room Ceiling', device_id: 'dev_ceiling', platform: 'hue' } },
      { entity_id: 'light.kitchen', state: 'on', attributes: { friendly_name: 'Kitchen Light', brightness: 180 }, registry: { original_name: 'Kitchen Light', device_id: 'dev_kitchen_light', platform: 'tradfri' } },
      { entity_id: 'light.bedside', state: 'off', attributes: { friendly_name: 'Bedside Lamp' }, registry: { original_name: 'Bedside Lamp', device_id: 'dev_bedroom_lamp', platform: 'tradfri' } },
      { entity_id: 'switch.coffee_maker', state: 'off', attributes: { friendly_name: 'Coffee Maker' }, registry: { name: 'Coffee Maker', device_id: 'dev_coffee', platform: 'shelly' } },
      { entity_id: 'sensor.living_room_temperature', state: '21.5', attributes: { friendly_name: 'Living Room Temperature', unit_of_measurement: '°C', device_class: 'temperature' }, registry: { original_name: 'Living Room Temperature', device_id: 'dev_climate', platform: 'zha' } },
      { entity_id: 'sensor.living_room_humidity', state: '48', attributes: { friendly_name: 'Living Room Humidity', unit_of_measurement: '%', device_class: 'humidity' }, registry: { original_name: 'Living Room Humidity', device_id: 'dev_climate', platform: 'zha' } },
      { entity_id: 'binary_sensor.front_door', state: 'off', attributes: { friendly_name: 'Front Door', device_class: 'door' }, registry: { original_name: 'Front Door', device_id: 'dev_door', area_id: null, platform: 'zha' } },
      { entity_id: 'binary_sensor.hallway_motion', state: 'off', attributes: { friendly_name: 'Hallway Motion', device_class: 'motion' }, registry: { original_name: 'Hallway Motion', platform: 'zha' } },
      { entity_id: 'lock.front_door', state: 'locked', attributes: { friendly_name: 'Front Door Lock' }, registry: { original_name: 'Front Door Lock', platform: 'nuki' } },
      { entity_id: 'camera.porch', state: 'idle', attributes: { friendly_name: 'Porch Camera' }, registry: { original_name: 'Porch Camera', device_id: 'dev_cam', platform: 'reolink' } },
      { entity_id: 'sun.sun', state: 'below_horizon', attributes: { friendly_name: 'Sun', elevation: -12.3 } },
    ],
    services: { notify: ['mobile_app_phone', 'notify'] },
  };
}
