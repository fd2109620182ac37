import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { LabError } from '../errors.js';
import { PORT_TABLE, type PortName, type Ports, portEnvVar } from '../ports.js';
import { run } from '../proc.js';

function canBind(port: number, protocol: 'tcp' | 'udp'): Promise<boolean> {
  return new Promise((resolve) => {
    if (protocol === 'udp') {
      const socket = createSocket('udp4');
      socket.once('error', () => resolve(false));
      socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
      return;
    }
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Who listens on a port, from `ss` when it is available (best effort). */
async function holder(port: number, protocol: 'tcp' | 'udp'): Promise<string> {
  const result = await run('ss', [protocol === 'udp' ? '-lunpH' : '-ltnpH', `sport = :${port}`]).catch(() => undefined);
  const users = result?.stdout.match(/users:\(\("([^"]+)",pid=(\d+)/);
  return users ? ` by ${users[1]} (pid ${users[2]})` : '';
}

/** Fail with a clear {@link LabError} when any of the component's ports is taken. */
export async function assertPortsFree(component: string, ports: Ports): Promise<void> {
  for (const spec of PORT_TABLE.filter((p) => p.component === component)) {
    const port = ports[spec.name as PortName];
    if (!(await canBind(port, spec.protocol))) {
      throw new LabError(`port ${port}${spec.protocol === 'udp' ? '/udp' : ''} (${spec.name}) is already in use${await holder(port, spec.protocol)}`, {
        component,
        hint: `stop whatever holds it, or choose another port: ${portEnvVar(spec.name)}=<port> npm start`,
      });
    }
  }
}
