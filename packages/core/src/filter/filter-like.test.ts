import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { containsPatternOf, likePatternOf, matchLike, renderLikePattern } from './filter-like.js';
import { compareCodePoints, foldAscii, isCleanText } from '../text/code-points.js';

describe('likePatternOf', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['abc', '%abc%'],
    ['ABC', '%abc%'],
    ['a_b', '%a\\_b%'],
    ['50\\%', '%50\\%%'],
    ['a\\b', '%a\\\\b%'],
    ['a\\', '%a\\\\%'],
    ['a\\\\b', '%a\\\\b%'],
    ['abc%', 'abc%'],
    ['%a_c', '%a_c'],
    ['\\\\%', '\\\\%'],
    ['a\\x%', 'ax%'],
    ['a%\\', 'a%\\\\'],
    ['', '%%'],
  ];
  for (const [text, rendered] of cases) {
    it(`turns ${JSON.stringify(text)} into the LIKE pattern ${JSON.stringify(rendered)}`, () => {
      assert.equal(renderLikePattern(likePatternOf(text)), rendered);
    });
  }

  it('matches a substring without %, and treats _ literally there', () => {
    assert.equal(matchLike(likePatternOf('o_w'), 'Hello_World'), true);
    assert.equal(matchLike(likePatternOf('o_w'), 'Hello World'), false);
    assert.equal(matchLike(likePatternOf('o%w'), 'Hello World'), false);
    assert.equal(matchLike(likePatternOf('%o_w%'), 'Hello World'), true);
  });

  it('folds ASCII letters only', () => {
    assert.equal(matchLike(likePatternOf('HELLO'), 'hello'), true);
    assert.equal(matchLike(likePatternOf('É'), 'é'), false);
    assert.equal(matchLike(likePatternOf('ß'), 'SS'), false);
  });

  it('lets _ match one code point, even outside the BMP', () => {
    assert.equal(matchLike(likePatternOf('a_b%'), 'a😀b'), true);
    assert.equal(matchLike(likePatternOf('a__b%'), 'a😀b'), false);
  });

  it('backtracks over several % wildcards', () => {
    assert.equal(matchLike(likePatternOf('%a%b%c'), 'xxaxxbxxbxxc'), true);
    assert.equal(matchLike(likePatternOf('%a%b%c'), 'xxaxxcxxb'), false);
  });
});

describe('containsPatternOf', () => {
  it('treats every character of a field value literally', () => {
    assert.equal(renderLikePattern(containsPatternOf('5%_\\x')), '%5\\%\\_\\\\x%');
    assert.equal(matchLike(containsPatternOf('A_'), 'xa_y'), true);
    assert.equal(matchLike(containsPatternOf('A_'), 'xaby'), false);
  });
});

describe('compareCodePoints', () => {
  it('orders by code point where UTF-16 units disagree', () => {
    assert.ok('\uE000' > '😀', 'UTF-16 order puts U+E000 after the surrogate pair');
    assert.ok(compareCodePoints('\uE000', '😀') < 0);
    assert.ok(compareCodePoints('\uFFFF', '𝔸') < 0);
    assert.ok(compareCodePoints('a', 'ab') < 0);
    assert.equal(compareCodePoints('é', 'é'), 0);
    assert.ok(compareCodePoints('Z', 'a') < 0);
  });
});

describe('foldAscii and isCleanText', () => {
  it('lowercases A–Z and nothing else', () => {
    assert.equal(foldAscii('AbC ÉSS ẞ'), 'abc Éss ẞ');
  });

  it('rejects NUL and lone surrogates', () => {
    assert.equal(isCleanText('ok 😀'), true);
    assert.equal(isCleanText('a\u0000'), false);
    assert.equal(isCleanText('\uD83D'), false);
    assert.equal(isCleanText('\uDE00x'), false);
  });
});
