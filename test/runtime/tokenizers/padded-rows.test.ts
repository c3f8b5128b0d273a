/** trimPaddingColumns: the gateway's cut of a text batch to its longest row (manifest text.trimPadding). */
import { trimPaddingColumns } from '../../../src/runtime/tokenizers';

test('cuts every row to the longest row and keeps the ids', () => {
  const ids = Int32Array.from([5, 6, 0, 0, 0, 7, 8, 9, 0, 0, 1, 0, 0, 0, 0]);
  const { ids: out, width } = trimPaddingColumns(ids, 3, 5);
  expect(width).toBe(3);
  expect([...out]).toEqual([5, 6, 0, 7, 8, 9, 1, 0, 0]);
});

test('a full-length row leaves the batch as it is (same array)', () => {
  const ids = Int32Array.from([1, 2, 3, 4, 0, 0]);
  expect(trimPaddingColumns(ids, 2, 3)).toEqual({ ids, width: 3 });
});

test('a batch of empty texts keeps one column, so the graph still gets [N, 1]', () => {
  const { ids, width } = trimPaddingColumns(new Int32Array(8), 2, 4);
  expect(width).toBe(1);
  expect([...ids]).toEqual([0, 0]);
});

test('a zero inside a row (not trailing) does not cut the row there', () => {
  const { width } = trimPaddingColumns(Int32Array.from([3, 0, 4, 0]), 1, 4);
  expect(width).toBe(3);
});
