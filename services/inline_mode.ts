/**
 * The bot's inline mode ("@bot …" in any chat). A Share button's token answers with its share
 * (services/shares.ts); a link answers with the file Telegram has of it, sent by file_id, or else
 * with a result that opens the bot on that link; words, or nothing, answer with the user's own
 * downloads that match, newest first, page by page. Inline queries only read caches: a link is
 * checked by the URL guard, then looked up, never probed.
 */
import type { InlineQueryResult } from "grammy/types";
import { type HistoryEntry, listHistoryPage, mediaOfEntry } from "../kv/history.ts";
import { saveInlineLink } from "../kv/inline_links.ts";
import type { FoundFile, SendMode } from "../kv/media.ts";
import { saveShare, type Share } from "../kv/shares.ts";
import type { MediaRef } from "../media/media_identity.ts";
import { type MediaKind, type Variant, VARIANTS } from "../media/media_types.ts";
import type { Translate } from "../i18n/translations.ts";
import { isId } from "../lib/ids.ts";
import {
  botDeepLink,
  INLINE_LINK_PAYLOAD_PREFIX,
  MEDIA_SHARE_PAYLOAD_PREFIX,
} from "../lib/links.ts";
import { isStaleFileId } from "../lib/telegram.ts";
import { URL_REFUSAL_INLINE } from "../views/refusals.ts";
import { renderShareResult, type ShareResultView } from "../views/share.ts";
import type { ServiceDeps } from "./deps.ts";
import { answerShareQuery, isShareToken } from "./shares.ts";

/** What answerInlineQuery is called with, besides the results. */
export interface InlineAnswerOptions {
  cache_time: number;
  is_personal: boolean;
  next_offset?: string;
  /** shown above the results: opens the bot with /start <start_parameter> */
  button?: { text: string; start_parameter: string };
}

export interface InlineRequest {
  userId: number;
  query: string;
  /** Telegram's offset: the next_offset of the page before, "" for the first */
  offset: string;
  t: Translate;
  botUsername: string;
  answer: (results: InlineQueryResult[], options: InlineAnswerOptions) => Promise<unknown>;
}

/** Results of one page of the user's downloads (Telegram takes up to 50). */
const INLINE_PAGE_SIZE = 20;
/** History entries looked at for one page of matches, so a rare word costs a bounded scan. */
const INLINE_SCAN_LIMIT = 100;
/** A link's answer is everyone's (no user in it): Telegram may give it to others for a minute. */
const LINK_CACHE_SECONDS = 60;
/** The user's own downloads change with every delivery: kept briefly, for them only. */
const HISTORY_CACHE_SECONDS = 10;
/** The start parameter of the button of an answer without results: the bot's menu. */
const MENU_START_PARAMETER = "inline";

/** A Share button's answer: short, so a file cached since replaces the deep link soon. */
const SHARE_CACHE_SECONDS = 10;

/**
 * A link's cached file is looked for in this order: the best video down, then audio, then
 * compressed, then a split's first part.
 */
const LINK_VARIANTS = VARIANTS;
const MODES: readonly SendMode[] = ["video", "file"];

type InlineDeps = Pick<ServiceDeps, "kv" | "media" | "urlGuard">;

export async function answerInline(deps: InlineDeps, request: InlineRequest): Promise<void> {
  const query = request.query.trim();
  if (isShareToken(query)) {
    const answered = await answerShareQuery(deps, {
      token: query,
      t: request.t,
      botUsername: request.botUsername,
      answer: (results) =>
        request.answer(results, { cache_time: SHARE_CACHE_SECONDS, is_personal: true }),
    });
    if (answered) return;
  }
  const link = linkOf(query);
  if (link !== undefined) return await answerLink(deps, request, link);
  await answerHistory(deps, request, query);
}

/** A query that is one link (with or without its scheme): it goes to the URL guard. */
function linkOf(query: string): string | undefined {
  if (query === "" || /\s/.test(query)) return undefined;
  if (query.includes("://")) return query;
  // a host name ending in a top-level domain ("youtu.be/x"), not a word with a dot ("v1.2")
  return /^([\w-]+\.)+[a-z]{2,}(\/|$)/i.test(query) ? `https://${query}` : undefined;
}

/** One result: a media with the file Telegram has of it, if any. */
interface InlineItem {
  share: Share;
  file?: { kind: MediaKind; fileId: string };
}

async function answerLink(deps: InlineDeps, request: InlineRequest, raw: string): Promise<void> {
  const { t } = request;
  const checked = await deps.urlGuard.check(raw);
  if (!checked.ok) {
    await request.answer([], {
      cache_time: LINK_CACHE_SECONDS,
      is_personal: false,
      button: {
        text: t(URL_REFUSAL_INLINE[checked.reason]),
        start_parameter: MENU_START_PARAMETER,
      },
    });
    return;
  }
  const url = checked.url.href;
  const options = { cache_time: LINK_CACHE_SECONDS, is_personal: false };
  const media = await deps.media.getMediaOfLink(url);
  if (!media) {
    // never seen: the result opens the bot on the link, kept in KV under a short token
    const token = await saveInlineLink(deps.kv, url);
    const deepLink = botDeepLink(request.botUsername, `${INLINE_LINK_PAYLOAD_PREFIX}${token}`);
    await request.answer([
      renderShareResult(t, {
        id: `${INLINE_LINK_PAYLOAD_PREFIX}${token}`,
        title: url,
        webpageUrl: url,
        botUsername: request.botUsername,
        deepLink,
      }),
    ], options);
    return;
  }
  const item = await cachedItem(deps, media, LINK_VARIANTS, MODES);
  await answerItems(request, [item], options);
}

