import { describe, expect, it } from 'vitest';
import { parseCliArgs } from './cli-args.js';

describe('parseCliArgs', () => {
  it('gives the documented defaults with no flags', () => {
    const r = parseCliArgs([], {});
    expect(r.kind).toBe('run');
    if (r.kind !== 'run') return;
    expect(r.flags).toMatchObject({
      interface: 'cli',
      port: 8000,
      host: '127.0.0.1',
      mqttPort: 1883,
      monitorPort: 8888,
      monitor: true,
      reload: false,
      stateDir: './state',
      ollamaHost: 'http://127.0.0.1:11434',
    });
    expect(r.flags.llm).toBeUndefined();
  });

  it('takes the original flags', () => {
    const r = parseCliArgs(
      ['--llm', 'ollama', '--ollama-model', 'llama3', '--interface', 'rest', '--port', '9000', '--mqtt-broker', '10.0.0.2', '--mqtt-port', '1884', '--no-monitor'],
      {},
    );
    expect(r.kind).toBe('run');
    if (r.kind !== 'run') return;
    expect(r.flags).toMatchObject({ llm: 'ollama', ollamaModel: 'llama3', interface: 'rest', port: 9000, mqttBroker: '10.0.0.2', mqttPort: 1884, monitor: false });
  });

  it('reads OLLAMA_HOST, REDIS_URL and the state dir from the environment', () => {
    const r = parseCliArgs([], { OLLAMA_HOST: 'http://box:11434', REDIS_URL: 'redis://r:6379', WACTORZ_STATE_DIR: '/tmp/s' });
    expect(r.kind === 'run' && r.flags).toMatchObject({ ollamaHost: 'http://box:11434', redisUrl: 'redis://r:6379', stateDir: '/tmp/s' });
  });

  it('rejects unknown flags with exit code 2 and a hint', () => {
    const r = parseCliArgs(['--bogus'], {});
    expect(r).toMatchObject({ kind: 'exit', code: 2 });
    if (r.kind === 'exit') expect(r.output).toMatch(/unknown option '--bogus'[\s\S]*--help/);
  });

  it('rejects bad values with exit code 2', () => {
    for (const argv of [['--port', 'abc'], ['--mqtt-port', '70000'], ['--llm', 'skynet'], ['--interface', 'fax']]) {
      const r = parseCliArgs(argv, {});
      expect(r, argv.join(' ')).toMatchObject({ kind: 'exit', code: 2 });
    }
  });

  it('rejects stray positional arguments', () => {
    expect(parseCliArgs(['hello'], {})).toMatchObject({ kind: 'exit', code: 2 });
  });

  it('prints help with exit code 0', () => {
    const r = parseCliArgs(['--help'], {});
    expect(r).toMatchObject({ kind: 'exit', code: 0 });
    if (r.kind === 'exit') expect(r.output).toContain('--monitor-port');
  });
});
