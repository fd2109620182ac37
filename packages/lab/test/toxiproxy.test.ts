import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, Socket } from 'node:net';
import { type Proxy as ToxiProxy, Toxiproxy } from 'toxiproxy-node-client';
import { toxiproxyUrl } from '../src/index.js';
import { lab, unique } from './support.js';

/** One round trip through a TCP connection: write a line, wait for its echo. */
function roundTrip(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    socket.setTimeout(5000, () => socket.destroy(new Error('round trip timed out')));
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', () => {
      const started = performance.now();
      socket.once('data', () => {
        resolve(performance.now() - started);
        socket.end();
      });
      socket.write('ping\n');
    });
  });
}

describe('Toxiproxy (built from its Go module)', () => {
  let echo: Server;
  let proxy: ToxiProxy;
  let listenPort: number;

  before(async () => {
    echo = createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const toxiproxy = new Toxiproxy(toxiproxyUrl(lab()));
    proxy = await toxiproxy.createProxy({
      name: `test_echo_${unique()}`,
      listen: '127.0.0.1:0',
      upstream: `127.0.0.1:${(echo.address() as AddressInfo).port}`,
    });
    listenPort = Number(proxy.listen.split(':').pop());
  });

  after(async () => {
    await proxy?.remove();
    echo?.close();
  });

  it('a 300 ms latency toxic shows in the measured round trip, and removing it restores it', async () => {
    const before = await roundTrip(listenPort);
    assert.ok(before < 100, `baseline round trip ${before} ms`);
    const toxic = await proxy.addToxic({ name: 'latency_down', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 300, jitter: 0 } });
    const slowed = await roundTrip(listenPort);
    assert.ok(slowed >= 290, `round trip with the toxic ${slowed} ms`);
    await toxic.remove();
    const after = await roundTrip(listenPort);
    assert.ok(after < 100, `round trip after removing the toxic ${after} ms`);
  });

  it('a disabled proxy refuses connections, and enabling it lets them through again', async () => {
    proxy = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await assert.rejects(roundTrip(listenPort), /ECONNREFUSED/);
    proxy = await proxy.update({ enabled: true, listen: proxy.listen, upstream: proxy.upstream });
    assert.ok((await roundTrip(listenPort)) < 100);
  });

  it('exports per-proxy metrics', async () => {
    const metrics = await (await fetch(`${toxiproxyUrl(lab())}/metrics`)).text();
    assert.match(metrics, new RegExp(`toxiproxy_proxy_received_bytes_total\\{[^}]*proxy="${proxy.name}"`));
  });
});
