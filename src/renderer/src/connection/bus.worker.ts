/**
 * Entry of the bus worker (bundled by Vite as a module worker): the dashboard's MQTT client,
 * parsing and validation, off the page's main thread. See bus-link.ts.
 */
import type { PortLike } from './bus-worker-protocol.js';
import { serveBusLink } from './bus-worker-host.js';

serveBusLink(globalThis as unknown as PortLike);
