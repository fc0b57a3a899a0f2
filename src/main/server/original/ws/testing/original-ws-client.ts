/**
 * A `/ws` client for tests: connects like a browser (an Origin header), keeps every frame it gets
 * — each checked against the shared schema, so a frame the original's dashboard could not read
 * fails the test — and waits on conditions over them.
 */
import { WebSocket } from 'ws';
import { originalServerFrameSchema, type OriginalServerFrame } from '../../../../../shared/original-ws.js';
import { waitUntil } from '../../../../testing/wait.js';

export interface OriginalWsClient {
  readonly ws: WebSocket;
  /** Every frame so far, in order (live array). */
  readonly frames: OriginalServerFrame[];
  /** Frames that did not match the schema (should stay empty). */
  readonly invalid: string[];
  send(frame: unknown): void;
  /** Waits for a frame after index `from` that `pred` accepts; returns it. */
  next<T extends OriginalServerFrame>(pred: (f: OriginalServerFrame) => f is T, what: string, from?: number): Promise<T>;
  next(pred: (f: OriginalServerFrame) => boolean, what: string, from?: number): Promise<OriginalServerFrame>;
  close(): Promise<void>;
}

/** Opens `/ws` at `url` (ws://…/ws); rejects with the HTTP status when the upgrade is refused. */
export function connectOriginalWs(url: string, headers: Record<string, string> = {}): Promise<OriginalWsClient> {
  const ws = new WebSocket(url, { headers });
  const frames: OriginalServerFrame[] = [];
  const invalid: string[] = [];
  ws.on('message', (data: Buffer) => {
    const text = data.toString('utf8');
    const r = originalServerFrameSchema.safeParse(JSON.parse(text));
    if (r.success) frames.push(r.data);
    else invalid.push(text);
  });
  const client: OriginalWsClient = {
    ws,
    frames,
    invalid,
    send: (frame) => ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame)),
    next: (async (pred: (f: OriginalServerFrame) => boolean, what: string, from = 0) =>
      waitUntil(() => frames.slice(from).find(pred), what)) as OriginalWsClient['next'],
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === ws.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (req, res) => {
      res.resume();
      req.destroy();
      reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode }));
    });
    ws.once('error', reject);
  });
}

/** The HTTP status an upgrade to `url` gets (101 when it is accepted). */
export async function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  try {
    const c = await connectOriginalWs(url, headers);
    await c.close();
    return 101;
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (status === undefined) throw e;
    return status;
  }
}
