/**
 * Signs login data the way Telegram does, written independently of lib/telegram_auth.ts (with
 * node:crypto) so the tests check the app against Telegram's documented algorithm, not itself.
 */
import { createHash, createHmac } from "node:crypto";

function dataCheckString(fields: Record<string, string>): string {
  return Object.keys(fields).sort().map((key) => `${key}=${fields[key]}`).join("\n");
}

export interface LoginUser {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

/** Mini App initData, as Telegram puts it in the URL fragment (tgWebAppData). */
export function signInitData(
  botToken: string,
  user: LoginUser,
  authDate = Math.floor(Date.now() / 1000),
): string {
  const fields = {
    auth_date: String(authDate),
    query_id: `AAH${user.id}q${authDate}`,
    user: JSON.stringify(user),
  };
  const secret = createHmac("sha256", "WebAppData").update(botToken).digest();
  const hash = createHmac("sha256", secret).update(dataCheckString(fields)).digest("hex");
  return new URLSearchParams({ ...fields, hash }).toString();
}

/** The query the Login Widget sends the browser back with. */
export function signLoginWidget(
  botToken: string,
  user: LoginUser,
  authDate = Math.floor(Date.now() / 1000),
): Record<string, string> {
  const fields: Record<string, string> = {
    id: String(user.id),
    first_name: user.first_name,
    auth_date: String(authDate),
  };
  if (user.username) fields.username = user.username;
  const secret = createHash("sha256").update(botToken).digest();
  const hash = createHmac("sha256", secret).update(dataCheckString(fields)).digest("hex");
  return { ...fields, hash };
}
