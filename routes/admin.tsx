/**
 * GET /admin: the admin totals as a web page, for ADMIN_IDS only. Sign-in is Telegram's Login
 * Widget, which sends the browser back to /admin/login/:nonce (the nonce the page gave this
 * browser, routes/sign_in_nonce.ts), verified on the server (lib/telegram_auth.ts), then a KV
 * session (kv/web_sessions.ts) in an HttpOnly cookie scoped to /admin. Anyone else gets 401
 * (not signed in) or 403.
 */
import { pageHeaders, renderUnder } from "./page_headers.ts";
import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import type { Child } from "hono/jsx";
import { PageLayout } from "./page_layout.tsx";
import {
  pickLocale,
  type Translate,
  type Translations,
  translatorFor,
} from "../i18n/translations.ts";
import type { JobQueue } from "../kv/jobs.ts";
import type { UserStore } from "../kv/users.ts";
import {
  createWebSession,
  getWebSession,
  SESSION_TTL_MS,
  type WebSession,
} from "../kv/web_sessions.ts";
import { formatBytes, formatUtcMoment } from "../lib/format.ts";
import { verifyLoginWidget } from "../lib/telegram_auth.ts";
import { isToken } from "../lib/tokens.ts";
import { collectAdminReport } from "../services/admin_report.ts";
import { type AdminReport, renderBotChecks, type YtdlpFleet } from "../views/admin.ts";
import { YTDLP_STALE_DAYS } from "../media/ytdlp_version.ts";
import { nonceOfSignIn, offerSignIn, type SignInBinding } from "./sign_in_nonce.ts";

export interface AdminRoutesDeps {
  kv: Deno.Kv;
  queue: JobQueue;
  users: UserStore;
  botToken: string;
  /** known once the bot has called getMe */
  botUsername: () => string;
  adminIds: readonly number[];
  /** where the page is reached from outside (PUBLIC_URL, or localhost) */
  baseUrl: string;
  i18n: Translations;
  authMaxAgeSeconds?: number;
}

