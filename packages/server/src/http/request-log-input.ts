import type { Principal, RequestLogInput } from '@tandem/core';

/** What a stored request-log entry is made from, whichever path answered the request. */
export interface AnsweredRequest {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  /** Milliseconds from arrival to the answer, two decimals. */
  readonly execTime: number;
  readonly principal: Principal;
  /** The socket's peer address. */
  readonly remoteIP: string;
  /** The client's address: the peer, or what a trusted proxy says it forwarded for. */
  readonly userIP: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A stored log entry's facts, as PocketBase's request log records them. */
export function toRequestLogInput(request: AnsweredRequest): RequestLogInput {
  const { principal } = request;
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : '';
  };
  return {
    method: request.method,
    url: request.url,
    status: request.status,
    execTime: request.execTime,
    remoteIP: request.remoteIP,
    userIP: request.userIP,
    userAgent: header('user-agent'),
    referer: header('referer'),
    auth:
      principal.kind === 'guest' ? 'guest' : principal.kind === 'superuser' ? '_superusers' : principal.collection.name,
    authId: principal.kind === 'record' ? principal.record.id : principal.kind === 'superuser' ? principal.id : '',
  };
}
