import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Readable } from 'node:stream';
import { parseMultipart } from './multipart-body.js';
import type { UploadSpool } from './upload-spool.js';

/** A spool whose first file takes longest to store, as a large first file would. */
function slowFirstSpool(): UploadSpool {
  let calls = 0;
  return {
    async receive(part: Readable, originalName: string) {
      const delayMs = calls++ === 0 ? 30 : 0;
      for await (const _ of part) {
        // drain the part
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      return { originalName, discard: async () => undefined };
    },
  } as unknown as UploadSpool;
}

function formBody(boundary: string, files: Array<[string, string, string]>): Buffer {
  const parts = files.map(
    ([field, name, text]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: text/plain\r\n\r\n${text}\r\n`,
  );
  return Buffer.from(`${parts.join('')}--${boundary}--\r\n`);
}

describe('parseMultipart', () => {
  it("keeps a field's files in form order when they finish storing out of order", async () => {
    const boundary = 'tandem-boundary';
    const body = formBody(boundary, [
      ['attachments', 'a.txt', 'first'],
      ['attachments', 'b.txt', 'second'],
      ['attachments', 'c.txt', 'third'],
    ]);
    const parsed = await parseMultipart(
      Readable.from([body]),
      { 'content-type': `multipart/form-data; boundary=${boundary}` },
      { maxParts: 10, maxFiles: 10, maxTextBytes: 1024, maxValues: 100 },
      { fileLimit: () => 1024, decode: (_key, value) => value },
      slowFirstSpool(),
    );
    const names = (parsed.body.attachments as Array<{ originalName: string }>).map((upload) => upload.originalName);
    assert.deepEqual(names, ['a.txt', 'b.txt', 'c.txt']);
  });
});
