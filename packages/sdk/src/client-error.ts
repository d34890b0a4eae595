import type { ErrorResponseBody } from '@tandem/protocol';

/** Codes the SDK gives failures that never reached the server or never came back. */
export const ClientErrorCode = {
  /** The request could not be sent or its answer not read (DNS, refused connection, reset). */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** The caller's AbortSignal fired. */
  ABORTED: 'ABORTED',
  /** The server answered with a status but no JSON error body. */
  UNKNOWN_ERROR: 'UNKNOWN_ERROR',
  /** A request over the socket got no answer because the socket closed. */
  SOCKET_CLOSED: 'SOCKET_CLOSED',
} as const;

/**
 * Every failed request, over HTTP or the socket: the HTTP status (0 when nothing came
 * back), the server's stable `code` (docs/errors.md), its message and `data`
 * (field errors for validation failures).
 *
 * @example
 * try {
 *   await client.collection('posts').create({ title: '' });
 * } catch (error) {
 *   if (error instanceof ClientError && error.status === 400) console.log(error.data.title);
 * }
 */
export class ClientError extends Error {
  override readonly name = 'ClientError';
  readonly status: number;
  readonly code: string;
  readonly data: Record<string, unknown>;

  constructor(
    status: number,
    code: string,
    message: string,
    data: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = status;
    this.code = code;
    this.data = data;
  }

  /** True when the request never got an answer (network failure or abort). */
  get isNetworkError(): boolean {
    return this.status === 0;
  }
}

/** Builds the ClientError of an error answer; a body that is not Tandem's error shape still gives status and a message. */
export function toClientError(status: number, body: unknown): ClientError {
  const error = (body ?? {}) as Partial<ErrorResponseBody>;
  const message = typeof error.message === 'string' ? error.message : `Request failed with status ${status}.`;
  const code = typeof error.code === 'string' ? error.code : ClientErrorCode.UNKNOWN_ERROR;
  const data = error.data && typeof error.data === 'object' ? error.data : {};
  return new ClientError(status, code, message, data);
}

/** The ClientError of a request that got no answer: ABORTED when the signal fired, NETWORK_ERROR otherwise. */
export function toNetworkError(cause: unknown, signal?: AbortSignal): ClientError {
  if (signal?.aborted || (cause as Error | undefined)?.name === 'AbortError') {
    return new ClientError(0, ClientErrorCode.ABORTED, 'The request was aborted.', {}, { cause });
  }
  return new ClientError(
    0,
    ClientErrorCode.NETWORK_ERROR,
    `The request failed: ${(cause as Error)?.message ?? String(cause)}`,
    {},
    { cause },
  );
}
