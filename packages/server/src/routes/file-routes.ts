import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isActiveContent, textQuery, type ActionDispatcher, type FileDownload } from '@tandem/core';
import { toRequestContext } from '../auth/request-context.js';
import { parseByteRange } from '../files/byte-ranges.js';

/**
 * PocketBase's file endpoints over the file actions: `POST /api/files/token` and
 * `GET /api/files/{collection}/{recordId}/{filename}` (`thumb`, `download`, `token`).
 * Core decides access (the record's view rule, the file token); this only sends bytes:
 * the sniffed type, Range, ETag/304, and active content (SVG, HTML) as an attachment.
 */
export function registerFileRoutes(app: FastifyInstance, dispatcher: ActionDispatcher): void {
  if (dispatcher.describe('files.token'))
    app.post('/api/files/token', async (request, reply) => {
      const result = await dispatcher.dispatch('files.token', { params: {}, query: {} }, toRequestContext(request));
      return reply.header('cache-control', 'no-store').send(result.body);
    });
  app.get('/api/files/:collection/:recordId/:filename', async (request, reply) => {
    const input = { params: request.params as Record<string, string>, query: textQuery(request.query) };
    const result = await dispatcher.dispatch('files.download', input, toRequestContext(request));
    return sendFile(request, reply, result.body as FileDownload, input.query);
  });
}

async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: FileDownload,
  query: Record<string, string>,
): Promise<FastifyReply> {
  const etag = `"${file.size.toString(36)}-${file.modified.getTime().toString(36)}"`;
  const attachment = isActiveContent(file.mimeType) || /^(1|t|true)$/i.test(query.download ?? '');
  reply
    .header('etag', etag)
    .header('last-modified', file.modified.toUTCString())
    .header('accept-ranges', 'bytes')
    .header('content-type', file.mimeType)
    .header('content-disposition', `${attachment ? 'attachment' : 'inline'}; filename="${file.name}"`)
    .header('content-security-policy', "default-src 'none'; sandbox")
    .header('cache-control', query.token ? 'private, no-store' : 'private, max-age=86400');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  const ifRange = request.headers['if-range'];
  const range =
    ifRange === undefined || ifRange === etag ? parseByteRange(request.headers.range, file.size) : undefined;
  if (!range) return reply.header('content-length', file.size).send(await file.open());
  reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
  return reply.header('content-length', range.end - range.start + 1).send(await file.open(range));
}
