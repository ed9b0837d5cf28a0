/**
 * A small LRU cache: entries, total size and age bounded. Made here rather than taken from
 * lru-cache, whose Node build imports node:diagnostics_channel and so loads Node's whole
 * compatibility layer (about 30 ms of every cold start), and which allocates room for its largest
 * size up front.
 */

export interface LruOptions<V> {
  /** the most entries kept; the least recently used go first */
  max: number;
  /** how long an entry lives (ms), unless set() gives its own; forever when absent */
  ttl?: number;
  /** the most total size kept, each entry measured by sizeOf; a larger entry is not kept at all */
  maxSize?: number;
  sizeOf?: (value: V) => number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  size: number;
  expiresAt: number;
}

export class Lru<K, V> {
  // a Map keeps insertion order: the first key is the least recently used
  readonly #entries = new Map<K, Entry<V>>();
  #totalSize = 0;
  readonly #now: () => number;

  constructor(private readonly options: LruOptions<V>) {
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The sum of the entries' sizes (0 without sizeOf). */
  get calculatedSize(): number {
    return this.#totalSize;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    if (entry.expiresAt <= this.#now()) {
      this.#totalSize -= entry.size;
      return undefined;
    }
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V, options: { ttl?: number } = {}): void {
    this.delete(key);
    const size = this.options.sizeOf?.(value) ?? 0;
    const maxSize = this.options.maxSize ?? Infinity;
    if (size > maxSize) return;
    const ttl = options.ttl ?? this.options.ttl;
    const expiresAt = ttl === undefined ? Infinity : this.#now() + ttl;
    this.#entries.set(key, { value, size, expiresAt });
    this.#totalSize += size;
    while (this.#entries.size > this.options.max || this.#totalSize > maxSize) {
      this.delete(this.#entries.keys().next().value!);
    }
  }

  delete(key: K): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#totalSize -= entry.size;
  }
}
