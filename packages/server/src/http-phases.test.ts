import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { HTTP_PHASES } from './app.js';

const LIFECYCLE = new URL('../../../docs/lifecycle.md', import.meta.url);

/** The bold phase names of the numbered list under "The HTTP phases, in order". */
function documentedPhases(): string[] {
  const text = readFileSync(LIFECYCLE, 'utf8');
  const section = text.split('### The HTTP phases, in order')[1]?.split('\n### ')[0] ?? '';
  return [...section.matchAll(/^\d+\. \*\*([^*]+)\*\*/gm)].map((match) => match[1]!);
}

describe('HTTP_PHASES', () => {
  it('are the phases docs/lifecycle.md names, in the same order', () => {
    assert.deepEqual(
      documentedPhases(),
      HTTP_PHASES.map((phase) => phase.name),
    );
  });

  it('each say which Fastify hooks they use, as the docs do', () => {
    const text = readFileSync(LIFECYCLE, 'utf8');
    for (const phase of HTTP_PHASES)
      assert.ok(
        text.includes(`**${phase.name}** (${phase.hooks})`),
        `docs/lifecycle.md: ${phase.name} (${phase.hooks})`,
      );
  });
});
