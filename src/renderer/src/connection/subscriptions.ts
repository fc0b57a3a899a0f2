/** Every topic the dashboard listens to. One place, so the connection and the router agree. */
import { topics } from '../../../shared/topics.js';

export const INSTALLER_TOPIC_PATTERNS = ['installer/#', 'catalog/#'] as const;

export const DASHBOARD_SUBSCRIPTIONS: readonly string[] = [
  topics.allAgents('heartbeat'),
  topics.allAgents('metrics'),
  topics.allAgents('status'),
  topics.allAgents('logs'),
  topics.allAgents('manifest'),
  topics.allAgents('alert'),
  topics.allAgents('chat'),
  topics.ioChat,
  topics.ioChatResponse,
  topics.systemHealth,
  ...INSTALLER_TOPIC_PATTERNS,
];
