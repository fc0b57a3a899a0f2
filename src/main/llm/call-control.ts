/**
 * One call's stop switch: merges the caller's AbortSignal with our own timeout into the single
 * signal handed to the SDK, and remembers which of the two fired so the error says the right thing.
 */
import { LlmError } from './errors.js';

export interface CallSubject {
  /** Provider name for LlmError.provider. */
  provider: string;
  /** "Anthropic", "Ollama at http://…" — used in messages. */
  label: string;
}

export class CallControl {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private stoppedBy: 'timeout' | 'cancel' | undefined;
  private readonly onUserAbort = (): void => this.stop('cancel');

  constructor(
    private readonly userSignal: AbortSignal | undefined,
    readonly timeoutMs: number,
  ) {
    if (userSignal?.aborted) this.stop('cancel');
    else userSignal?.addEventListener('abort', this.onUserAbort, { once: true });
  }

  /** Aborts on caller cancel or timeout; pass it to every request of the call. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get stopped(): boolean {
    return this.stoppedBy !== undefined;
  }

  /** (Re)starts the wait timer: once for a whole blocking call, or per wait while streaming. */
  arm(): void {
    clearTimeout(this.timer);
    if (this.stoppedBy) return;
    this.timer = setTimeout(() => this.stop('timeout'), this.timeoutMs);
  }

  /** Stops the timer while the consumer, not the provider, has the turn (between stream events). */
  pause(): void {
    clearTimeout(this.timer);
  }

  /** Ends the call from our side (consumer stopped reading); not reported as an error. */
  abort(): void {
    clearTimeout(this.timer);
    if (!this.controller.signal.aborted) this.controller.abort();
  }

  /** The error to throw when this call was stopped by timeout or cancel, else undefined. */
  stopError(subject: CallSubject, cause?: unknown): LlmError | undefined {
    if (this.stoppedBy === 'timeout') {
      return new LlmError(
        'timeout',
        `${subject.label} did not answer within ${this.timeoutMs} ms — try again, or raise the timeout if the model is slow (a local model may still be loading)`,
        { provider: subject.provider, cause },
      );
    }
    if (this.stoppedBy === 'cancel') {
      return new LlmError('cancelled', `the ${subject.label} request was cancelled`, { provider: subject.provider, cause });
    }
    return undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.userSignal?.removeEventListener('abort', this.onUserAbort);
  }

  private stop(by: 'timeout' | 'cancel'): void {
    if (this.stoppedBy) return;
    this.stoppedBy = by;
    clearTimeout(this.timer);
    this.controller.abort(new Error(by === 'timeout' ? 'LLM call timed out' : 'LLM call cancelled'));
  }
}
