import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prefersXml } from './accept-negotiation.js';

const cases: readonly [accept: string | undefined, xml: boolean][] = [
  [undefined, false],
  ['', false],
  ['*/*', false],
  ['application/json', false],
  ['application/xml', true],
  ['text/xml', true],
  ['APPLICATION/XML', true],
  ['application/*', false],
  ['application/json, application/xml', false],
  ['application/xml, application/json', false],
  ['application/xml, application/json;q=0.9', true],
  ['application/json;q=0.5, application/xml;q=0.8', true],
  ['application/json;q=0.8, application/xml;q=0.5', false],
  ['application/xml, */*;q=0.1', true],
  ['application/xml;q=0, */*', false],
  ['application/xml;q=0', false],
  ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
  ['text/html', false],
  ['application/xml;q=0.9, application/*;q=0.1', true],
  ['application/*;q=0.5, text/xml', true],
  ['application/xml;q=abc, application/json;q=0.5', true],
  ['application/xml ; q=0.3 , application/json ; q=0.2', true],
  ['image/svg+xml', false],
];

describe('prefersXml', () => {
  for (const [accept, xml] of cases)
    it(`answers ${xml ? 'XML' : 'JSON'} for Accept: ${accept ?? '(none)'}`, () => {
      assert.equal(prefersXml(accept), xml);
    });
});
