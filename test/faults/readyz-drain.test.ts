/**
 * A replica that is shutting down says so: once the drain starts, /readyz answers 503 on a connection the client
 * already holds (a load balancer's health checker keeps one), so traffic moves to other replicas, while the
 * request is still answered (never reset) and marked `connection: close`.
 */
import * as net from 'node:net';
import { startTestGateway } from '../helpers/gateway';

function request(socket: net.Socket, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const onData = (chunk: Buffer): void => {
      data += chunk.toString('latin1');
      const head = data.indexOf('\r\n\r\n');
      if (head < 0) return;
      const len = /content-length: *(\d+)/i.exec(data.slice(0, head));
      if (len && data.length - head - 4 < Number(len[1])) return;
      socket.off('data', onData);
      resolve(data);
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(raw);
  });
}

test('/readyz is 503 with connection: close once the gateway drains, 200 before', async () => {
  const gw = await startTestGateway();
  const socket = net.connect(gw.port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  const ask = 'GET /readyz HTTP/1.1\r\nhost: x\r\n\r\n';
  const before = await request(socket, ask);
  expect(before).toMatch(/^HTTP\/1\.1 200/);
  const closing = gw.close();
  const during = await request(socket, ask);
  expect(during).toMatch(/^HTTP\/1\.1 503/);
  expect(during).toMatch(/connection: close/i);
  socket.destroy();
  await closing;
});
