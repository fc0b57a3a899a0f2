/**
 * What an agent's name may be: letters, digits, - and _ (up to 63), starting with a letter or
 * digit. It is a topic level (`agents/by-name/{name}/…`), a file name and a REST path segment, so
 * the hub, the nodes and the dashboard check the same rule.
 */
export const AGENT_NAME_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/i;
