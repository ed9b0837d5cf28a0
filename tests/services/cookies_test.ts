/** Admins' cookie sets: sealed in KV, found by a link's host as browsers would, staleness told once. */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { CookieVault } from "../../services/cookies.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { createI18n } from "../../i18n/translations.ts";
import { UserStore } from "../../kv/users.ts";
import { CoalescedReads } from "../../kv/coalesced_reads.ts";
import { createLogger } from "../../lib/logger.ts";
import { importSealingKey, openSealedText } from "../../lib/sealed_text.ts";
import { type CookieSet, listCookieSets, STALE_AFTER_FAILURES } from "../../kv/cookies.ts";

const KEY = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const ADMIN = { id: 900, name: "Ada" };

function cookiesFor(domain: string, value: string): string {
  return `# Netscape HTTP Cookie File\n${domain}\tTRUE\t/\tTRUE\t0\tSID\t${value}\n`;
}

async function vaultWith(kv: Deno.Kv, telegram: FakeTelegram, key: string | null = KEY) {
  return new CookieVault({
    kv,
    key: key ? await importSealingKey(key) : undefined,
    api: createTelegramApi({ botToken: telegram.token, telegramApiRoot: telegram.apiRoot }),
    i18n: await createI18n(),
    users: new UserStore(kv, new CoalescedReads(kv)),
    adminIds: [ADMIN.id],
    logger: createLogger("error"),
  });
}

/** Every key and value in KV as text, bytes read as Latin-1 so no byte string hides. */
async function everythingIn(kv: Deno.Kv): Promise<string> {
  const parts: string[] = [];
  for await (const entry of kv.list({ prefix: [] })) {
    parts.push(
      JSON.stringify(entry.key),
      JSON.stringify(
        entry.value,
        (_, value) => value instanceof Uint8Array ? String.fromCharCode(...value) : value,
      ),
    );
  }
  return parts.join("\n");
}

Deno.test("[services/cookies] without COOKIES_KEY nothing is stored, and no job gets cookies", async () => {
  await using kv = await Deno.openKv(":memory:");
  await using telegram = await FakeTelegram.start();
  const vault = await vaultWith(kv, telegram, null);
  assertEquals(vault.enabled, false);
  const added = await vault.add(ADMIN, cookiesFor(".youtube.com", "value-123456"));
  assertEquals(added.ok ? "stored" : added.problem, { kind: "no_key" });
  assertEquals(await vault.list(), []);
  assertEquals(await vault.forLink("https://www.youtube.com/watch?v=x"), []);
});

Deno.test("[services/cookies] a set is sealed at rest and opens only for its own record", async () => {
  await using kv = await Deno.openKv(":memory:");
  await using telegram = await FakeTelegram.start();
  const vault = await vaultWith(kv, telegram);
  const secret = `sealed-${crypto.randomUUID()}`;
  const added = await vault.add(ADMIN, cookiesFor(".youtube.com", secret));
  assert(added.ok);
  assert(!(await everythingIn(kv)).includes(secret), "the value is nowhere in KV");
  const other = await vault.add(ADMIN, cookiesFor(".vimeo.com", "other-value-1"));
  assert(other.ok);
  const key = await importSealingKey(KEY);
  const stored = (await listCookieSets(kv)).find((set) => set.id === added.set.id);
  assert(stored);
  assert((await openSealedText(key, stored.sealed, stored.id)).includes(secret));
  // a ciphertext copied onto another record does not open there
  await assertRejects(() => openSealedText(key, stored.sealed, other.set.id));
  const wrongKey = await importSealingKey(btoa("x".repeat(32)));
  await assertRejects(() => openSealedText(wrongKey, stored.sealed, stored.id));
});

Deno.test("[services/cookies] a link gets the sets of its host and parent domains, never a look-alike's", async () => {
  await using kv = await Deno.openKv(":memory:");
  await using telegram = await FakeTelegram.start();
  const vault = await vaultWith(kv, telegram);
  const youtube = await vault.add(ADMIN, cookiesFor(".youtube.com", "youtube-value-1"));
  const hostOnly = await vault.add(
    ADMIN,
    "music.youtube.com\tFALSE\t/\tTRUE\t0\tSID\tmusic-value-1\n",
  );
  assert(youtube.ok && hostOnly.ok);
  const ids = async (url: string) => (await vault.forLink(url)).map((set) => set.id);
  assertEquals(await ids("https://www.youtube.com/watch?v=1"), [youtube.set.id]);
  assertEquals(await ids("https://YOUTUBE.com./watch?v=1"), [youtube.set.id]);
  assertEquals(await ids("https://music.youtube.com/x"), [hostOnly.set.id, youtube.set.id]);
  assertEquals(await ids("https://a.music.youtube.com/x"), [youtube.set.id]);
  assertEquals(await ids("https://evil-youtube.com/watch?v=1"), []);
  assertEquals(await ids("https://youtube.com.evil.net/watch?v=1"), []);
  const [first] = await vault.forLink("https://m.youtube.com/");
  assert(first.text.includes("youtube-value-1"), "the worker gets the text yt-dlp reads");
});

Deno.test("[services/cookies] a site's sets go newest first, stale ones last, two at most; a set refused again and again goes stale and admins hear it once", async () => {
  await using kv = await Deno.openKv(":memory:");
  await using telegram = await FakeTelegram.start();
  telegram.user(ADMIN.id);
  const vault = await vaultWith(kv, telegram);
  const sets: CookieSet[] = [];
  for (const value of ["first-value-1", "second-value", "third-value-"]) {
    const added = await vault.add(ADMIN, cookiesFor(".x.test", value));
    assert(added.ok);
    sets.push(added.set);
  }
  const order = async () => (await vault.forLink("https://www.x.test/v")).map((set) => set.id);
  assertEquals(await order(), [sets[2].id, sets[1].id]);

  for (let i = 0; i < STALE_AFTER_FAILURES + 2; i++) {
    await vault.recordOutcomes([{ setId: sets[2].id, worked: false }]);
  }
  assertEquals(
    ((await listCookieSets(kv)).find((stored) => stored.id === sets[2].id))?.stale,
    true,
  );
  assertEquals(await order(), [sets[1].id, sets[0].id], "the stale set goes last");
  const told = telegram.messages(ADMIN.id).filter((m) => m.text?.includes("refused"));
  assertEquals(told.length, 1, "admins are told once");
  assert(told[0].text?.includes("x.test"));

  await vault.recordOutcomes([{ setId: sets[2].id, worked: true }]);
  const revived = (await listCookieSets(kv)).find((stored) => stored.id === sets[2].id);
  assertEquals([revived?.stale, revived?.failures], [false, 0]);
  assertEquals(await order(), [sets[2].id, sets[1].id]);
});

Deno.test("[services/cookies] removing a set removes it from every domain it served", async () => {
  await using kv = await Deno.openKv(":memory:");
  await using telegram = await FakeTelegram.start();
  const vault = await vaultWith(kv, telegram);
  const added = await vault.add(
    ADMIN,
    ".a.test\tTRUE\t/\tTRUE\t0\tSID\tvalue-aaaa\n.b.test\tTRUE\t/\tTRUE\t0\tSID\tvalue-bbbb\n",
  );
  assert(added.ok);
  assertEquals((await vault.forLink("https://b.test/")).length, 1);
  assertEquals(await vault.remove(added.set.id), true);
  assertEquals(await vault.remove(added.set.id), false);
  assertEquals(await vault.forLink("https://a.test/"), []);
  assertEquals(await vault.forLink("https://b.test/"), []);
  assertEquals(await everythingIn(kv), "");
});
