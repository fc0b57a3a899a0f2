/**
 * The worker's side of the bus link: runs an InlineBusLink inside the worker and forwards what it
 * produces to the page. Batches leave every 16 ms at most (a worker has no animation frames); the
 * page merges whatever arrived into one update per frame of its own.
 */
import { InlineBusLink } from './bus-link.js';
import { toWorkerSchema, type FromWorker, type PortLike } from './bus-worker-protocol.js';
import { intervalScheduler, type FrameScheduler } from './frame-batcher.js';

export const WORKER_FLUSH_MS = 16;

export function serveBusLink(port: PortLike, scheduler: FrameScheduler = intervalScheduler(WORKER_FLUSH_MS)): void {
  let link: InlineBusLink | null = null;
  const send = (m: FromWorker) => port.postMessage(m);
  port.addEventListener('message', (e) => {
    const r = toWorkerSchema.safeParse(e.data);
    if (!r.success) return;
    const msg = r.data;
    switch (msg.t) {
      case 'start':
        if (link) return;
        link = new InlineBusLink({
          url: msg.url,
          token: msg.token,
          clientId: msg.clientId,
          subscriptions: msg.subscriptions,
          scheduler,
          onUpdate: (u) => send({ t: 'update', u }),
          onState: (state, detail) => send(detail === undefined ? { t: 'state', state } : { t: 'state', state, detail }),
          onUnauthorized: () => send({ t: 'unauthorized' }),
        });
        link.start();
        return;
      case 'publish': {
        const id = msg.id;
        if (!link) {
          send({ t: 'published', id, ok: false });
          return;
        }
        void link.publish(msg.topic, msg.payload, msg.qos).then((ok) => send({ t: 'published', id, ok }));
        return;
      }
      case 'stop': {
        const l = link;
        link = null;
        void (l ? l.stop() : Promise.resolve()).then(() => send({ t: 'stopped' }));
        return;
      }
    }
  });
  port.start?.();
}
