import type { RequestLogInput } from '../logs/log-entry.js';

/** A guest's GET of `url` from 127.0.0.1, as a request log entry's facts; `overrides` change any of them. */
export function guestRequestLogInput(url: string, overrides: Partial<RequestLogInput> = {}): RequestLogInput {
  return {
    method: 'GET',
    url,
    status: 200,
    execTime: 0.5,
    remoteIP: '127.0.0.1',
    userIP: '127.0.0.1',
    userAgent: '',
    referer: '',
    auth: 'guest',
    authId: '',
    ...overrides,
  };
}
