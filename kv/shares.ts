/**
 * What a "📤 Share" button shares, under the short token its inline query carries (never a URL):
 * a media, and the file a delivery sent of it. The token is derived from what is shared, so every
 * button for one file carries the same token and a share is one entry however often it is offered.
 */
import { mediaIdentity, type MediaRef } from "../media/media_identity.ts";
import type { Variant } from "../media/media_types.ts";
import type { SendMode } from "./media.ts";

export interface Share {
  token: string;
  media: MediaRef;
  title: string;
  /** the file a delivery sent; a preview's share has none (its inline result is the deep link) */
  file?: { variant: Variant; mode: SendMode };
}

/** Refreshed whenever a button offers it again; a message shared before still opens the bot. */
const SHARE_TTL_MS = 180 * 86_400_000;

/** 96 bits of a SHA-256: 16 URL-safe characters, fit for a start parameter and a result id. */
const TOKEN_BYTES = 12;
export const SHARE_TOKEN_PATTERN = /^[\w-]{16}$/;

function shareKey(token: string) {
  return ["shares", token] as const;
}
function sharedMediaKey(userId: number, mediaKey: string) {
  return ["shared_media", userId, mediaKey] as const;
}

async function shareToken(mediaKey: string, file: Share["file"]): Promise<string> {
  const text = [mediaKey, file?.variant ?? "", file?.mode ?? ""].join("\n");
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest).slice(0, TOKEN_BYTES)))
    .replace(/\+/g, "-").replace(/\//g, "_");
}

export async function saveShare(kv: Deno.Kv, input: Omit<Share, "token">): Promise<Share> {
  const token = await shareToken((await mediaIdentity(input.media)).key, input.file);
  const share: Share = { ...input, token };
  await kv.set(shareKey(token), share, { expireIn: SHARE_TTL_MS });
  return share;
}

/** The share a token names; null for anything that is not one of ours (checked before KV). */
export async function getShare(kv: Deno.Kv, token: string): Promise<Share | null> {
  if (!SHARE_TOKEN_PATTERN.test(token)) return null;
  return (await kv.get<Share>(shareKey(token))).value;
}

/** True the first time this user shares this media (by its identity key); false ever after. */
export async function markMediaShared(
  kv: Deno.Kv,
  userId: number,
  mediaKey: string,
  at: number,
): Promise<boolean> {
  const key = sharedMediaKey(userId, mediaKey);
  const result = await kv.atomic().check({ key, versionstamp: null }).set(key, at).commit();
  return result.ok;
}
