import { assertEquals } from "../support/assert.ts";
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
