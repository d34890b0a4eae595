import { AppError, parseJsonDocument } from '@tandem/core';

/**
 * Reads the multipart form the pocketbase SDK sends to `/api/batch`: one or more
 * `@jsonPayload` parts, each a JSON object, merged in order. Other text parts are
 * ignored. File parts (`requests.N.field`) are refused with a 400: batch file uploads
 * are not supported yet. Each part may hold at most `maxValues` JSON values.
 */
export function parseBatchMultipart(body: Buffer, contentType: string, maxValues: number): Record<string, unknown> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!boundary) throw new AppError('BODY_INVALID', 'The multipart body has no boundary.');
  const payload: Record<string, unknown> = {};
  for (const part of splitParts(body.toString('latin1'), `--${boundary[1] ?? boundary[2]}`)) {
    const end = part.indexOf('\r\n\r\n');
    if (end < 0) throw new AppError('BODY_INVALID', 'A multipart part has no headers.');
    const disposition = /^content-disposition:(.*)$/im.exec(part.slice(0, end))?.[1] ?? '';
    if (/\bfilename\*?=/i.test(disposition))
      throw new AppError('BATCH_INVALID', 'File uploads in batch requests are not supported yet.', {
        requests: { code: 'validation_file_unsupported', message: 'Batch requests cannot carry files yet.' },
      });
    if (/\bname="@jsonPayload"/i.test(disposition))
      Object.assign(payload, jsonObject(Buffer.from(part.slice(end + 4), 'latin1').toString('utf8'), maxValues));
  }
  return payload;
}

/** The parts between boundary lines, without the trailing CRLF of each. */
function splitParts(text: string, delimiter: string): string[] {
  const pieces = text.split(delimiter);
  if (pieces.length < 3) throw new AppError('BODY_INVALID', 'The multipart body is malformed.');
  // pieces[0] is the preamble; the last piece starts with "--" (the closing delimiter).
  return pieces.slice(1, -1).map((piece) => piece.replace(/^\r\n/, '').replace(/\r\n$/, ''));
}

/** A JSON object, parsed with the bounds of every JSON input, like the JSON body parser. */
function jsonObject(text: string, maxValues: number): Record<string, unknown> {
  const value = parseJsonDocument(text, maxValues);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new AppError('BODY_INVALID', '@jsonPayload must be a JSON object.');
  return value as Record<string, unknown>;
}
