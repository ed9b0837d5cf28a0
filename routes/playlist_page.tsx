/**
 * The shared playlist's page, rendered on the server: readable on a phone, no client script
 * (the Mini App entry has one short inline script that hands Telegram's initData to the
 * server). hono/jsx escapes every text and attribute.
 */
import type { Child } from "hono/jsx";
import { PageLayout } from "./page_layout.tsx";
import type { Playlist, PlaylistRole } from "../kv/playlists.ts";
import type { PlaylistItem } from "../kv/playlist_items.ts";
import type { Translate } from "../i18n/translations.ts";
import { formatDuration } from "../lib/format.ts";
import { can } from "../kv/playlist_roles.ts";

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1c1d1f}
main{max-width:720px;margin:0 auto;padding:16px}
header{display:flex;gap:16px;align-items:center;margin-bottom:16px}
header img{width:96px;height:96px;object-fit:cover;border-radius:12px;flex:none;background:#dde}
h1{font-size:1.4em;margin:0 0 4px;overflow-wrap:anywhere}
p{margin:0 0 8px}
.muted{color:#5f6368;font-size:.9em}
.button{display:inline-block;padding:10px 16px;border-radius:999px;background:#2481cc;color:#fff;text-decoration:none;font-weight:600;border:0;font-size:.95em;cursor:pointer}
.button.light{background:#e3e8ef;color:#1c1d1f}
.button.danger{background:#d93025}
ol{list-style:none;padding:0;margin:16px 0}
li{display:flex;gap:12px;align-items:center;background:#fff;border-radius:12px;padding:8px;margin-bottom:8px}
li img{width:96px;height:54px;object-fit:cover;border-radius:8px;flex:none;background:#dde}
li .text{flex:1;min-width:0}
li .title{font-weight:600;overflow-wrap:anywhere}
li form{display:inline}
.controls{display:flex;gap:4px;flex-wrap:wrap;margin-top:4px}
.controls button{padding:4px 10px;border-radius:8px;border:1px solid #c9ced6;background:#fff;font-size:.85em;cursor:pointer}
.admin{background:#fff;border-radius:12px;padding:12px;margin-top:16px;display:flex;gap:8px;flex-wrap:wrap;align-items:center}
.admin input[type=text]{flex:1;min-width:140px;padding:8px;border-radius:8px;border:1px solid #c9ced6;font-size:1em}
@media (prefers-color-scheme:dark){body{background:#17191c;color:#e8eaed}li,.admin{background:#23262b}.muted{color:#9aa0a6}.button.light{background:#33373d;color:#e8eaed}.controls button{background:#23262b;color:#e8eaed;border-color:#44484f}}
`;

/** Thumbnails and source links are shown only when they are plain http(s) URLs. */
function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

function Layout(
  props: { lang: string; title: string; nonce: string; head?: Child; children?: Child },
) {
  return <PageLayout {...props} css={CSS} />;
}

export interface Viewer {
  name: string;
  role?: PlaylistRole;
  csrf: string;
}

export interface PlaylistPageProps {
  t: Translate;
  lang: string;
  nonce: string;
  playlist: Playlist;
  items: PlaylistItem[];
  pageUrl: string;
  telegramUrl: string;
  viewer?: Viewer;
  /** the signed-in user is blocked: no editing, and a line that says so */
  blocked?: boolean;
}

export function PlaylistPage(props: PlaylistPageProps) {
  const { t, playlist, items, viewer } = props;
  const base = new URL(props.pageUrl).pathname;
  const cover = safeUrl(playlist.cover);
  const description = playlist.description || t("web-og-description", { count: items.length });
  const head = (
    <>
      <meta name="description" content={description} />
      <meta property="og:type" content="website" />
      <meta property="og:site_name" content="MediaBot" />
      <meta property="og:title" content={playlist.name} />
      <meta property="og:description" content={description} />
      <meta property="og:url" content={props.pageUrl} />
      {cover && <meta property="og:image" content={cover} />}
      <meta name="twitter:card" content={cover ? "summary_large_image" : "summary"} />
    </>
  );
  const canEdit = can(viewer?.role, "reorder");
  return (
    <Layout lang={props.lang} title={playlist.name} nonce={props.nonce} head={head}>
      <header>
        {cover && <img src={cover} alt="" width="96" height="96" />}
        <div>
          <h1>{playlist.name}</h1>
          <p class="muted">
            {t("web-by", { owner: playlist.ownerName })} · {t("web-items", { count: items.length })}
          </p>
          <a class="button" href={props.telegramUrl}>{t("web-open-in-telegram")}</a>
        </div>
      </header>
      {playlist.description && <p>{playlist.description}</p>}
      {props.blocked ? <p class="muted">{t("web-blocked")}</p> : viewer
        ? (
          <p class="muted">
            {t("web-signed-in", {
              name: viewer.name,
              role: viewer.role ? t(`playlist-role-${viewer.role}`) : "—",
            })}
          </p>
        )
        : <a class="muted" href={`${base}/login`}>{t("web-sign-in")}</a>}
      {items.length === 0 ? <p class="muted">{t("web-empty")}</p> : (
        <ol>
          {items.map((item, index) => (
            <ItemRow
              t={t}
              item={item}
              index={index}
              last={index === items.length - 1}
              base={base}
              csrf={canEdit ? viewer?.csrf : undefined}
            />
          ))}
        </ol>
      )}
      {viewer && can(viewer.role, "rename") && (
        <form class="admin" method="post" action={`${base}/rename`}>
          <input type="hidden" name="csrf" value={viewer.csrf} />
          <input type="text" name="name" value={playlist.name} maxlength={64} required />
          <button class="button light" type="submit">{t("web-rename")}</button>
        </form>
      )}
      {viewer && can(viewer.role, "delete") && (
        <form class="admin" method="post" action={`${base}/delete`}>
          <input type="hidden" name="csrf" value={viewer.csrf} />
          <button class="button danger" type="submit">{t("web-delete")}</button>
        </form>
      )}
    </Layout>
  );
}

function ItemRow(props: {
  t: Translate;
  item: PlaylistItem;
  index: number;
  last: boolean;
  base: string;
  /** set when the viewer may reorder and remove */
  csrf?: string;
}) {
  const { t, item, csrf } = props;
  const { info } = item;
  const thumbnail = safeUrl(info.thumbnail);
  const source = safeUrl(info.webpageUrl) ?? safeUrl(item.url);
  const duration = info.isLive
    ? t("web-live")
    : info.duration
    ? formatDuration(info.duration)
    : undefined;
  const action = `${props.base}/items/${item.id}`;
  return (
    <li id={`item-${item.id}`}>
      {thumbnail ? <img src={thumbnail} alt="" width="96" height="54" /> : <img alt="" />}
      <div class="text">
        <div class="title">{props.index + 1}. {info.title}</div>
        <div class="muted">
          {duration && <span>{`${duration} · `}</span>}
          {source && <a href={source} rel="noopener noreferrer nofollow">{t("web-source")}</a>}
        </div>
        {csrf && (
          <div class="controls">
            {props.index > 0 && (
              <form method="post" action={`${action}/move`}>
                <input type="hidden" name="csrf" value={csrf} />
                <input type="hidden" name="direction" value="up" />
                <button type="submit" aria-label={t("web-move-up")}>↑ {t("web-move-up")}</button>
              </form>
            )}
            {!props.last && (
              <form method="post" action={`${action}/move`}>
                <input type="hidden" name="csrf" value={csrf} />
                <input type="hidden" name="direction" value="down" />
                <button type="submit" aria-label={t("web-move-down")}>
                  ↓ {t("web-move-down")}
                </button>
              </form>
            )}
            <form method="post" action={`${action}/remove`}>
              <input type="hidden" name="csrf" value={csrf} />
              <button type="submit">✕ {t("web-remove")}</button>
            </form>
          </div>
        )}
      </div>
    </li>
  );
}

export function MessagePage(props: {
  lang: string;
  nonce: string;
  title: string;
  text: string;
  back?: { href: string; label: string };
}) {
  return (
    <Layout lang={props.lang} title={props.title} nonce={props.nonce}>
      <h1>{props.title}</h1>
      <p>{props.text}</p>
      {props.back && <a class="button light" href={props.back.href}>{props.back.label}</a>}
    </Layout>
  );
}

/**
 * The Mini App entry: reads Telegram's launch data from the URL fragment and posts it, with
 * the sign-in nonce this page was given.
 */
export function MiniAppEntry(
  props: { t: Translate; lang: string; nonce: string; base: string; signInNonce: string },
) {
  const script =
    `(function(){var data=new URLSearchParams(location.hash.slice(1)).get("tgWebAppData");` +
    `if(!data){document.getElementById("no-data").hidden=false;return;}` +
    `document.getElementById("init-data").value=data;document.getElementById("login").submit();})();`;
  return (
    <Layout lang={props.lang} title={props.t("web-app-opening")} nonce={props.nonce}>
      <form id="login" method="post" action={`${props.base}/session`}>
        <input type="hidden" id="init-data" name="initData" />
        <input type="hidden" name="nonce" value={props.signInNonce} />
      </form>
      <p class="muted">{props.t("web-app-opening")}</p>
      <p id="no-data" hidden>{props.t("web-app-no-data")}</p>
      <script nonce={props.nonce} dangerouslySetInnerHTML={{ __html: script }} />
    </Layout>
  );
}

/** The Telegram Login Widget: Telegram's script sends the user back to authUrl, signed. */
export function LoginPage(props: {
  t: Translate;
  lang: string;
  nonce: string;
  botUsername: string;
  authUrl: string;
  failed: boolean;
}) {
  const { t } = props;
  return (
    <Layout lang={props.lang} title={t("web-login-title")} nonce={props.nonce}>
      <h1>{t("web-login-title")}</h1>
      <p>{props.failed ? t("web-login-failed") : t("web-login-text")}</p>
      <script
        async
        src="https://telegram.org/js/telegram-widget.js?22"
        data-telegram-login={props.botUsername}
        data-size="large"
        data-auth-url={props.authUrl}
        data-request-access="write"
      />
    </Layout>
  );
}
