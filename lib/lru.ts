/** A size-bounded in-process cache; the least recently used entry goes first. */
export class LruCache<K, V> {
  #entries = new Map<K, { value: V; expiresAt: number; weight: number; movedAt: number }>();
  #weight = 0;
  /** counts insertions and moves: an entry moved less than a quarter of the cache ago stays put */
  #moves = 0;
  hits = 0;
  misses = 0;

  /** `weight` bounds the summed weight of the values too (e.g. their approximate bytes). */
  constructor(
    readonly maxEntries: number,
    private readonly ttlMs = Infinity,
    private readonly now: () => number = Date.now,
    private readonly weight?: { of: (value: V) => number; max: number },
  ) {}

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry || entry.expiresAt <= this.now()) {
      if (entry) this.delete(key);
      this.misses++;
      return undefined;
    }
    // moving an entry to the back on every hit costs two Map writes; one that moved lately is
    // still among the newest, far from eviction
    if (this.#moves - entry.movedAt > this.maxEntries / 4) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      entry.movedAt = ++this.#moves;
    }
    this.hits++;
    return entry.value;
  }

  /** Stores a value for ttlMs (the cache's own TTL unless given). */
  set(key: K, value: V, ttlMs = this.ttlMs): void {
    this.delete(key);
    const weight = this.weight?.of(value) ?? 0;
    if (this.weight && weight > this.weight.max) return;
    this.#entries.set(key, {
      value,
      expiresAt: this.now() + ttlMs,
      weight,
      movedAt: ++this.#moves,
    });
    this.#weight += weight;
    while (
      this.#entries.size > this.maxEntries || (this.weight && this.#weight > this.weight.max)
    ) {
      this.delete(this.#entries.keys().next().value!);
    }
  }

  delete(key: K): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#weight -= entry.weight;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The summed weight of the values held (0 without a weight bound). */
  get totalWeight(): number {
    return this.#weight;
  }
}
