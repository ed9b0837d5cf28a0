/**
 * Sending a link's preview (its thumbnail fetched through the guard, its choices, what it advises
 * this user): from an update's handler and from a finished probe alike.
 */
import { type Api, GrammyError, InputFile } from "grammy";
import { createPreview, type Preview } from "../kv/previews.ts";
import { type FetchGuard, guardedFetch } from "../lib/guarded_fetch.ts";
import type { ProbeInfo } from "../media/media_types.ts";
import type { Translate } from "../i18n/translations.ts";
import { type PreviewOptions, renderPreview } from "../views/media.ts";
import { loadLanguageDetection } from "../media/detect_language.ts";
import { type AdviceDeps, loadPreviewAdvice } from "./preview_advice.ts";
import { previewQualityOrder } from "./experiments.ts";
import { offeredRecordMinutes } from "./recordings.ts";
import { shareMedia } from "./shares.ts";
import { isGroupChatId } from "../kv/bot_chats.ts";

export interface PreviewTarget {
  api: Api;
  kv: Deno.Kv;
  urlGuard: FetchGuard;
  t: Translate;
  locale: string;
  userId: number;
  chatId: number;
  replyToMessageId?: number;
  preview?: PreviewOptions;
  /** given: the preview recommends a quality for this user's limits, prefs and habits */
  advice?: AdviceDeps;
}

/** Stores the preview's choices and shows them: a photo of the thumbnail, or text without one. */
export async function sendPreview(
  target: PreviewTarget,
  url: string,
  info: ProbeInfo,
): Promise<Preview> {
  const { api, kv, chatId } = target;
  const preview = await createPreview(kv, {
    userId: target.userId,
    chatId,
    replyToMessageId: target.replyToMessageId,
    url,
    info,
  });
  // the "Translate title" offer depends on the title's language
  if (target.preview?.offerTranslation) await loadLanguageDetection();
  const { caption, keyboard } = renderPreview(
    target.t,
    target.locale,
    info,
    preview.id,
    info.isLive ? { ...await liveOptions(target), ...target.preview } : {
      ...target.preview,
      advice: target.advice
        ? await loadPreviewAdvice(target.advice, target.userId, info)
        : undefined,
      qualityOrder: await previewQualityOrder(kv, target.userId),
      shareToken: await shareMedia(kv, { media: info, title: info.title }),
      inGroup: isGroupChatId(chatId),
    },
  );
  const common = {
    reply_markup: keyboard,
    ...(target.replyToMessageId
      ? {
        reply_parameters: {
          message_id: target.replyToMessageId,
          allow_sending_without_reply: true,
        },
      }
      : {}),
  };
  const thumbnail = info.thumbnail
    ? await fetchThumbnail(target.urlGuard, info.thumbnail)
    : undefined;
  if (thumbnail) {
    try {
      await api.sendPhoto(chatId, thumbnail, { caption, ...common });
      return preview;
    } catch (error) {
      if (!(error instanceof GrammyError) || error.error_code !== 400) throw error;
    }
  }
  await api.sendMessage(chatId, caption, {
    ...common,
    link_preview_options: { is_disabled: true },
  });
  return preview;
}

/** A live stream cannot be downloaded whole: its preview offers recordings of the plan's lengths. */
async function liveOptions(target: PreviewTarget): Promise<PreviewOptions> {
  const user = await target.advice?.users.getFresh(target.userId) ?? undefined;
  return { recordMinutes: offeredRecordMinutes(user) };
}

/** Telegram takes photos of up to 10 MB; a preview's picture needs far less. */
const PREVIEW_PICTURE_MAX_BYTES = 5_000_000;
const PREVIEW_PICTURE_TIMEOUT_MS = 10_000;

/**
 * The thumbnail's bytes, fetched by the guarded fetch. Its URL is never handed to the Bot API:
 * a self-hosted server inside our network would fetch it unguarded, after a DNS answer of its own.
 */
async function fetchThumbnail(urlGuard: FetchGuard, url: string): Promise<InputFile | undefined> {
  try {
    const response = await guardedFetch(urlGuard, url, {
      headers: { accept: "image/*" },
      maxBodyBytes: PREVIEW_PICTURE_MAX_BYTES,
      maxRedirects: 3,
      timeoutMs: PREVIEW_PICTURE_TIMEOUT_MS,
    });
    const type = response.headers.get("content-type") ?? "";
    const ok = response.status >= 200 && response.status < 300 && response.body.byteLength > 0;
    return ok && type.startsWith("image/")
      ? new InputFile(response.body, "thumbnail.jpg")
      : undefined;
  } catch {
    // refused, unreachable or too big: the preview goes without a picture
    return undefined;
  }
}
