/** Test helpers for anything that needs a scripted LLM: unit tests, e2e, benches. */
export { startScriptedLlmServer, type ScriptedLlmServer, type ScriptedLlmServerOptions } from './scripted-llm-server.js';
export {
  reply,
  type WireProtocol,
  type ScriptedReply,
  type ReplySpec,
  type Responder,
  type RecordedLlmRequest,
  type TextReply,
  type ErrorReply,
  type MalformedReply,
  type TruncatedReply,
  type HangReply,
  type StreamErrorReply,
  type DropReply,
} from './scripted-reply.js';
