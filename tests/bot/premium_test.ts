import { assertEquals, assertMatch } from "../support/assert.ts";
import { startBotHarness } from "../support/bot_harness.ts";
import { isValidCheckout } from "../../bot/features/premium.ts";
import { DEFAULT_PREFERENCES, type UserProfile } from "../../kv/users.ts";

const payer: UserProfile = {
  id: 42,
  firstName: "Ada",
  role: "user",
  blocked: false,
  prefs: DEFAULT_PREFERENCES,
  createdAt: 0,
};
const from = { id: 42, is_bot: false, first_name: "Ada" };
const good = { currency: "XTR", total_amount: 250, invoice_payload: "premium:month:42", from };

Deno.test("[bot/premium] pre-checkout accepts only the plan's price in Stars, for the user it was offered to", () => {
  assertEquals(isValidCheckout(good, payer), true);
  assertEquals(isValidCheckout({ ...good, total_amount: 1 }, payer), false, "wrong price");
  assertEquals(isValidCheckout({ ...good, currency: "EUR" }, payer), false, "not Stars");
  assertEquals(
    isValidCheckout({ ...good, invoice_payload: "premium:lifetime:42" }, payer),
    false,
    "no such plan",
  );
  assertEquals(
    isValidCheckout({ ...good, invoice_payload: "premium:month:43" }, payer),
    false,
    "someone else's",
  );
  assertEquals(isValidCheckout(good, { ...payer, blocked: true }), false, "blocked");
  assertEquals(isValidCheckout(good, undefined), false, "unknown payer");
});

Deno.test("[bot/premium] /paysupport and /terms: Premium, refunds by admins, and how to reach support", async () => {
  await using bot = await startBotHarness({ SUPPORT_CONTACT: "@media_help <b>" });
  const ada = bot.user(7101);
  await ada.send("/paysupport");
  const support = bot.lastMessage(ada.info.id);
  assertMatch(support.text, /Help with a payment/);
  assertMatch(support.text, /refunds are made by the bot's admins/i);
  assertMatch(support.text, /Write to @media_help <b>\./, "the contact, as text");
  await ada.send("/terms");
  const terms = bot.lastMessage(ada.info.id);
  assertMatch(terms.text, /Premium gives 9\.8 GB a day for the days bought \(30, 90,? or 365\)/);
  assertMatch(terms.text, /Free accounts get 500 MB/);
  assertMatch(terms.text, /refund Stars/);
  assertMatch(terms.text, /@media_help/);
  await ada.send("/premium");
  assertMatch(
    bot.lastMessage(ada.info.id).text,
    /Terms: \/terms · Help with a payment: \/paysupport/,
  );

  // without SUPPORT_CONTACT: the admins, as links to their profiles; in French
  await using noContact = await startBotHarness({ ADMIN_IDS: "501,502" });
  const zoe = noContact.user(7102, { languageCode: "fr" });
  await zoe.send("/paysupport");
  const french = noContact.lastMessage(zoe.info.id);
  assertMatch(french.text, /Écrivez à un admin : 1, 2\./);
  assertMatch(french.raw, /href="tg:\/\/user\?id=501"/);
  await zoe.send("/terms");
  assertMatch(noContact.lastMessage(zoe.info.id).text, /30, 90 ou 365/);
});
