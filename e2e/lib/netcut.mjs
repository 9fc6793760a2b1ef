// A tiny HTTP proxy that one simulated person's browser context goes through, so a
// test can pull their network cable: `cut()` drops every open connection (the room
// WebSocket included) and refuses new ones until `restore()`.
//
// Why not `context.setOffline(true)`: in Chromium it fails new requests but leaves open
// WebSockets running (checked with Chromium 156; see microsoft/playwright#4910), so the
// room channel would never notice. Dropping the TCP connections is what a real network
// loss does, and it exercises the real browser WebSocket and the server's side of it.
//
// Chromium sends plain HTTP to a proxy as absolute-form requests (`GET http://host/path`),
// which the server accepts as is, and tunnels WebSockets with CONNECT. Only the server's
// own host:port is forwarded; anything else is refused (and would fail the test's
// same-origin check anyway).
import { connect, createServer } from 'node:net';

export async function startNetCut(origin) {
  const target = new URL(origin);
  const targetHost = target.hostname;
  const targetPort = Number(target.port);
  const open = new Set();
  let down = false;

  const track = (socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const proxy = createServer((client) => {
    track(client);
    if (down) {
      client.destroy();
      return;
    }
    client.once('data', (first) => {
      const head = first.toString('latin1');
      const connectTo = /^CONNECT ([^\s:]+):(\d+) HTTP/.exec(head);
      if (connectTo && (connectTo[1] !== targetHost || Number(connectTo[2]) !== targetPort)) {
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      if (!connectTo && !head.includes(` http://${target.host}/`)) {
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      client.pause();
      const upstream = connect(targetPort, targetHost, () => {
        if (connectTo) {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        } else {
          upstream.write(first);
        }
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      track(upstream);
      // When either side goes, the other goes too: no half-open tunnels.
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
    });
  });
  proxy.on('error', () => undefined);

  await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address();

  return {
    /** For `browser.newContext({ proxy })`; `<-loopback>` stops Chromium bypassing it for 127.0.0.1. */
    proxy: { server: `http://127.0.0.1:${port}`, bypass: '<-loopback>' },
    /** Drops every connection now and refuses new ones. */
    cut() {
      down = true;
      for (const s of open) s.destroy();
    },
    /** Lets connections through again. */
    restore() {
      down = false;
    },
    get isCut() {
      return down;
    },
    async close() {
      down = true;
      for (const s of open) s.destroy();
      await new Promise((resolve) => proxy.close(() => resolve()));
    },
  };
}
