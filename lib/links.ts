/** Every link the bot hands out: the public web pages and t.me deep links. */

/** PUBLIC_URL when set, else this machine's port (long polling needs no public address). */
export function publicBaseUrl(config: { publicUrl?: string; port: number }): string {
  return config.publicUrl ?? `http://localhost:${config.port}`;
}

export function playlistPageUrl(baseUrl: string, shareToken: string): string {
  return `${baseUrl}/p/${encodeURIComponent(shareToken)}`;
}

/** The Mini App entry of a shared playlist's page (Telegram opens it with initData). */
export function playlistAppUrl(baseUrl: string, shareToken: string): string {
  return `${playlistPageUrl(baseUrl, shareToken)}/app`;
}

/** t.me/<bot>?start=<payload>: opens the bot and sends it "/start <payload>". */
export function botDeepLink(botUsername: string, payload: string): string {
  return `https://t.me/${encodeURIComponent(botUsername)}?start=${encodeURIComponent(payload)}`;
}

export const SHARE_PAYLOAD_PREFIX = "pl_";
export const INVITE_PAYLOAD_PREFIX = "inv_";
/** a media shared with "📤 Share": the link opens its preview */
export const MEDIA_SHARE_PAYLOAD_PREFIX = "sh_";
/** a link typed in an inline query that the bot has no file for: the link opens its preview */
export const INLINE_LINK_PAYLOAD_PREFIX = "dl_";
