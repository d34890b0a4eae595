/**
 * Test-only: code blocks of the docs, so a test can run what a page shows and the page
 * cannot drift from what works.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository's docs/ folder. */
export const docsDir = fileURLToPath(new URL('../../../../docs/', import.meta.url));

/** The first fenced block of `language` after the heading `heading` in docs/`page`; throws when there is none. */
export function codeBlockUnder(page: string, heading: string, language: string): string {
  const text = readFileSync(`${docsDir}${page}`, 'utf8');
  const at = text.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`docs/${page} has no heading ${JSON.stringify(heading)}`);
  const block = new RegExp(`\\n\`\`\`${language}\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(text.slice(at));
  if (!block) throw new Error(`docs/${page}: no \`\`\`${language} block under ${JSON.stringify(heading)}`);
  return block[1]!;
}
