import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseXmlDocument } from './xml-document.js';

function parse(text: string | Uint8Array, maxElements = 10_000): unknown {
  return parseXmlDocument(typeof text === 'string' ? Buffer.from(text) : text, maxElements);
}

function refusedWith(text: string | Uint8Array, code: string, maxElements?: number): void {
  assert.throws(
    () => parse(text, maxElements),
    (error: { code?: string }) => {
      assert.equal(error.code, code);
      return true;
    },
  );
}

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<record><title>&lol4;</title></record>`;

const EXTERNAL_ENTITY = `<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<record><title>&xxe;</title></record>`;

describe('parseXmlDocument', () => {
  it('reads the mapping: text, types, entries, items, character references, CDATA', () => {
    const value = parse(
      `<?xml version="1.0" encoding="utf-8"?>\n<record>\n  <title> a &amp; b &#x1F600;&#10;</title>\n` +
        `  <n type="number"> -1.5e3 </n><yes type="boolean">true</yes><nil type="null"/>\n` +
        `  <tags type="array">\n    <item>x</item>\n    <item type="number">2</item>\n  </tags>\n` +
        `  <entry key="not a name">v</entry><entry key="\\t" keyEncoding="json"/><raw><![CDATA[<b>&</b>]]></raw>\n` +
        `  <empty type="object"/><nested><deep type="array"/></nested><esc encoding="json">\\u0000</esc>\n</record>`,
    );
    assert.deepStrictEqual(value, {
      title: ' a & b 😀\n',
      n: -1500,
      yes: true,
      nil: null,
      tags: ['x', 2],
      'not a name': 'v',
      '\t': '',
      raw: '<b>&</b>',
      empty: {},
      nested: { deep: [] },
      esc: '\u0000',
    });
  });

  it('hands on CR LF and a lone CR as LF (XML 1.0 §2.11), and &#13; as CR', () => {
    assert.deepStrictEqual(parse('<r><a>1\r\n2\r3&#13;</a></r>'), { a: '1\n2\n3\r' });
  });

  it('reads an empty body as no body', () => {
    assert.equal(parse('  \n'), undefined);
  });

  it('refuses entity expansion (billion laughs) before parsing: XML_DTD_FORBIDDEN', () => {
    refusedWith(BILLION_LAUGHS, 'XML_DTD_FORBIDDEN');
  });

  it('refuses an external entity (file:///etc/passwd): XML_DTD_FORBIDDEN', () => {
    refusedWith(EXTERNAL_ENTITY, 'XML_DTD_FORBIDDEN');
    refusedWith('<!doctype r SYSTEM "http://127.0.0.1:1/x.dtd"><r/>', 'XML_DTD_FORBIDDEN');
  });

  it('refuses undefined entities and references to characters XML forbids', () => {
    refusedWith('<r><a>&xxe;</a></r>', 'XML_INVALID');
    refusedWith('<r><a>&#0;</a></r>', 'XML_INVALID');
    refusedWith('<r><a>&#xD800;</a></r>', 'XML_INVALID');
    refusedWith('<r><a>a & b</a></r>', 'XML_INVALID');
  });

  it('refuses deep nesting without recursing into it: XML_TOO_DEEP', () => {
    const depth = 100_000;
    refusedWith(`${'<a>'.repeat(depth)}${'</a>'.repeat(depth)}`, 'XML_TOO_DEEP', 1_000_000);
  });

  it('refuses more elements than the caller may send values, before parsing: XML_TOO_LARGE', () => {
    refusedWith(`<r type="array">${'<item/>'.repeat(101)}</r>`, 'XML_TOO_LARGE', 100);
  });

  it('refuses many unclosed CDATA sections in linear time', () => {
    refusedWith(`<r>${'<![CDATA[&'.repeat(100_000)}</r>`, 'XML_INVALID', 1_000_000);
  });

  it('reads & inside CDATA as text, and refuses it outside', () => {
    assert.deepStrictEqual(parse('<r><a><![CDATA[a & b]]></a><b>&amp;</b></r>'), { a: 'a & b', b: '&' });
  });

  it('refuses attributes outside the mapping, however large', () => {
    refusedWith(`<record title="${'A'.repeat(500_000)}"/>`, 'XML_INVALID');
  });

  it('refuses invalid UTF-8, foreign encodings and raw control characters', () => {
    refusedWith(Buffer.from([0x3c, 0x72, 0x3e, 0xc3, 0x28, 0x3c, 0x2f, 0x72, 0x3e]), 'XML_INVALID');
    refusedWith('<?xml version="1.0" encoding="ISO-8859-1"?><r/>', 'XML_INVALID');
    refusedWith('<r><a>\u0001</a></r>', 'XML_INVALID');
  });

  it('refuses malformed XML and shapes outside the mapping', () => {
    for (const text of [
      '<r><a></r>',
      '<r/><s/>',
      'text',
      '<r><a type="date">x</a></r>',
      '<r><a type="number">0x10</a></r>',
      '<r><a type="number">1e999</a></r>',
      '<r><a type="boolean">yes</a></r>',
      '<r><a>1</a><a>2</a></r>',
      '<r type="array"><x/></r>',
      '<r>text<a/></r>',
      '<r><a key="k">1</a></r>',
      '<r><a encoding="base64">x</a></r>',
      '<r><__proto__/></r>',
    ])
      refusedWith(text, 'XML_INVALID');
  });

  it('keeps a __proto__ key as a key, for the JSON checks to refuse', () => {
    const value = parse('<r><entry key="__proto__"><polluted type="boolean">true</polluted></entry></r>') as object;
    assert.ok(Object.hasOwn(value, '__proto__'));
    assert.equal(({} as { polluted?: boolean }).polluted, undefined);
    assert.equal(Object.getPrototypeOf(value), Object.prototype);
  });
});
