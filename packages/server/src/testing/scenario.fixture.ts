/**
 * Test-only: PocketBase-style API scenarios. Each scenario is one request and what must
 * (and must not) come back, run against a freshly seeded database.
 */
import assert from 'node:assert/strict';
import type { TestApp } from './test-app.fixture.js';

/** One request and its expectations. */
export interface Scenario {
  readonly name: string;
  readonly method?: 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly url: string;
  /** A JSON body (sent with application/json). */
  readonly body?: unknown;
  /** A raw body, sent as is with `headers`. */
  readonly payload?: string | Buffer;
  readonly headers?: Record<string, string>;
  readonly status: number;
  /** Exact keys of `data` in an error body. */
  readonly dataKeys?: readonly string[];
  /** Text the raw response must contain. */
  readonly contains?: readonly string[];
  /** Text the raw response must not contain (besides the internals every scenario forbids). */
  readonly notContains?: readonly string[];
  /** Assertions on the parsed JSON body. */
  readonly json?: (body: any) => void;
  /** Setup on the database before the request (beyond the suite's fixture). */
  readonly before?: (t: TestApp) => Promise<void>;
  /** Assertions on the database after the request. */
  readonly after?: (t: TestApp) => Promise<void>;
}

// Internals that must never reach a client, whatever the request.
const ALWAYS_FORBIDDEN = [
  'stack',
  'SQLITE_',
  'SqliteError',
  'SELECT ',
  'node_modules',
  ' at /',
  'syntax error at or near',
];

/** Runs one scenario against an app and asserts every expectation. */
export async function runScenario(t: TestApp, scenario: Scenario): Promise<void> {
  await scenario.before?.(t);
  const headers: Record<string, string> = { ...scenario.headers };
  let payload = scenario.payload;
  if (scenario.body !== undefined) {
    payload = JSON.stringify(scenario.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await t.app.inject({ method: scenario.method ?? 'GET', url: scenario.url, headers, payload });
  const raw = response.body;
  assert.equal(response.statusCode, scenario.status, `status of ${scenario.name}: ${raw.slice(0, 500)}`);
  for (const text of scenario.contains ?? [])
    assert.ok(raw.includes(text), `${scenario.name}: expected ${JSON.stringify(text)} in ${raw.slice(0, 500)}`);
  for (const text of [...ALWAYS_FORBIDDEN, ...(scenario.notContains ?? [])]) {
    assert.ok(!raw.includes(text), `${scenario.name}: forbidden ${JSON.stringify(text)} in ${raw.slice(0, 500)}`);
  }
  const body = raw && response.headers['content-type']?.toString().includes('json') ? JSON.parse(raw) : undefined;
  if (response.statusCode >= 400 && scenario.method !== 'HEAD') assertErrorShape(body, response.statusCode, scenario);
  scenario.json?.(body);
  await scenario.after?.(t);
}

function assertErrorShape(body: any, status: number, scenario: Scenario): void {
  assert.equal(body?.status, status, `${scenario.name}: error body status`);
  assert.equal(typeof body.message, 'string');
  assert.equal(typeof body.data, 'object');
  assert.equal(typeof body.code, 'string');
  if (scenario.dataKeys)
    assert.deepEqual(
      Object.keys(body.data).sort(),
      [...scenario.dataKeys].sort(),
      `${scenario.name}: data keys ${JSON.stringify(body.data)}`,
    );
}
