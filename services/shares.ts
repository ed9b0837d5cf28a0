/**
 * Sharing media through Telegram's inline mode. A "📤 Share" button (on a preview, under a
 * delivered file) types its share's token as an inline query in the chat the user picks; the bot
 * answers with the file itself, by its file_id, when Telegram has it, otherwise with a message
 * offering the bot's deep link to the media. A chosen result counts the user's share of that
 * media once: its `content_shared` event, which XP follows.
 */
import type { InlineKeyboardMarkup, InlineQueryResult } from "grammy/types";
import { getShare, markMediaShared, saveShare, SHARE_TOKEN_PATTERN } from "../kv/shares.ts";
import type { SendMode } from "../kv/media.ts";
import { mediaIdentity, type MediaRef } from "../media/media_identity.ts";
import type { Variant } from "../media/media_types.ts";
import { botDeepLink, MEDIA_SHARE_PAYLOAD_PREFIX } from "../lib/links.ts";
import type { Translate } from "../i18n/translations.ts";
import { renderShareResult, shareKeyboard } from "../views/share.ts";
import { isStaleFileId } from "../lib/telegram.ts";
import type { ServiceDeps } from "./deps.ts";

export interface SharedMedia {
  media: MediaRef;
  title: string;
}

/** A preview's share: the media, which recipients reach through the bot's deep link. */
export async function shareMedia(kv: Deno.Kv, shared: SharedMedia): Promise<string> {
  return (await saveShare(kv, { media: refOf(shared.media), title: shared.title })).token;
}

/** The keyboard under a delivered file: its Share button, which shares that file. */
export async function deliveredFileKeyboard(
  kv: Deno.Kv,
  t: Translate,
  shared: SharedMedia,
  variant: Variant,
  mode: SendMode,
): Promise<InlineKeyboardMarkup> {
  const share = await saveShare(kv, {
    media: refOf(shared.media),
    title: shared.title,
    // a split is several files and a result sends one: its parts share the deep link
    file: variant === "split" ? undefined : { variant, mode },
  });
  return shareKeyboard(t, share.token);
}

export interface ShareQuery {
  token: string;
  t: Translate;
  botUsername: string;
  /** answers the inline query with the share's one result */
  answer: (results: InlineQueryResult[]) => Promise<unknown>;
}

/** Whether a query has the shape of a Share button's token (it may still name no share). */
export function isShareToken(query: string): boolean {
  return SHARE_TOKEN_PATTERN.test(query);
}

/**
 * Answers a Share button's inline query with its one result; false, unanswered, when the token
 * names no share. A cached file Telegram refuses (it no longer has it) is forgotten and the deep
 * link offered instead.
 */
export async function answerShareQuery(
  deps: Pick<ServiceDeps, "kv" | "media">,
  query: ShareQuery,
): Promise<boolean> {
  const share = await getShare(deps.kv, query.token);
  if (!share) return false;
  const file = share.file
    ? await deps.media.getFile(share.media, share.file.variant, share.file.mode)
    : undefined;
  const deepLink = botDeepLink(query.botUsername, `${MEDIA_SHARE_PAYLOAD_PREFIX}${share.token}`);
  const view = {
    id: share.token,
    title: share.title,
    webpageUrl: share.media.webpageUrl,
    botUsername: query.botUsername,
    deepLink,
  };
  try {
    await query.answer([renderShareResult(query.t, { ...view, file })]);
  } catch (error) {
    if (!file || !share.file || !isStaleFileId(error)) throw error;
    await deps.media.forgetFile(share.media, share.file.variant, share.file.mode);
    await query.answer([renderShareResult(query.t, view)]);
  }
  return true;
}

/** A share result the user sent somewhere: the first share of a media by a user is an event. */
export async function countShare(
  deps: Pick<ServiceDeps, "kv" | "events">,
  userId: number,
  token: string,
): Promise<void> {
  const share = await getShare(deps.kv, token);
  if (!share) return;
  const mediaKey = (await mediaIdentity(share.media)).key;
  if (!await markMediaShared(deps.kv, userId, mediaKey, Date.now())) return;
  deps.events.emit({ type: "content_shared", userId, key: mediaKey });
}

/** Only the identity: a probe's whole info must not be stored with every share. */
function refOf(media: MediaRef): MediaRef {
  return { extractor: media.extractor, id: media.id, webpageUrl: media.webpageUrl };
}
