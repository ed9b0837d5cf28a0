import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { CoalescedReads } from "../../kv/coalesced_reads.ts";

async function seeded(count: number) {
  const kv = await Deno.openKv(":memory:");
  for (let i = 0; i < count; i += 100) {
    const op = kv.atomic();
    for (let j = i; j < Math.min(count, i + 100); j++) op.set(["item", j], `value ${j}`);
    await op.commit();
  }
  return kv;
}

Deno.test("[kv/coalesced_reads] many reads at once share calls, and each gets its own entries", async () => {
  using kv = await seeded(300);
  const reads = new CoalescedReads(kv, 2);
  const asked = Array.from(
    { length: 300 },
    (_, i) =>
      i % 3 === 0
        ? reads.getMany<[string, string]>([["item", i], ["missing", i]])
        : reads.get<string>(["item", i]).then((entry) => [entry]),
  );
  const answers = await Promise.all(asked);
  answers.forEach((entries, i) => {
    assertEquals(entries[0].key, ["item", i]);
    assertEquals(entries[0].value, `value ${i}`);
    assert(entries[0].versionstamp !== null);
    if (i % 3 === 0) assertEquals([entries[1].key, entries[1].value], [["missing", i], null]);
  });
  assertEquals(reads.reads, 300);
  // 100 reads of two keys and 200 of one: 400 keys, at most 10 a call
  assert(reads.calls <= 45, `${reads.calls} calls`);
  // whatever is plain getMany's answer is the same
  const [plain] = await kv.getMany<[string]>([["item", 7]]);
  assertEquals((await reads.get<string>(["item", 7])).versionstamp, plain.versionstamp);
});

Deno.test("[kv/coalesced_reads] an idle read goes at once, and sees what was committed before it was asked", async () => {
  using kv = await seeded(0);
  const reads = new CoalescedReads(kv);
  for (let i = 0; i < 20; i++) {
    await kv.set(["counter"], i);
    assertEquals((await reads.get<number>(["counter"])).value, i);
  }
  assertEquals(reads.calls, 20, "nothing waits when nothing is in flight");
  // while one call is in flight, a write then a read: the read follows the write
  const first = reads.get(["item", 0]);
  const second = reads.get(["item", 1]);
  await kv.set(["counter"], 99);
  assertEquals((await reads.get<number>(["counter"])).value, 99);
  await Promise.all([first, second]);
});

Deno.test("[kv/coalesced_reads] a bad key fails its own read only; more than 10 keys is KV's own error", async () => {
  using kv = await seeded(20);
  const reads = new CoalescedReads(kv, 1);
  const good = Array.from({ length: 8 }, (_, i) => reads.get<string>(["item", i]));
  const bad = reads.get([{} as unknown as string]);
  const after = reads.get<string>(["item", 9]);
  await assertRejects(() => bad, /expected string, number/);
  assertEquals((await Promise.all(good)).map((entry) => entry.value), [
    ...Array.from({ length: 8 }, (_, i) => `value ${i}`),
  ]);
  assertEquals((await after).value, "value 9");
  const keys = Array.from({ length: 11 }, (_, i) => ["item", i]);
  await assertRejects(() => reads.getMany(keys), /too many/i);
  assertEquals((await reads.getMany<string[]>(keys.slice(0, 10))).length, 10);
});
