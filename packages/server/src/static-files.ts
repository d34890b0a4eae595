import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '@tandem/core';
import { setHtmlSecurityHeaders } from './edge/security-headers.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.xml': 'application/xml',
  '.pdf': 'application/pdf',
};

/**
 * Serves files under `root` at `/`: content types by extension, a strong ETag from size
 * and modification time (304 on a match), `index.html` for directories. Paths that
 * leave the root (`..`, encoded or not, or a symlink pointing out) are 404. `before`
 * runs first and may answer instead (the custom routes of server hooks).
 */
export function registerStaticFiles(app: FastifyInstance, root: string, before?: preHandlerAsyncHookHandler): void {
  const base = resolve(root);
  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    ...(before ? { preHandler: before } : {}),
    handler: async (request, reply) => serveFile(base, request, reply),
  });
}

/**
 * Serves the admin UI's built files under `/_/` (`/_` redirects there), with the same
 * headers as other static files: the HTML gets the same-origin-only CSP. The UI routes
 * by the URL's hash, so `/_/` is its one document.
 */
export function registerAdminUi(app: FastifyInstance, root: string): void {
  const base = resolve(root);
  app.get('/_', (_request, reply) => reply.redirect('/_/', 308));
  app.route({
    method: ['GET', 'HEAD'],
    url: '/_/*',
    handler: async (request, reply) => serveFile(base, request, reply),
  });
}

async function serveFile(base: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const path = (request.params as { '*': string })['*'];
  if (path.startsWith('api/') || path === 'api') throw new AppError('NOT_FOUND');
  const file = await locate(base, path);
  if (!file) throw new AppError('NOT_FOUND');
  const etag = `"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}"`;
  reply.header('etag', etag).header('cache-control', 'no-cache');
  const type = CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream';
  reply.header('content-type', type);
  if (type.startsWith('text/html')) setHtmlSecurityHeaders(reply);
  if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
  reply.header('content-length', file.size);
  if (request.method === 'HEAD') return reply.send();
  return reply.send(createReadStream(file.path));
}

async function locate(
  base: string,
  urlPath: string,
): Promise<{ path: string; size: number; mtimeMs: number } | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.split(/[\\/]/).includes('..')) return undefined;
  let path = resolve(join(base, decoded));
  if (path !== base && !path.startsWith(base + sep)) return undefined;
  try {
    let info = await stat(path);
    if (info.isDirectory()) {
      path = join(path, 'index.html');
      info = await stat(path);
    }
    const real = await realpath(path);
    const realBase = await realpath(base);
    if (!real.startsWith(realBase + sep) || !info.isFile()) return undefined;
    return { path: real, size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    return undefined;
  }
}

/** RFC 9110 §13.1.2: `*` or any listed tag matches (weak comparison for If-None-Match). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === opaque);
}
