import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { jsonValueError } from '@tandem/core';
import { prefersXml } from '../http/accept-negotiation.js';
import { appendVary } from '../http/vary.js';
import { rootNameOf, toXmlDocument, XML_TYPE } from '../xml/xml-writer.js';
import { valueLimitOf, type BodyLimits } from './body-limits.js';

/**
 * XML as a second representation of every JSON answer (docs/api.md#xml): when the
 * request's Accept prefers XML, a JSON body on its way out is rewritten to XML before
 * the ETag is taken (so tags and 304s are per representation). Every negotiated answer
 * carries `Vary: Accept`; GET 200 answers get theirs with the caching phase's Vary. A
 * JSON request pays one header read and one search of its Accept field for this.
 */
export function installXmlRepresentation(app: FastifyInstance): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const type = reply.getHeader('content-type');
    if (typeof type !== 'string' || !isNegotiated(type)) return done(null, payload);
    // GET and HEAD 200 answers get `Vary: Accept, Authorization, Cookie` in one write from the caching phase.
    if (reply.statusCode !== 200 || (request.method !== 'GET' && request.method !== 'HEAD'))
      appendVary(reply, 'Accept');
    if (!type.startsWith('application/json') || !prefersXml(request.headers.accept)) return done(null, payload);
    done(null, toXmlPayload(reply, payload));
  });
}

function isNegotiated(type: string): boolean {
  return type.startsWith('application/json') || type.startsWith('application/xml');
}

/** The XML of a JSON body (the body itself when it is not a JSON text held in memory). */
function toXmlPayload(reply: FastifyReply, payload: unknown): unknown {
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return payload;
  let value: unknown;
  try {
    value = JSON.parse(payload.toString());
  } catch {
    return payload;
  }
  reply.header('content-type', XML_TYPE);
  // A route's own tag names the JSON bytes; the caching phase tags the XML ones.
  reply.removeHeader('etag');
  return toXmlDocument(value, rootNameOf(value, reply.statusCode));
}

/**
 * Reads `application/xml` and `text/xml` bodies into the JSON value they stand for,
 * with JSON's bounds (the caller's count of values, depth, clean text, no `__proto__`
 * keys), so a write answers the same validation errors in either representation. The
 * body limits and budget run before any parser and hold XML bodies as they hold JSON.
 */
export function installXmlBodyParser(app: FastifyInstance, bodyLimits: BodyLimits): void {
  app.addContentTypeParser(
    ['application/xml', 'text/xml'],
    { parseAs: 'buffer' },
    async (request: FastifyRequest, body: Buffer) => {
      const { parseXmlDocument } = await loadXmlParser();
      const value = parseXmlDocument(body, valueLimitOf(bodyLimits, request));
      const error = value === undefined ? undefined : jsonValueError(value);
      if (error) throw error;
      return value;
    },
  );
}

let xmlParser: Promise<typeof import('../xml/xml-document.js')> | undefined;

/** The XML parser, loaded with its library on the first XML body: servers that never get one never load it. */
function loadXmlParser(): Promise<typeof import('../xml/xml-document.js')> {
  xmlParser ??= import('../xml/xml-document.js');
  return xmlParser;
}