export const ADMIN_COOKIE = "mb_admin";
/** names the browser that was given a sign-in nonce on the admin page */
const ADMIN_SIGN_IN_COOKIE = "mb_admin_login";
const AUTH_MAX_AGE_SECONDS = 3600;

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1c1d1f}
main{max-width:960px;margin:0 auto;padding:16px}
h1{font-size:1.4em;margin:0 0 4px}
h2{font-size:1.05em;margin:20px 0 8px}
.muted{color:#5f6368;font-size:.9em}
.warning{color:#b3261e;font-weight:600}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px}
.card{background:#fff;border-radius:12px;padding:12px}
.card b{display:block;font-size:1.4em}
.warning{background:#fff4d6;border-radius:12px;padding:10px 12px}
table{border-collapse:collapse;width:100%;background:#fff;border-radius:12px;overflow:hidden}
td,th{padding:6px 10px;text-align:left;border-bottom:1px solid #eceef1}
@media (prefers-color-scheme:dark){body{background:#17191c;color:#e8eaed}.warning{background:#4a3b12}.card,table{background:#23262b}td,th{border-color:#33373d}.muted{color:#9aa0a6}}
`;

const ADMIN_POLICY = {
  images: ["data:", "https://telegram.org"],
  forms: "'none'",
  framedBy: ["'none'"],
};
const ADMIN_HEADERS = pageHeaders(ADMIN_POLICY);
/** the sign-in page: the Telegram Login Widget's script, and the frame it opens */
const SIGN_IN_HEADERS = pageHeaders({
  ...ADMIN_POLICY,
  scripts: ["https://telegram.org"],
  frames: ["https://oauth.telegram.org"],
});

function Layout(props: { lang: string; title: string; nonce: string; children?: Child }) {
  return <PageLayout {...props} css={CSS} head={<meta name="robots" content="noindex" />} />;
}

function percent(lang: string, ratio: number | undefined, signed = false): string {
  if (ratio === undefined) return "—";
  return new Intl.NumberFormat(lang, {
    style: "percent",
    maximumFractionDigits: 1,
    signDisplay: signed ? "exceptZero" : "auto",
  }).format(ratio);
}

function Counts(props: { rows: [string, number][]; empty: string }) {
  if (props.rows.length === 0) return <p class="muted">{props.empty}</p>;
  return (
    <table>
      {props.rows.map(([name, count]) => (
        <tr>
          <td>{name}</td>
          <td>{count}</td>
        </tr>
      ))}
    </table>
  );
}

function YtdlpVersions(props: { t: Translate; fleet: YtdlpFleet }) {
  const { t, fleet } = props;
  return (
    <>
      <h2>{t("web-admin-ytdlp")}</h2>
      {fleet.stale && (
        <p class="warning">
          {t("admin-ytdlp-stale", {
            version: fleet.stale.version,
            days: fleet.stale.ageDays,
            limit: YTDLP_STALE_DAYS,
          })}
        </p>
      )}
      {fleet.versions.length === 0 ? <p class="muted">{t("admin-ytdlp-none")}</p> : (
        <table>
          <tr>
            <th>{t("web-admin-ytdlp-version")}</th>
            <th>{t("web-admin-ytdlp-age")}</th>
            <th>{t("web-admin-ytdlp-workers")}</th>
          </tr>
          {fleet.versions.map((v) => (
            <tr>
              <td>{v.version}</td>
              <td>{v.ageDays ?? "—"}</td>
              <td>{v.workers.join(", ")}</td>
            </tr>
          ))}
        </table>
      )}
    </>
  );
}

function Dashboard(
  props: { t: Translate; lang: string; nonce: string; name: string; report: AdminReport },
) {
  const { t, lang, report } = props;
  const botChecks = renderBotChecks(t, lang, report.botChecks);
  const card = (label: string, value: string | number) => (
    <div class="card">
      <span class="muted">{label}</span>
      <b>{value}</b>
    </div>
  );
  return (
    <Layout lang={lang} title={t("web-admin-title")} nonce={props.nonce}>
      <h1>{t("web-admin-title")}</h1>
      <p class="muted">{t("web-admin-signed-in", { name: props.name })}</p>
      <div class="cards">
        {card(t("web-admin-users"), report.users)}
        {card(t("web-admin-premium"), report.premiumUsers)}
        {card(t("web-admin-daily-active"), report.dailyActive)}
        {card(t("web-admin-weekly-active"), report.weeklyActive)}
        {card(t("web-admin-downloads-today"), report.today.downloads)}
        {card(t("web-admin-downloads-week"), report.week.downloads)}
        {card(t("web-admin-bytes-week"), formatBytes(report.week.bytes, lang))}
        {card(t("web-admin-cache-ratio"), percent(lang, report.cacheHitRatio))}
        {card(t("web-admin-queue-depth"), report.jobs.ready)}
        {card(t("web-admin-stars"), report.starsRevenue)}
      </div>
      <h2>{t("web-admin-failures")}</h2>
      <Counts rows={report.failures} empty={t("admin-none")} />
      <h2>{t("web-admin-bot-checks")}</h2>
      <p>{botChecks.summary}</p>
      {botChecks.warning && <p class="warning">{botChecks.warning}</p>}
      <h2>{t("web-admin-top-sites")}</h2>
      <Counts rows={report.topSites} empty={t("admin-none")} />
      <h2>{t("web-admin-jobs")}</h2>
      <Counts rows={Object.entries(report.jobs)} empty={t("admin-none")} />
      <h2>{t("web-admin-undeliverable", { count: report.undeliverable.count })}</h2>
      {report.undeliverable.latest.length === 0 ? <p class="muted">{t("admin-none")}</p> : (
        <table>
          <tr>
            <th>{t("web-admin-when")}</th>
            <th>{t("web-admin-job")}</th>
            <th>{t("web-admin-user")}</th>
            <th>{t("web-admin-error")}</th>
          </tr>
          {report.undeliverable.latest.map((entry) => (
            <tr>
              <td>{formatUtcMoment(entry.movedAt, lang)}</td>
              <td>{entry.kind} {entry.jobId}</td>
              <td>{entry.userId}</td>
              <td>{entry.error}</td>
            </tr>
          ))}
        </table>
      )}
      <YtdlpVersions t={t} fleet={report.ytdlp} />
      <h2>{t("web-admin-experiments")}</h2>
      {report.experiments.length === 0 ? <p class="muted">{t("admin-exp-none")}</p> : (
        <table>
          <tr>
            <th>{t("web-admin-experiment")}</th>
            <th>{t("web-admin-variant")}</th>
            <th>{t("web-admin-exposed")}</th>
            <th>{t("web-admin-converted")}</th>
            <th>{t("web-admin-rate")}</th>
            <th>{t("web-admin-uplift")}</th>
            <th>p</th>
          </tr>
          {report.experiments.flatMap(({ experiment, variants }) =>
            variants.map((v) => (
              <tr>
                <td>{experiment.id} ({t(`admin-exp-status-${experiment.status}`)})</td>
                <td>{v.name}</td>
                <td>{v.exposed}</td>
                <td>{v.converted}</td>
                <td>{percent(lang, v.rate)}</td>
                <td>
                  {v.pValue === undefined ? t("web-admin-control") : percent(lang, v.uplift, true)}
                </td>
                <td>{v.pValue === undefined ? "" : v.pValue.toFixed(3)}</td>
              </tr>
            ))
          )}
        </table>
      )}
    </Layout>
  );
}

function Message(
  props: { lang: string; nonce: string; title: string; text: string; login?: Child },
) {
  return (
    <Layout lang={props.lang} title={props.title} nonce={props.nonce}>
      <h1>{props.title}</h1>
      <p>{props.text}</p>
      {props.login}
    </Layout>
  );
}

export function adminRoutes(deps: AdminRoutesDeps) {
  const { kv, i18n } = deps;
  const maxAgeSeconds = deps.authMaxAgeSeconds ?? AUTH_MAX_AGE_SECONDS;
  const isAdmin = (userId: number) => deps.adminIds.includes(userId);
  const secure = deps.baseUrl.startsWith("https:");
  const binding: SignInBinding = {
    scope: "admin",
    cookie: ADMIN_SIGN_IN_COOKIE,
    path: "/admin",
    secure,
    // Telegram sends the browser back from its own site: a Strict cookie would stay behind
    sameSite: "Lax",
  };

  const render = (
    c: Context,
    status: 200 | 401 | 403,
    login: boolean,
    body: (nonce: string) => Child,
  ) =>
    renderUnder(
      c,
      login ? SIGN_IN_HEADERS : ADMIN_HEADERS,
      (nonce) => c.html(html`<!DOCTYPE html>${body(nonce)}`, status),
    );

  const signIn = async (c: Context, text: string) => {
    const lang = pickLocale(c.req.header("accept-language"));
    const t = translatorFor(i18n, lang);
    const signInNonce = await offerSignIn(c, kv, binding);
    return render(c, 401, true, (nonce) => (
      <Message
        lang={lang}
        nonce={nonce}
        title={t("web-admin-title")}
        text={text}
        login={
          <script
            async
            src="https://telegram.org/js/telegram-widget.js?22"
            data-telegram-login={deps.botUsername()}
            data-size="large"
            data-auth-url={`${deps.baseUrl}/admin/login/${signInNonce}`}
          />
        }
      />
    ));
  };

  const forbidden = (c: Context) => {
    const lang = pickLocale(c.req.header("accept-language"));
    const t = translatorFor(i18n, lang);
    return render(
      c,
      403,
      false,
      (nonce) => (
        <Message
          lang={lang}
          nonce={nonce}
          title={t("web-admin-title")}
          text={t("web-admin-forbidden")}
        />
      ),
    );
  };

  const sessionOf = async (c: Context): Promise<WebSession | null> => {
    const id = getCookie(c, ADMIN_COOKIE);
    return id && isToken(id) ? await getWebSession(kv, id) : null;
  };

  return new Hono()
    .get("/admin", async (c) => {
      const session = await sessionOf(c);
      const lang = pickLocale(c.req.header("accept-language"));
      const t = translatorFor(i18n, lang);
      if (!session) return await signIn(c, t("web-admin-sign-in"));
      // checked on every request: an id removed from ADMIN_IDS loses access at once
      if (!isAdmin(session.userId)) return forbidden(c);
      const report = await collectAdminReport({ kv, queue: deps.queue, users: deps.users });
      return render(
        c,
        200,
        false,
        (nonce) => (
          <Dashboard t={t} lang={lang} nonce={nonce} name={session.name} report={report} />
        ),
      );
    })
    // signed data sent here comes from no page of ours: Telegram returns to the nonce's URL
    .get("/admin/login", async (c) => {
      const t = translatorFor(i18n, pickLocale(c.req.header("accept-language")));
      return await signIn(c, t("web-login-not-started"));
    })
    .get("/admin/login/:nonce", async (c) => {
      const lang = pickLocale(c.req.header("accept-language"));
      const t = translatorFor(i18n, lang);
      const started = await nonceOfSignIn(c, kv, binding, c.req.param("nonce"));
      if (!started) return await signIn(c, t("web-login-not-started"));
      const auth = await verifyLoginWidget(c.req.query(), deps.botToken, { maxAgeSeconds });
      if (!auth.ok) return await signIn(c, t("web-admin-login-failed"));
      if (!isAdmin(auth.user.id)) return forbidden(c);
      const session = await createWebSession(kv, {
        userId: auth.user.id,
        name: [auth.user.firstName, auth.user.lastName].filter(Boolean).join(" "),
        hash: auth.hash,
        validForMs: (maxAgeSeconds + 60) * 1000,
        nonce: started,
      });
      if (!session) return await signIn(c, t("web-admin-login-failed"));
      setCookie(c, ADMIN_COOKIE, session.id, {
        path: "/admin",
        httpOnly: true,
        secure,
        sameSite: "Lax",
        maxAge: Math.floor(SESSION_TTL_MS / 1000),
      });
      return c.redirect("/admin", 303);
    });
}
