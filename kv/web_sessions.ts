/**
 * Sessions of the playlist web page, opened by verified Telegram login data. Each login's hash
 * is remembered until that data would have expired anyway, so captured data cannot open a
 * second session.
 */
import { randomToken } from "../lib/tokens.ts";

export interface WebSession {
  id: string;
  userId: number;
  name: string;
  languageCode?: string;
  /** sent back by every form of the page, so another site cannot post in the user's name */
  csrf: string;
  createdAt: number;
  expiresAt: number;
}

export const SESSION_TTL_MS = 12 * 3600_000;

function sessionKey(id: string) {
  return ["web_sessions", id] as const;
}
function usedLoginKey(hash: string) {
  return ["web_logins_used", hash] as const;
}

/** Opens a session for a verified login; null when that login was already used (a replay). */
export async function createWebSession(
  kv: Deno.Kv,
  login: { userId: number; name: string; languageCode?: string; hash: string; validForMs: number },
): Promise<WebSession | null> {
  const now = Date.now();
  const session: WebSession = {
    id: randomToken(24),
    userId: login.userId,
    name: login.name,
    languageCode: login.languageCode,
    csrf: randomToken(),
    createdAt: now,
    expiresAt: now + SESSION_TTL_MS,
  };
  const result = await kv.atomic()
    .check({ key: usedLoginKey(login.hash), versionstamp: null })
    .check({ key: sessionKey(session.id), versionstamp: null })
    .set(usedLoginKey(login.hash), now, { expireIn: Math.max(1, login.validForMs) })
    .set(sessionKey(session.id), session, { expireIn: SESSION_TTL_MS })
    .commit();
  return result.ok ? session : null;
}

/** A live session; KV deletes expired keys lazily, so the expiry is checked here too. */
export async function getWebSession(kv: Deno.Kv, id: string): Promise<WebSession | null> {
  const session = (await kv.get<WebSession>(sessionKey(id))).value;
  return session && session.expiresAt > Date.now() ? session : null;
}
