import { assertEquals } from "../support/assert.ts";
import { Lru } from "../../lib/lru.ts";

Deno.test("[lib/lru] the least recently used entry goes first when full", () => {
  const cache = new Lru<string, number>({ max: 2 });
  cache.set("a", 1);
  cache.set("b", 2);
  assertEquals(cache.get("a"), 1, "a read makes a the most recent");
  cache.set("c", 3);
  assertEquals([cache.get("a"), cache.get("b"), cache.get("c")], [1, undefined, 3]);
  assertEquals(cache.size, 2);
});

Deno.test("[lib/lru] a size bound evicts until the total fits, and never keeps a larger entry", () => {
  const cache = new Lru<string, string>({ max: 100, maxSize: 10, sizeOf: (text) => text.length });
  cache.set("a", "aaaa");
  cache.set("b", "bbbb");
  cache.set("c", "cccc");
  assertEquals([cache.get("a"), cache.get("b"), cache.get("c")], [undefined, "bbbb", "cccc"]);
  assertEquals(cache.calculatedSize, 8);
  cache.set("b", "bb");
  assertEquals(cache.calculatedSize, 6, "a replaced entry's size is its new one");
  cache.set("huge", "x".repeat(11));
  assertEquals(cache.get("huge"), undefined);
  assertEquals(cache.calculatedSize, 6, "and it evicted nothing");
});

Deno.test("[lib/lru] entries expire after their time to live, their own when set() gives one", () => {
  let now = 1_000;
  const cache = new Lru<string, number>({ max: 10, ttl: 100, now: () => now });
  cache.set("default", 1);
  cache.set("long", 2, { ttl: 500 });
  now += 99;
  assertEquals([cache.get("default"), cache.get("long")], [1, 2]);
  now += 1;
  assertEquals([cache.get("default"), cache.get("long")], [undefined, 2]);
  assertEquals(cache.size, 1, "an expired entry read is dropped");
  now += 400;
  assertEquals(cache.get("long"), undefined);
});
