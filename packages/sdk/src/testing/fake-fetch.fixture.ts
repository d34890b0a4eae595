/** One request the fake fetch saw. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  credentials: RequestCredentials | undefined;
}

/** What a route answers: a status and a JSON body (or nothing). */
export interface FakeAnswer {
  status: number;
  body?: unknown;
}

/**
 * Test-only: a fetch that answers from a handler and records every request, so client
 * behaviour (headers, retries, refresh trades) can be checked without a server.
 */
export function createFakeFetch(handler: (request: SeenRequest) => FakeAnswer | Promise<FakeAnswer>) {
  const requests: SeenRequest[] = [];
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    init.signal?.throwIfAborted();
    const request: SeenRequest = {
      method: init.method ?? 'GET',
      url: String(input),
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      credentials: init.credentials,
    };
    requests.push(request);
    const answer = await handler(request);
    init.signal?.throwIfAborted();
    const text = answer.body === undefined ? '' : JSON.stringify(answer.body);
    return new Response(answer.status === 204 ? null : text, {
      status: answer.status,
      headers: { 'content-type': 'application/json' },
    });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}
