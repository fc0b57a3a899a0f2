/**
 * The contract every chat-service adapter (Telegram, Discord, WhatsApp…) follows: it receives a
 * message from its service, calls `processUserInput(text, {interface, user})` — the hub's one chat
 * entry point — and formats the reply for the service. Adapters never reach into actors. Each one
 * is started by the headless CLI (or the Electron app) and stopped with `stop()`.
 */
import type { Logger } from '../base/logger.js';

export interface ChatContext {
  /** Which interface the text came through ('telegram', 'discord', 'whatsapp'). */
  interface: string;
  /** Who sent it, stable per person: `telegram:123`, `discord:456`, `whatsapp:+15551234567`. */
  user: string;
}

/** The hub's chat entry point (WactorzHandle.processUserInput); resolves with main's whole reply. */
export type ProcessUserInput = (text: string, ctx: ChatContext) => Promise<string>;

export interface ChatInterfaceBase {
  processUserInput: ProcessUserInput;
  log: Logger;
}

export interface RunningChatInterface {
  /** One line for the startup banner, e.g. "Telegram: polling as @wactorz_bot". */
  readonly description: string;
  /** Stops receiving, lets replies in flight finish (bounded), closes connections. Idempotent. */
  stop(): Promise<void>;
}

/** What users see when the hub fails to answer: the reason, never a stack. */
export function replyForError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return `Sorry — Wactorz could not answer: ${message}`;
}

/** A missing or malformed setting (token, allowlist…): the CLI prints the message and exits with 2. */
export class InterfaceConfigError extends Error {}
