import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { createTestApp, type TestApp } from '../testing/test-app.fixture.js';
import { call } from '../testing/http-client.fixture.js';
import { openTestSocket } from '../testing/ws-client.fixture.js';

/**
 * Raw RFC 6455 probes against the WebSocket endpoint (reliability.md 2.13): hand-built
 * frames over a plain TCP socket, so the server's configuration is what is tested.
 */
describe('WebSocket raw-frame probes', () => {
  let t: TestApp;
  let port: number;
  /** An app with the default 64 MiB of event backlog past a 64 KiB bound: what answers alone are held to shows. */
  let wide: TestApp;
  let widePort: number;

  /** Starts an app with the `blobs` collection; resolves with it and its port. */
  async function startApp(webSocket: Record<string, number>): Promise<[TestApp, number]> {
    const app = await createTestApp('sqlite', { webSocket });
    await app.collections.import([
      {
        name: 'blobs',
        listRule: '',
        viewRule: '',
        createRule: '',
        updateRule: '',
        deleteRule: '',
        fields: [{ name: 'data', type: 'json', maxSize: 2_000_000 }],
      },
    ]);
    const address = await app.app.listen({ port: 0, host: '127.0.0.1' });
    return [app, Number(new URL(address).port)];
  }

  before(async () => {
    [t, port] = await startApp({ maxMessageBytes: 1024, maxBufferedBytes: 64 * 1024, maxBacklogBytes: 256 * 1024 });
    [wide, widePort] = await startApp({ maxBufferedBytes: 64 * 1024 });
  });
  after(async () => Promise.all([t.cleanup(), wide.cleanup()]));

  /** Opens a raw socket and completes the upgrade; resolves with the socket and what followed the 101. */
  function upgrade(extraHeaders: string[] = [], to = port): Promise<{ socket: Socket; received: () => Buffer }> {
    return new Promise((resolve, reject) => {
      const socket = connect(to, '127.0.0.1');
      let buffer = Buffer.alloc(0);
      let upgraded = false;
      const fail = (error: Error) => {
        socket.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error('no upgrade answer')), 5000);
      socket.on('data', (chunk) => {
        buffer = Buffer.concat([buffer, chunk]);
        if (upgraded) return;
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        clearTimeout(timer);
        const head = buffer.subarray(0, end).toString();
        buffer = buffer.subarray(end + 4);
        if (!head.startsWith('HTTP/1.1 101')) return fail(new Error(head.split('\r\n')[0]));
        upgraded = true;
        resolve({ socket, received: () => buffer });
      });
      socket.on('error', fail);
      socket.on('close', () => fail(new Error('closed before the upgrade')));
      socket.write(
        [
          'GET /api/ws HTTP/1.1',
          'Host: 127.0.0.1',
          'Upgrade: websocket',
          'Connection: Upgrade',
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
          'Sec-WebSocket-Version: 13',
          'Sec-WebSocket-Protocol: tandem.v1',
          ...extraHeaders,
          '',
          '',
        ].join('\r\n'),
      );
    });
  }

  /** A client frame: FIN + opcode, optional RSV1, masked unless told otherwise. */
  function frame(
    opcode: number,
    payload: Buffer,
    options: { fin?: boolean; rsv1?: boolean; masked?: boolean; declaredLength?: number } = {},
  ): Buffer {
    const { fin = true, rsv1 = false, masked = true } = options;
    const length = options.declaredLength ?? payload.length;
    const head = [(fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode];
    const lengthBytes =
      length < 126
        ? [length]
        : length < 65536
          ? [126, length >> 8, length & 0xff]
          : [127, 0, 0, 0, 0, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff];
    head.push((masked ? 0x80 : 0) | lengthBytes[0]!, ...lengthBytes.slice(1));
    if (!masked) return Buffer.concat([Buffer.from(head), payload]);
    const mask = randomBytes(4);
    const body = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]!));
    return Buffer.concat([Buffer.from(head), mask, body]);
  }

  /** The status code of the server's close frame (after its text frames), or rejects after 5 s. */
  function closeCode(socket: Socket, received: () => Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no close frame')), 5000);
      const check = () => {
        let data = received();
        while (data.length >= 2) {
          const opcode = data[0]! & 0x0f;
          let length = data[1]! & 0x7f;
          let offset = 2;
          if (length === 126) (length = data.readUInt16BE(2)), (offset = 4);
          if (data.length < offset + length) return;
          if (opcode === 0x8) {
            clearTimeout(timer);
            return resolve(data.readUInt16BE(offset));
          }
          data = data.subarray(offset + length);
        }
      };
      socket.on('data', check);
      socket.on('close', check);
      check();
    });
  }

  const probes: Array<[string, (socket: Socket) => void, number]> = [
    ['a message larger than the limit closes with 1009', (s) => s.write(frame(0x1, Buffer.alloc(2048, 0x61))), 1009],
    [
      'invalid UTF-8 in a text frame closes with 1007',
      (s) => s.write(frame(0x1, Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))),
      1007,
    ],
    [
      'an unmasked client frame closes with 1002',
      (s) => s.write(frame(0x1, Buffer.from('{}'), { masked: false })),
      1002,
    ],
    [
      'RSV1 without a negotiated extension closes with 1002',
      (s) => s.write(frame(0x1, Buffer.from('{}'), { rsv1: true })),
      1002,
    ],
    ['a fragmented control frame closes with 1002', (s) => s.write(frame(0x9, Buffer.from('x'), { fin: false })), 1002],
    ['a binary frame closes with 1003', (s) => s.write(frame(0x2, Buffer.from([1, 2, 3]))), 1003],
  ];
  for (const [name, send, expected] of probes) {
    it(name, async () => {
      const { socket, received } = await upgrade();
      send(socket);
      assert.equal(await closeCode(socket, received), expected);
      socket.destroy();
    });
  }

  it('survives a 2000-header upgrade and a 64 KB subprotocol header', async () => {
    const many = Array.from({ length: 2000 }, (_, i) => `X-Probe-${i}: ${i}`);
    await upgrade(many).then(
      ({ socket }) => socket.destroy(),
      () => undefined,
    );
    const long = [`Sec-WebSocket-Protocol: ${'a,'.repeat(32 * 1024)}tandem.v1`];
    await upgrade(long).then(
      ({ socket }) => socket.destroy(),
      () => undefined,
    );
    assert.equal((await call(t, 'GET', '/api/health')).status, 200);
    const { socket } = await upgrade();
    socket.destroy();
  });

  it('paces a resume past a backlog many times the bound by how fast the client reads', async () => {
    // 15 MB of changes against a 64 KiB bound and 256 KiB of backlog: written at once, they
    // would drop the client as slow however fast it reads. The replay waits for room instead.
    const socket = await openTestSocket(`http://127.0.0.1:${port}`);
    try {
      const { seq } = socket.messages[0] as { seq: number };
      const blob = 'r'.repeat(100_000);
      const ids: unknown[] = [];
      for (let i = 0; i < 150; i++) ids.push((await t.seed('blobs', { data: { i, blob } })).id);
      socket.send({ type: 'subscribe', id: 'r', topic: 'blobs/*' });
      await socket.waitFor((m) => m.type === 'subscribed');
      socket.send({ type: 'resume', lastSeq: seq });
      await socket.waitFor((m) => m.type === 'resumed', 60_000);
      const events = socket.messages.filter((m) => m.type === 'event') as Array<{ record: { id: string } }>;
      assert.deepEqual(
        events.map((event) => event.record.id),
        ids,
      );
      assert.equal(socket.ws.readyState, socket.ws.OPEN);
    } finally {
      socket.ws.terminate();
    }
  });

  it('drops a client that sends requests and never reads the answers, soon after the bound', async () => {
    // Answers are the socket's own bytes: a client could fill memory with them. Past the
    // 64 KiB bound they may add 64 KiB more, where events may fall 64 MiB further behind:
    // held to the events' backlog, 30 MB of answers would stay for the 30 s a reader has.
    const before = wide.realtime.size;
    const id = (await wide.seed('blobs', { data: { blob: 'a'.repeat(30_000) } })).id as string;
    const { socket } = await upgrade([], widePort);
    socket.pause(); // never reads an answer
    const ask = (n: number) =>
      frame(
        0x1,
        Buffer.from(
          JSON.stringify({ type: 'request', id: `v${n}`, action: 'view', collection: 'blobs', recordId: id }),
        ),
      );
    // 1,000 answers of 30 kB: 30 MB if the server took them all; the kernel's buffers take a few MB.
    for (let n = 0; n < 1000; n++) socket.write(ask(n));
    for (let i = 0; i < 250 && wide.realtime.size > before; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(wide.realtime.size, before, 'the client that does not read its answers is gone');
    socket.destroy();
  });

  it('drops a client that never reads once its unsent data passes the bound', async () => {
    for (let i = 0; i < 100 && t.realtime.size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const before = t.realtime.size;
    const { socket } = await upgrade();
    socket.write(frame(0x1, Buffer.from(JSON.stringify({ type: 'subscribe', id: 's', topic: 'blobs/*' }))));
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.pause(); // never read again: the kernel buffers fill, then the server's queue grows
    assert.equal(t.realtime.size, before + 1);
    const blob = 'x'.repeat(100_000);
    for (let i = 0; i < 200 && t.realtime.size > before; i++)
      await t.records.create(
        'blobs',
        { data: { blob } },
        {},
        { principal: { kind: 'superuser', id: 'test' }, method: 'POST', headers: {}, query: {}, context: 'default' },
      );
    for (let i = 0; i < 50 && t.realtime.size > before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(t.realtime.size, before, 'the slow consumer is gone');
    socket.destroy();
  });
});
