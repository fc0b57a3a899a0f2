/// <reference types="vite/client" />

/**
 * src/shared/mqtt-payloads.ts names Node's `Buffer` in parsePayload's signature. The browser has no
 * Buffer; the renderer passes Uint8Array or string. Declared as an interface so it merges harmlessly
 * should Node's types ever be present.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
interface Buffer extends Uint8Array {}
