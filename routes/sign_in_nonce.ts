/**
 * Login CSRF: a page that offers sign-in gives a nonce (in its form, or in the Login Widget's
 * auth URL) bound to the browser by an HttpOnly cookie, and the sign-in spends it. Another
 * site can make a browser post someone's signed login data, but it can neither read the nonce
 * nor set the cookie.
 */
import type { Context } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import {
  findLoginNonce,
  issueLoginNonce,
  LOGIN_NONCE_TTL_MS,
  type LoginNonce,
  type LoginScope,
} from "../kv/web_sessions.ts";
import { isToken, randomToken } from "../lib/tokens.ts";

export interface SignInBinding {
  scope: LoginScope;
  /** the cookie naming the browser, sent back on `path` (which covers the page and the sign-in) */
  cookie: string;
  path: string;
  secure: boolean;
  sameSite: "Lax" | "None";
}

/** A nonce for the page being answered, and the cookie that binds it to this browser. */
export async function offerSignIn(
  c: Context,
  kv: Deno.Kv,
  binding: SignInBinding,
): Promise<string> {
  const known = getCookie(c, binding.cookie);
  const browser = known && isToken(known) ? known : randomToken(24);
  setCookie(c, binding.cookie, browser, {
    path: binding.path,
    httpOnly: true,
    secure: binding.secure,
    sameSite: binding.sameSite,
    maxAge: Math.floor(LOGIN_NONCE_TTL_MS / 1000),
  });
  return await issueLoginNonce(kv, browser, binding.scope);
}

/** The nonce's entry, for createWebSession to spend, when this browser was given it. */
export async function nonceOfSignIn(
  c: Context,
  kv: Deno.Kv,
  binding: SignInBinding,
  nonce: unknown,
): Promise<Deno.KvEntry<LoginNonce> | null> {
  const browser = getCookie(c, binding.cookie);
  if (typeof nonce !== "string" || !isToken(nonce) || !browser || !isToken(browser)) return null;
  return await findLoginNonce(kv, nonce, browser, binding.scope);
}
