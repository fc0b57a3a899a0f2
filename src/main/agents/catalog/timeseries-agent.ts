/**
 * TimeSeriesAgent ('timeseries'): the door from agents to the SQLite `time_series` table. Agents
 * reach it with `agent.sendTo('timeseries', …)`; appending and pruning need the `timeseries`
 * capability in the asking agent's manifest (the topic-recorder recipe declares it), reading is
 * open to everyone. Built-in actors may call it too (they are trusted).
 *
 *   {action: 'append', samples: [{series, value, ts?, attrs?}]}   → {appended}
 *   {action: 'query', series, from?, to?, limit?}                  → {series, samples: [{ts, value, attrs}]}
 *   {action: 'latest', series}                                    → {series, sample|null}
 *   {action: 'series'}                                            → {series: [...]}
 *   {action: 'prune', before, series?}                            → {removed}
 */
import { z } from 'zod';
import type { Message } from '../../../shared/message.js';
import { Actor } from '../../core/actor.js';
import { TaskError } from '../../core/errors.js';
import { TimeSeries } from '../../persistence/stores/time-series.js';

export const TIMESERIES_AGENT = 'timeseries';
export const TIMESERIES_CAPABILITY = 'timeseries';

const seriesName = z.string().min(1).max(200);
const sample = z.object({
  series: seriesName,
  value: z.number().finite().nullable(),
  ts: z.number().finite().optional(),
  attrs: z.record(z.string(), z.unknown()).nullable().optional(),
});

const taskSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('append'), samples: z.array(sample).min(1).max(5_000) }),
  z.object({ action: z.literal('query'), series: seriesName, from: z.number().optional(), to: z.number().optional(), limit: z.number().int().positive().max(100_000).optional() }),
  z.object({ action: z.literal('latest'), series: seriesName }),
  z.object({ action: z.literal('series') }),
  z.object({ action: z.literal('prune'), before: z.number(), series: seriesName.optional() }),
]);

export class TimeSeriesAgent extends Actor {
  private store: TimeSeries | undefined;

  constructor() {
    super({
      name: TIMESERIES_AGENT,
      description: 'Time series in SQLite: agents with the `timeseries` capability append samples; anyone may query them',
      capabilities: ['timeseries_store'],
    });
  }

  protected override onStart(): void {
    this.store = new TimeSeries(this.system.persistence.db);
  }

  protected override handleTask(payload: unknown, msg: Message): unknown {
    const r = taskSchema.safeParse(payload);
    if (!r.success) throw new TaskError(`bad timeseries task: ${r.error.issues.map((i) => `${i.path.join('.') || 'action'}: ${i.message}`).join('; ')}`, 'bad_input');
    const t = r.data;
    const store = this.store!;
    switch (t.action) {
      case 'append':
        this.assertMayWrite(msg.sender);
        store.appendMany(t.samples.map((s) => ({ series: s.series, value: s.value, ...(s.ts !== undefined ? { ts: s.ts } : {}), attrs: s.attrs ?? null })));
        return { appended: t.samples.length };
      case 'query':
        return {
          series: t.series,
          samples: store.range(t.series, { ...(t.from !== undefined ? { from: t.from } : {}), ...(t.to !== undefined ? { to: t.to } : {}), limit: t.limit ?? 10_000 }).map((s) => ({ ts: s.ts, value: s.value, attrs: s.attrs })),
        };
      case 'latest': {
        const s = store.latest(t.series);
        return { series: t.series, sample: s ? { ts: s.ts, value: s.value, attrs: s.attrs } : null };
      }
      case 'series':
        return { series: store.seriesNames() };
      case 'prune':
        this.assertMayWrite(msg.sender);
        return { removed: store.prune(t.before, t.series) };
    }
  }

  /** Code agents need the capability; the hub's own actors (kind core) are trusted. */
  private assertMayWrite(sender: string): void {
    const actor = this.system.get(sender);
    if (!actor) throw new TaskError(`${sender} is not an actor of this hub`, 'refused');
    if (actor.kind === 'core') return;
    if (!actor.capabilities.map((c) => c.toLowerCase()).includes(TIMESERIES_CAPABILITY)) {
      throw new TaskError(`${sender} may not write time series: it needs the "${TIMESERIES_CAPABILITY}" capability`, 'refused');
    }
  }
}
