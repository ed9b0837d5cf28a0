/**
 * Hostile cookies.txt files an admin could be tricked into sending: oversized, binary, wildcard or
 * look-alike domains, markup in names, lines built to break the format. Each is refused or stored
 * as harmless text; none reaches another site's jobs, and the admins' list shows it escaped.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import { createI18n, translatorFor } from "../../i18n/translations.ts";
import { UserStore } from "../../kv/users.ts";
import { CoalescedReads } from "../../kv/coalesced_reads.ts";
import { createLogger } from "../../lib/logger.ts";
import { importSealingKey } from "../../lib/sealed_text.ts";
import { CookieVault } from "../../services/cookies.ts";
import { renderCookieSets } from "../../views/cookies.ts";

const KEY = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
const line = (domain: string, name = "SID", value = "value-123456") =>
  `${domain}\tTRUE\t/\tTRUE\t0\t${name}\t${value}\n`;

const HOSTILE: { what: string; text: string }[] = [
  { what: "49 KB of cookies", text: line(".big.test", "SID", "x".repeat(49 * 1024)) },
  { what: "binary", text: String.fromCharCode(...crypto.getRandomValues(new Uint8Array(4096))) },
  { what: "NUL bytes in a domain", text: line(".you\0tube.com") },
  { what: "a wildcard domain", text: line("*.youtube.com") },
  { what: "a public suffix", text: line(".com") },
  { what: "a bare name", text: line("localhost") },
  { what: "a domain with a path", text: line("youtube.com/evil") },
  { what: "a domain with a port", text: line("youtube.com:443") },
  { what: "markup as a domain", text: line("<b>youtube.com</b>") },
  { what: "a tab-stuffed line", text: `.a.test${"\t".repeat(10_000)}\n` },
  { what: "old Mac line ends", text: line(".a.test").replace("\n", "\r") + line(".b.test") },
  { what: "a newline in a value", text: ".a.test\tTRUE\t/\tTRUE\t0\tSID\tv\nalue\n" },
  { what: "an expiry past year 9999", text: ".a.test\tTRUE\t/\tTRUE\t9999999999999\tSID\tv\n" },
  { what: "markup in a cookie's name and value", text: line(".a.test", "<script>", "<b>v</b>-1") },
];

Deno.test("[security] hostile cookies.txt files are refused or stored as harmless text, for their own domains only", async () => {
  await using kv = await Deno.openKv(":memory:");
  await using telegram = await FakeTelegram.start();
  const i18n = await createI18n();
  const vault = new CookieVault({
    kv,
    key: await importSealingKey(KEY),
    api: createTelegramApi({ botToken: telegram.token, telegramApiRoot: telegram.apiRoot }),
    i18n,
    users: new UserStore(kv, new CoalescedReads(kv)),
    adminIds: [],
    logger: createLogger("error"),
  });
  let crashes = 0;
  const stored: string[] = [];
  for (const { what, text } of HOSTILE) {
    try {
      const added = await vault.add({ id: 1, name: "<i>Eve</i> & co" }, text);
      if (added.ok) stored.push(what);
    } catch {
      crashes++;
    }
  }
  // what was stored reaches the jobs of its own domains only
  const leaks = [];
  for (const url of ["https://www.youtube.com/watch?v=1", "https://example.com/", "https://com/"]) {
    leaks.push(...await vault.forLink(url));
  }
  const list = renderCookieSets(translatorFor(i18n, "en"), "en", await vault.list());
  await reportHostile({
    name: "hostile cookies.txt files",
    inputs: HOSTILE.length,
    escapes: leaks.length,
    wrongFiles: 0,
    crashes,
  });
  assertEquals(crashes, 0);
  assertEquals(leaks, [], "no youtube.com, example.com or bare suffix job gets any of them");
  assertEquals(stored, ["markup in a cookie's name and value"], "all others are refused");
  assert(!list.includes("<i>"), "the admin's name is escaped");
  assert(list.includes("&lt;i&gt;Eve&lt;/i&gt; &amp; co"), list);
});
