/**
 * GET /p/:token, the public page of a shared playlist, and what signed-in collaborators do
 * there. Sign-in is Telegram's: Mini App initData (GET /p/:token/app posts it to
 * /p/:token/session) or the Login Widget (GET /p/:token/login sends the browser back to
 * /p/:token/login/:nonce), both verified on the server and bound to the page's nonce
 * (routes/sign_in_nonce.ts), then a session cookie. Forms carry the session's CSRF token;
 * every action goes through the same permission table as the bot.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import type { Child } from "hono/jsx";
import { pickLocale, type Translations, translatorFor } from "../i18n/translations.ts";
import { getPlaylistByShareToken, type Playlist, PlaylistError } from "../kv/playlists.ts";
import { listPlaylistItems } from "../kv/playlist_items.ts";
import {
  createWebSession,
  getWebSession,
  SESSION_TTL_MS,
  type WebSession,
} from "../kv/web_sessions.ts";
import { botDeepLink, playlistPageUrl, SHARE_PAYLOAD_PREFIX } from "../lib/links.ts";
import {
  type TelegramAuthResult,
  verifyLoginWidget,
  verifyWebAppInitData,
} from "../lib/telegram_auth.ts";
import { isToken } from "../lib/tokens.ts";
import { isId } from "../lib/ids.ts";
import type { UserStore } from "../kv/users.ts";
import { nonceOfSignIn, offerSignIn, type SignInBinding } from "./sign_in_nonce.ts";
import { pageHeaders, renderUnder } from "./page_headers.ts";
import {
  accessPlaylist,
  type Actor,
  cleanPlaylistName,
  deletePlaylistAs,
  moveItem,
  removeItem,
  renamePlaylist,
} from "../services/playlists.ts";
import { PlaylistForbiddenError } from "../kv/playlist_roles.ts";
import { LoginPage, MessagePage, MiniAppEntry, PlaylistPage } from "./playlist_page.tsx";

export interface PlaylistRoutesDeps {
  kv: Deno.Kv;
  users: UserStore;
  botToken: string;
  /** known once the bot has called getMe */
  botUsername: () => string;
  /** where the pages are reached from outside (PUBLIC_URL, or localhost) */
  baseUrl: string;
  i18n: Translations;
  /** how old Telegram's signed login data may be */
  authMaxAgeSeconds?: number;
}

export const SESSION_COOKIE = "mb_session";
/** names the browser that was given a sign-in nonce */
const SIGN_IN_COOKIE = "mb_login";
const AUTH_MAX_AGE_SECONDS = 3600;

type PageKind = "page" | "app" | "login";

/** Inline styles and the Mini App script run by nonce only; nothing else may load but images. */
const PAGE_POLICY = {
  images: ["http:", "https:", "data:"],
  forms: "'self'",
  // Telegram's web client shows Mini Apps in a frame
  framedBy: ["'self'", "https://web.telegram.org"],
};
const PAGE_HEADERS: Record<PageKind, MiddlewareHandler> = {
  page: pageHeaders(PAGE_POLICY),
  app: pageHeaders({ ...PAGE_POLICY, scripts: ["nonce"] }),
  // the Telegram Login Widget: its script, and the frame it opens
  login: pageHeaders({
    ...PAGE_POLICY,
    scripts: ["https://telegram.org"],
    frames: ["https://oauth.telegram.org"],
  }),
};

