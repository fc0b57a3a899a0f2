export { hub, HubConnection } from './hub-connection.js';
export { ApiError, RestClient } from './rest-client.js';
export type { AgentCommandName } from './rest-client.js';
export type { LinkState } from './mqtt-link.js';
export type { WactorzBridge, WactorzConnectionInfo } from './bridge.js';
