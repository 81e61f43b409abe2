/*
 * Finding the names of fields in a text. One alternation of some 300 names, tried at every
 * position, was the worker's single largest cost (docs/benchmarks.md); here each word of the text
 * is looked up by its letters, and only the names that begin with that word are tried there. The
 * matches are the ones the alternation gives: leftmost, longest name first, not overlapping.
 */

/** Where a name was found and the text it covers (the shape of a regular-expression match). */
export interface NameMatch {
  readonly index: number;
  readonly 0: string;
}

export interface NameMatcherOptions {
  /** What separates the words of a name as written in the list (spaces; for some lists hyphens too). */
  readonly separators: RegExp;
  /** Regular-expression source that stands for that separator in a text. */
  readonly join: string;
  /**
   * "letter": a name is not part of a longer word of letters (a digit may touch it);
   * "word": the ASCII word boundary of \b (letters, digits and underscores count as word characters).
   */
  readonly boundary: "letter" | "word";
}

const FIRST_WORD = /^\p{L}+/u;

export function nameMatcher(phrases: readonly string[], options: NameMatcherOptions): (text: string) => NameMatch[] {
  const byFirstWord = new Map<string, string[]>();
  for (const phrase of phrases) {
    const first = FIRST_WORD.exec(phrase)?.[0].toLowerCase();
    if (first === undefined) throw new Error(`a name must start with a letter: ${JSON.stringify(phrase)}`);
    const list = byFirstWord.get(first) ?? [];
    list.push(phrase);
    byFirstWord.set(first, list);
  }
  const after = options.boundary === "letter" ? String.raw`(?![\p{L}])` : String.raw`\b`;
  const sticky = new Map<string, RegExp>();
  for (const [first, list] of byFirstWord) {
    const alternatives = [...new Set(list)]
      .sort((a, b) => b.length - a.length)
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(options.separators, options.join));
    sticky.set(first, new RegExp(`(?:${alternatives.join("|")})${after}`, "iuy"));
  }
  const wordStart = options.boundary === "letter" ? /(?<!\p{L})\p{L}+/gu : /(?<![A-Za-z0-9_])\p{L}+/gu;
  return (text) => {
    const found: NameMatch[] = [];
    wordStart.lastIndex = 0;
    for (let word = wordStart.exec(text); word !== null; word = wordStart.exec(text)) {
      const pattern = sticky.get(word[0].toLowerCase());
      if (pattern === undefined) continue;
      pattern.lastIndex = word.index;
      const name = pattern.exec(text);
      if (name === null) continue;
      found.push({ index: word.index, 0: name[0] });
      wordStart.lastIndex = word.index + name[0].length;
    }
    return found;
  };
}