export function playlistRoutes(deps: PlaylistRoutesDeps) {
  const { kv, users, botToken, i18n } = deps;
  const maxAgeSeconds = deps.authMaxAgeSeconds ?? AUTH_MAX_AGE_SECONDS;
  const secureCookie = deps.baseUrl.startsWith("https:");
  // a Mini App in Telegram's web client is a cross-site frame: its cookies must be None
  const sameSite = secureCookie ? "None" : "Lax";
  const signIn: SignInBinding = {
    scope: "playlists",
    cookie: SIGN_IN_COOKIE,
    path: "/p",
    secure: secureCookie,
    sameSite,
  };

  const localeOf = (c: Context, session?: WebSession | null) =>
    pickLocale(session?.languageCode ?? c.req.header("accept-language"));

  const render = (
    c: Context,
    status: 200 | 400 | 401 | 403 | 404 | 409,
    kind: PageKind,
    body: (nonce: string) => Child,
  ) =>
    renderUnder(
      c,
      PAGE_HEADERS[kind],
      (nonce) => c.html(html`<!DOCTYPE html>${body(nonce)}`, status),
    );

  const message = (
    c: Context,
    status: 400 | 401 | 403 | 404 | 409,
    lang: string,
    title: string,
    text: string,
  ) =>
    render(
      c,
      status,
      "page",
      (nonce) => <MessagePage lang={lang} nonce={nonce} title={title} text={text} />,
    );

  const notFound = (c: Context) => {
    const lang = localeOf(c);
    const t = translatorFor(i18n, lang);
    return message(c, 404, lang, t("web-not-found-title"), t("web-not-found-text"));
  };

  const sharedPlaylist = async (c: Context): Promise<Playlist | null> => {
    const token = c.req.param("token") ?? "";
    return isToken(token) ? (await getPlaylistByShareToken(kv, token))?.playlist ?? null : null;
  };

  const sessionOf = async (c: Context): Promise<WebSession | null> => {
    const id = getCookie(c, SESSION_COOKIE);
    return id && isToken(id) ? await getWebSession(kv, id) : null;
  };

  /**
   * The user's profile as KV has it now, never a copy: a user blocked a moment ago, by any
   * instance, is blocked here. The entry goes into the write's checks too.
   */
  const standingOf = async (userId: number) => {
    const profile = await users.getFreshEntry(userId);
    return { blocked: profile.value?.blocked === true, entry: profile };
  };

  const blockedPage = (c: Context, lang: string) => {
    const t = translatorFor(i18n, lang);
    return message(c, 403, lang, t("web-forbidden"), t("web-blocked"));
  };

  /** Opens a session for verified login data that comes with this browser's nonce. */
  const openSession = async (
    c: Context,
    playlist: Playlist,
    nonce: unknown,
    verify: () => Promise<TelegramAuthResult>,
  ) => {
    const lang = localeOf(c);
    const t = translatorFor(i18n, lang);
    const started = await nonceOfSignIn(c, kv, signIn, nonce);
    if (!started) return message(c, 401, lang, t("web-login-title"), t("web-login-not-started"));
    const auth = await verify();
    if (auth.ok && (await standingOf(auth.user.id)).blocked) return blockedPage(c, lang);
    const session = auth.ok
      ? await createWebSession(kv, {
        userId: auth.user.id,
        name: [auth.user.firstName, auth.user.lastName].filter(Boolean).join(" "),
        languageCode: auth.user.languageCode,
        hash: auth.hash,
        validForMs: (maxAgeSeconds + 60) * 1000,
        nonce: started,
      })
      : null;
    if (!session) return message(c, 401, lang, t("web-login-title"), t("web-login-failed"));
    setCookie(c, SESSION_COOKIE, session.id, {
      path: "/p",
      httpOnly: true,
      secure: secureCookie,
      sameSite,
      maxAge: Math.floor(SESSION_TTL_MS / 1000),
    });
    return c.redirect(pagePath(playlist), 303);
  };

  /** Runs a collaborator's action from a form: session, CSRF token, then the permission table. */
  const act = async (
    c: Context,
    run: (playlist: Playlist, actor: Actor, form: Record<string, unknown>) => Promise<unknown>,
  ) => {
    const playlist = await sharedPlaylist(c);
    if (!playlist) return notFound(c);
    const session = await sessionOf(c);
    const lang = localeOf(c, session);
    const t = translatorFor(i18n, lang);
    if (!session) return message(c, 401, lang, t("web-login-title"), t("web-login-text"));
    const form = await c.req.parseBody();
    if (form.csrf !== session.csrf) {
      return message(c, 403, lang, t("web-forbidden"), t("web-forbidden"));
    }
    const standing = await standingOf(session.userId);
    if (standing.blocked) return blockedPage(c, lang);
    const actor = { userId: session.userId, name: session.name, guard: [standing.entry] };
    try {
      await run(playlist, actor, form);
    } catch (error) {
      if (error instanceof PlaylistForbiddenError) {
        return message(c, 403, lang, t("web-forbidden"), t("playlist-forbidden"));
      }
      if (error instanceof PlaylistError && error.code === "not_found") return notFound(c);
      if (error instanceof PlaylistError) {
        return message(c, 409, lang, t("playlist-invalid"), t("playlist-busy"));
      }
      if (error instanceof BadInput) {
        return message(c, 400, lang, t("playlist-invalid"), t("playlist-usage"));
      }
      throw error;
    }
    return c.redirect(pagePath(playlist), 303);
  };

  return new Hono()
    .get("/p/:token", async (c) => {
      const playlist = await sharedPlaylist(c);
      if (!playlist) return notFound(c);
      const session = await sessionOf(c);
      const lang = localeOf(c, session);
      const t = translatorFor(i18n, lang);
      const [items, access, standing] = await Promise.all([
        listPlaylistItems(kv, playlist.id),
        session ? accessPlaylist(kv, playlist.id, { userId: session.userId }) : undefined,
        session ? standingOf(session.userId) : undefined,
      ]);
      // a blocked user sees the page as anyone with the link does, and why
      const blocked = standing?.blocked === true;
      const viewer = session && !blocked
        ? { name: session.name, role: access?.role, csrf: session.csrf }
        : undefined;
      return render(c, 200, "page", (nonce) => (
        <PlaylistPage
          t={t}
          lang={lang}
          nonce={nonce}
          playlist={playlist}
          items={items}
          pageUrl={playlistPageUrl(deps.baseUrl, playlist.shareToken!)}
          telegramUrl={botDeepLink(deps.botUsername(), SHARE_PAYLOAD_PREFIX + playlist.shareToken)}
          viewer={viewer}
          blocked={blocked}
        />
      ));
    })
    .get("/p/:token/app", async (c) => {
      const playlist = await sharedPlaylist(c);
      if (!playlist) return notFound(c);
      const lang = localeOf(c);
      const t = translatorFor(i18n, lang);
      const signInNonce = await offerSignIn(c, kv, signIn);
      return render(c, 200, "app", (nonce) => (
        <MiniAppEntry
          t={t}
          lang={lang}
          nonce={nonce}
          base={pagePath(playlist)}
          signInNonce={signInNonce}
        />
      ));
    })
    .post("/p/:token/session", async (c) => {
      const playlist = await sharedPlaylist(c);
      if (!playlist) return notFound(c);
      const form = await c.req.parseBody();
      const initData = typeof form.initData === "string" ? form.initData : "";
      return await openSession(
        c,
        playlist,
        form.nonce,
        () => verifyWebAppInitData(initData, botToken, { maxAgeSeconds }),
      );
    })
    .get("/p/:token/login", async (c) => {
      const playlist = await sharedPlaylist(c);
      if (!playlist) return notFound(c);
      const lang = localeOf(c);
      const t = translatorFor(i18n, lang);
      // signed data sent here comes from no page of ours: Telegram returns to the nonce's URL
      if (c.req.query("hash") !== undefined) {
        return message(c, 401, lang, t("web-login-title"), t("web-login-not-started"));
      }
      const signInNonce = await offerSignIn(c, kv, signIn);
      const loginUrl = `${playlistPageUrl(deps.baseUrl, playlist.shareToken!)}/login`;
      return render(c, 200, "login", (nonce) => (
        <LoginPage
          t={t}
          lang={lang}
          nonce={nonce}
          botUsername={deps.botUsername()}
          authUrl={`${loginUrl}/${signInNonce}`}
          failed={false}
        />
      ));
    })
    .get("/p/:token/login/:nonce", async (c) => {
      const playlist = await sharedPlaylist(c);
      if (!playlist) return notFound(c);
      return await openSession(
        c,
        playlist,
        c.req.param("nonce"),
        () => verifyLoginWidget(c.req.query(), botToken, { maxAgeSeconds }),
      );
    })
    .post("/p/:token/items/:itemId/move", (c) =>
      act(c, async (playlist, actor, form) => {
        const itemId = itemIdOf(c);
        if (form.direction !== "up" && form.direction !== "down") throw new BadInput();
        await moveItem(kv, actor, playlist.id, itemId, form.direction);
      }))
    .post("/p/:token/items/:itemId/remove", (c) =>
      act(c, async (playlist, actor) => {
        await removeItem(kv, actor, playlist.id, itemIdOf(c));
      }))
    .post("/p/:token/rename", (c) =>
      act(c, async (playlist, actor, form) => {
        const name = typeof form.name === "string" ? cleanPlaylistName(form.name) : undefined;
        if (!name) throw new BadInput();
        await renamePlaylist(kv, actor, playlist.id, { name });
      }))
    .post("/p/:token/delete", (c) =>
      act(c, async (playlist, actor) => {
        await deletePlaylistAs(kv, actor, playlist.id);
      }));
}

class BadInput extends Error {
  override name = "BadInput";
}

function pagePath(playlist: Playlist): string {
  return `/p/${encodeURIComponent(playlist.shareToken ?? "")}`;
}

function itemIdOf(c: Context): string {
  const itemId = c.req.param("itemId") ?? "";
  if (!isId(itemId)) throw new PlaylistError("not_found", "no such item");
  return itemId;
}
