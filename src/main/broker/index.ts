/** The MQTT side of the hub: the embedded broker with its in-process Bus, or a Bus over an external broker. */
export { type EmbeddedBroker, type EmbeddedBrokerOptions, BrokerListenError, startEmbeddedBroker } from './embedded-broker.js';
export { InProcessBus, type InProcessBusOptions } from './in-process-bus.js';
export type { AttachWebSocketOptions } from './websocket-transport.js';
export { BrokerUnreachableError, type BusStateListener, ExternalBus, connectExternalBus } from './external-bus.js';
export type { ExternalBusOptions } from './external-bus-options.js';
export type { BackoffOptions } from './reconnect-backoff.js';
export { stableClientId } from './client-id.js';
export { consoleBusLogger } from './bus-log.js';
export { TopicError, assertPublishTopic, assertTopicFilter } from './topic-validation.js';
