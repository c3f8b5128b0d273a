/**
 * A size-bounded memo for per-word results (BPE of a word, de-obfuscation of a word).
 *
 * Two generations instead of an LRU list: lookups hit `young`, then `old` (and are promoted); when `young`
 * holds `capacity` entries it becomes `old` and the previous `old` is dropped. So at most 2 x capacity
 * entries are held, frequent words survive every turnover, and a hit costs one or two Map lookups with no
 * list bookkeeping. Prompt vocabularies are Zipfian, so a few thousand entries catch nearly every word.
 */
export class BoundedCache<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();

  /** capacity 0 disables caching (every `get` misses). */
  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`cache capacity must be a non-negative integer, got ${capacity}`);
    }
  }

  get(key: string): V | undefined {
    const hit = this.young.get(key);
    if (hit !== undefined) return hit;
    const aged = this.old.get(key);
    if (aged !== undefined) this.set(key, aged);
    return aged;
  }

  set(key: string, value: V): void {
    if (this.capacity === 0) return;
    if (this.young.size >= this.capacity) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(key, value);
  }

  /** Entries held now (both generations; a promoted key may be counted twice). */
  get size(): number {
    return this.young.size + this.old.size;
  }

  clear(): void {
    this.young.clear();
    this.old.clear();
  }
}
