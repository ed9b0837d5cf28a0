/** /healthz: the KV's identity, so a store that is new at every start shows. */
import { assert, assertEquals } from "../support/assert.ts";
import { startTestSystem } from "../support/system.ts";

interface Health {
  status: string;
  kv: { id: string; createdAt: string };
}

Deno.test("[routes/health] /healthz shows the KV's identity: one per database, kept across restarts and instances", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const read = async (bed: Awaited<ReturnType<typeof startTestSystem>>) =>
      await (await bed.system.app.request("/healthz")).json() as Health;
    let first: Health;
    {
      await using bed = await startTestSystem({ WORKERS: "0" }, { kv });
      first = await read(bed);
      assertEquals(first.status, "ok");
      assert(/^[0-9a-f-]{36}$/.test(first.kv.id), first.kv.id);
      assert(Date.parse(first.kv.createdAt) <= Date.now(), first.kv.createdAt);
    }
    // the app started again on the same database, and a second instance beside it
    await using again = await startTestSystem({ WORKERS: "0" }, { kv });
    await using other = await startTestSystem({ WORKERS: "0" }, { kv });
    assertEquals((await read(again)).kv, first.kv);
    assertEquals((await read(other)).kv, first.kv);
    // another database is another identity
    await using elsewhere = await startTestSystem({ WORKERS: "0" });
    assert((await read(elsewhere)).kv.id !== first.kv.id);
  } finally {
    kv.close();
  }
});
