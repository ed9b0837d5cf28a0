/**
 * Sessions of the web pages, opened by verified Telegram login data. Each login's hash is
 * remembered until that data would have expired anyway, so captured data cannot open a second
 * session. A sign-in also spends a nonce that the page offering it gave to that browser, so
 * another site cannot sign a visitor in as someone else (login CSRF).
 */
import { randomToken } from "../lib/tokens.ts";
import { secretsMatch } from "../lib/secrets.ts";

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

/** Where a sign-in starts: the playlist pages, or the admin page. */
export type LoginScope = "playlists" | "admin";

/** A sign-in nonce: given with a page that offers sign-in, to one browser, for one use. */
export interface LoginNonce {
  /** the browser's binding cookie, which the sign-in must present */
  browser: string;
  scope: LoginScope;
  expiresAt: number;
}

/** Time to sign in after opening the page: Telegram's confirmation takes a minute at most. */
export const LOGIN_NONCE_TTL_MS = 15 * 60_000;

function sessionKey(id: string) {
  return ["web_sessions", id] as const;
}
function usedLoginKey(hash: string) {
  return ["web_logins_used", hash] as const;
}
function loginNonceKey(nonce: string) {
  return ["web_login_nonces", nonce] as const;
}

export async function issueLoginNonce(
  kv: Deno.Kv,
  browser: string,
  scope: LoginScope,
): Promise<string> {
  const nonce = randomToken();
  const value: LoginNonce = { browser, scope, expiresAt: Date.now() + LOGIN_NONCE_TTL_MS };
  await kv.set(loginNonceKey(nonce), value, { expireIn: LOGIN_NONCE_TTL_MS });
  return nonce;
}

/**
 * The nonce's entry when it was given to this browser for this scope and is unused and
 * unexpired; null otherwise. createWebSession spends it.
 */
export async function findLoginNonce(
  kv: Deno.Kv,
  nonce: string,
  browser: string,
  scope: LoginScope,
): Promise<Deno.KvEntry<LoginNonce> | null> {
  const entry = await kv.get<LoginNonce>(loginNonceKey(nonce));
  if (entry.versionstamp === null) return null;
  const { value } = entry as Deno.KvEntry<LoginNonce>;
  const matches = value.scope === scope && secretsMatch(browser, value.browser) &&
    value.expiresAt > Date.now();
  return matches ? entry as Deno.KvEntry<LoginNonce> : null;
}

/**
 * Opens a session for a verified login and spends its nonce, in one atomic; null when that
 * login or that nonce was already used (a replay, or two sign-ins racing).
 */
export async function createWebSession(
  kv: Deno.Kv,
  login: {
    userId: number;
    name: string;
    languageCode?: string;
    hash: string;
    validForMs: number;
    nonce: Deno.KvEntry<LoginNonce>;
  },
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
    .check(login.nonce)
    .delete(login.nonce.key)
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
