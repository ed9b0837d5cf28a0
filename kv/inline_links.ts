/**
 * Links typed in an inline query that the bot has no file for: the result opens the bot with
 * `/start dl_<token>`, and the link waits here under that token (a start parameter is 64
 * characters of base64url at most, too short for a link and readable by anyone it is sent to).
 */
import { normalizeMediaUrl } from "../media/media_identity.ts";

/** Long enough for a shared result to be opened days later. */
const INLINE_LINK_TTL_MS = 30 * 86_400_000;

/** 96 bits of a SHA-256 of the link: 16 base64url characters; one link, one entry. */
const TOKEN_BYTES = 12;
const TOKEN_PATTERN = /^[\w-]{16}$/;

function inlineLinkKey(token: string) {
  return ["inline_links", token] as const;
}

async function linkToken(url: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(url));
  return btoa(String.fromCharCode(...new Uint8Array(digest).slice(0, TOKEN_BYTES)))
    .replace(/\+/g, "-").replace(/\//g, "_");
}

/** Keeps a link the URL guard accepted; returns its token. */
export async function saveInlineLink(kv: Deno.Kv, url: string): Promise<string> {
  const normalized = normalizeMediaUrl(url);
  const token = await linkToken(normalized);
  await kv.set(inlineLinkKey(token), normalized, { expireIn: INLINE_LINK_TTL_MS });
  return token;
}

/** The link a token names; null for anything that is not one of ours (checked before KV). */
export async function getInlineLink(kv: Deno.Kv, token: string): Promise<string | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  return (await kv.get<string>(inlineLinkKey(token))).value;
}
