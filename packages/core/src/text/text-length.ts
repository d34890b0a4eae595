/**
 * Counts the code points of `text` (what a user calls characters: an emoji is one, a lone
 * surrogate is one), without allocating anything. Counting stops early: the answer is
 * `atMost + 1` for any text with more than `atMost` code points, and a text longer than
 * twice `atMost` UTF-16 units is known to be that without looking at it.
 * @example if (countCodePoints(text, max) > max) return tooLong;
 */
export function countCodePoints(text: string, atMost: number): number {
  if (text.length > 2 * atMost) return atMost + 1;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    if (isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1))) i++;
    if (++count > atMost) return count;
  }
  return count;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
