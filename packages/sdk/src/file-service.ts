import type { RequestOptions } from './http-request.js';
import { joinUrl } from './http-request.js';
import { toQueryString } from './query-string.js';

/** What `FileService.getUrl` needs of a record: its collection and id. */
export interface FileOwner {
  readonly id: string;
  readonly collectionId?: string;
  readonly collectionName?: string;
}

/** Options of a file's URL. */
export interface FileUrlOptions {
  /** A thumbnail size the field declares, e.g. `100x100`, `0x50`, `100x100t`. */
  thumb?: string;
  /** A file token (`getToken`): needed for the files of a `protected` field. */
  token?: string;
  /** Asks the server to answer as an attachment (`Content-Disposition: attachment`). */
  download?: boolean;
}

/** Sends one POST with the client's credentials (the client's `send`). */
type PostSender = (request: { method: 'POST'; path: string } & RequestOptions) => Promise<unknown>;

/** The client side of `/api/files`: file URLs and the short-lived tokens of protected files. */
export class FileService {
  readonly #baseUrl: string;
  readonly #send: PostSender;

  constructor(baseUrl: string, send: PostSender) {
    this.#baseUrl = baseUrl;
    this.#send = send;
  }

  /** The URL of a record's stored file (`filename` as the record holds it), or '' without one. */
  getUrl(record: FileOwner, filename: string, options: FileUrlOptions = {}): string {
    const collection = record.collectionId || record.collectionName;
    if (!filename || !record.id || !collection) return '';
    const path = ['api', 'files', collection, record.id, filename].map(encodeURIComponent).join('/');
    const query: Record<string, string> = {};
    if (options.thumb) query.thumb = options.thumb;
    if (options.token) query.token = options.token;
    if (options.download) query.download = '1';
    return joinUrl(this.#baseUrl, path) + toQueryString(query);
  }

  /** A short-lived token that opens the signed-in caller's protected files (`POST /api/files/token`). */
  async getToken(options: RequestOptions = {}): Promise<string> {
    const answer = (await this.#send({ method: 'POST', path: '/api/files/token', ...options })) as { token?: string };
    return answer?.token ?? '';
  }
}
