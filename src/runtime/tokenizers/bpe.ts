/**
 * The byte-pair merge loop of OpenAI CLIP's `SimpleTokenizer.bpe`, without its cache (callers cache).
 *
 * A word arrives as its byte symbols with '</w>' glued to the last one. Repeatedly: among adjacent pairs,
 * take the one with the lowest merge rank; stop if none has a rank; otherwise merge every occurrence of that
 * pair, scanning left to right without overlap (so "a a a" with the merge "a a" gives "aa a"); stop when
 * one symbol is left. Ranks are unique per pair, so "lowest" is never a tie.
 */
export function bpeMerge(symbols: string[], ranks: ReadonlyMap<string, number>): string[] {
  let word = symbols;
  while (word.length > 1) {
    let bestRank = Infinity;
    let bestAt = -1;
    for (let i = 0; i < word.length - 1; i++) {
      const rank = ranks.get(word[i] + ' ' + word[i + 1]);
      if (rank !== undefined && rank < bestRank) {
        bestRank = rank;
        bestAt = i;
      }
    }
    if (bestAt < 0) break;
    const first = word[bestAt];
    const second = word[bestAt + 1];
    const merged: string[] = [];
    for (let i = 0; i < word.length; ) {
      if (word[i] === first && i < word.length - 1 && word[i + 1] === second) {
        merged.push(first + second);
        i += 2;
      } else {
        merged.push(word[i]);
        i += 1;
      }
    }
    word = merged;
  }
  return word;
}
