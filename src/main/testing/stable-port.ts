/**
 * A free port for a test server that is stopped and started again on the same port (Redis,
 * Mosquitto). It is taken below the kernel's ephemeral range (32768–60999 on Linux), because a port
 * the OS handed out with `listen(0)` can be handed to another test running in parallel while our
 * server is down — and then a client "reconnects" to somebody else's server and hangs.
 */
import net from 'node:net';

const LOW = 20_000;
const HIGH = 32_000;

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export async function stablePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (await canBind(port, host)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH}`);
}