/** The media's first cached file among `variants` (a split's first part), shared as one item. */
async function cachedItem(
  deps: InlineDeps,
  media: MediaRef,
  variants: readonly Variant[],
  modes: readonly SendMode[],
  title?: string,
): Promise<InlineItem> {
  const found: FoundFile | undefined = await deps.media.findFile(
    media,
    variants.filter((v) => v !== "split"),
    modes,
  );
  if (found) {
    const share = await saveShare(deps.kv, {
      media,
      title: title ?? found.file.title,
      file: { variant: found.variant, mode: found.mode },
    });
    return { share, file: { kind: found.file.kind, fileId: found.file.fileId } };
  }
  if (variants.includes("split")) {
    for (const mode of modes) {
      const first = (await deps.media.getParts(media, mode))?.[0];
      if (!first) continue;
      // a result sends one file: a split's first part, its share the deep link to all of them
      const share = await saveShare(deps.kv, { media, title: title ?? first.title });
      return { share, file: { kind: first.kind, fileId: first.fileId } };
    }
  }
  return { share: await saveShare(deps.kv, { media, title: title ?? media.webpageUrl }) };
}

async function answerHistory(deps: InlineDeps, request: InlineRequest, query: string) {
  const words = query.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  const { matches, next } = await findDownloads(deps.kv, request.userId, words, request.offset);
  const items = await Promise.all(matches.map((entry) => {
    const preferred: SendMode = entry.kind === "document" ? "file" : "video";
    const modes = [preferred, preferred === "video" ? "file" : "video"] as const;
    return cachedItem(deps, mediaOfEntry(entry), [entry.variant], modes, entry.title);
  }));
  const options: InlineAnswerOptions = {
    cache_time: HISTORY_CACHE_SECONDS,
    is_personal: true,
    ...(next ? { next_offset: next } : {}),
  };
  if (items.length === 0 && request.offset === "") {
    const key = words.length === 0 ? "inline-no-history" : "inline-no-match";
    options.button = { text: request.t(key), start_parameter: MENU_START_PARAMETER };
  }
  await answerItems(request, items, options);
}

/**
 * The user's downloads whose title or creator has every word, newest first, from `offset` (a
 * history id, else the newest): one page of them, and where the next page starts.
 */
async function findDownloads(
  kv: Deno.Kv,
  userId: number,
  words: string[],
  offset: string,
): Promise<{ matches: HistoryEntry[]; next?: string }> {
  const matches: HistoryEntry[] = [];
  // the offset comes back from the user's app: anything but one of our ids starts afresh
  let from = isId(offset) ? offset : undefined;
  let scanned = 0;
  while (scanned < INLINE_SCAN_LIMIT) {
    const page = await listHistoryPage(kv, userId, { filter: "all", from, limit: 50 });
    for (const entry of page.entries) {
      if (matches.length === INLINE_PAGE_SIZE || scanned === INLINE_SCAN_LIMIT) {
        return { matches, next: entry.id };
      }
      scanned++;
      const text = `${entry.title} ${entry.uploader ?? ""}`.toLocaleLowerCase();
      if (words.every((word) => text.includes(word))) matches.push(entry);
    }
    if (!page.older) return { matches };
    from = page.older;
  }
  return { matches, next: from };
}

/**
 * Answers with the items, one result each (the first of two items that are one share is kept).
 * A file Telegram refuses fails the whole answer: it is given again with deep links only.
 */
async function answerItems(
  request: InlineRequest,
  items: InlineItem[],
  options: InlineAnswerOptions,
): Promise<void> {
  const unique = items.filter((item, i) =>
    items.findIndex((other) => other.share.token === item.share.token) === i
  );
  const render = (withFiles: boolean) =>
    unique.map((item) => renderShareResult(request.t, viewOf(request, item, withFiles)));
  try {
    await request.answer(render(true), options);
  } catch (error) {
    if (!unique.some((item) => item.file) || !isStaleFileId(error)) throw error;
    await request.answer(render(false), options);
  }
}

function viewOf(request: InlineRequest, item: InlineItem, withFile: boolean): ShareResultView {
  const { share } = item;
  return {
    id: share.token,
    title: share.title,
    webpageUrl: share.media.webpageUrl,
    botUsername: request.botUsername,
    deepLink: botDeepLink(request.botUsername, `${MEDIA_SHARE_PAYLOAD_PREFIX}${share.token}`),
    file: withFile ? item.file : undefined,
  };
}
