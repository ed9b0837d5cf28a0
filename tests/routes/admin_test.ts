import { assert, assertEquals, assertExists, assertMatch } from "../support/assert.ts";
import { startTestSystem } from "../support/system.ts";
import { createWebSession, findLoginNonce, issueLoginNonce } from "../../kv/web_sessions.ts";
import { ADMIN_COOKIE } from "../../routes/admin.tsx";
import { recordEvents } from "../../kv/analytics.ts";
import { WebClient, widgetAuthUrl } from "../support/web_client.ts";
import { waitUntil } from "../support/wait.ts";
import { listWorkerYtdlp, recordWorkerYtdlp } from "../../kv/worker_ytdlp.ts";

const ADMIN = 8001;
const OTHER = 8002;

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Login Widget data signed as Telegram does: HMAC-SHA256 keyed by SHA-256(bot token). */
async function signedLogin(
  botToken: string,
  userId: number,
  authDate = Math.floor(Date.now() / 1000),
) {
  const fields: Record<string, string> = {
    id: String(userId),
    first_name: `User ${userId}`,
    username: `user${userId}`,
    auth_date: String(authDate),
  };
  const checkString = Object.keys(fields).sort().map((key) => `${key}=${fields[key]}`).join("\n");
  const secret = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(botToken));
  const key = await crypto.subtle.importKey(
    "raw",
    secret,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const hash = hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(checkString)));
  return new URLSearchParams({ ...fields, hash }).toString();
}

Deno.test("[routes/admin] the web page is refused to everyone but ADMIN_IDS signed in with Telegram", async () => {
  await using bed = await startTestSystem({ ADMIN_IDS: String(ADMIN) });
  const { app, kv } = bed.system;
  const token = bed.telegram.token;

  const browser = new WebClient((path, init) => app.request(path, init));
  const anonymous = await browser.request("/admin");
  assertEquals(anonymous.status, 401);
  const loginPage = await anonymous.text();
  assertMatch(loginPage, /telegram-widget\.js/);
  assertMatch(widgetAuthUrl(loginPage) ?? "", /\/admin\/login\/[\w-]{22}$/);
  assert(!/Stars revenue/.test(loginPage), "no figures before signing in");
  /** Where Telegram sends the browser back: the auth URL of a fresh sign-in page, signed. */
  const login = async (signed: string, from = browser) => {
    const page = await from.page("/admin");
    return await from.request(`${new URL(widgetAuthUrl(page.html)!).pathname}?${signed}`);
  };

  // flip the hash's first digit (a fixed replacement would sometimes change nothing)
  const forged = (await signedLogin(token, ADMIN)).replace(
    /hash=([0-9a-f])/,
    (_, digit: string) => `hash=${((parseInt(digit, 16) + 1) % 16).toString(16)}`,
  );
  assertEquals((await login(forged)).status, 401);
  const stale = await signedLogin(token, ADMIN, Math.floor(Date.now() / 1000) - 2 * 3600);
  assertEquals((await login(stale)).status, 401, "an old login is refused");
  const wrongBot = await signedLogin("999:another-bot-token", ADMIN);
  assertEquals((await login(wrongBot)).status, 401);

  const other = await login(await signedLogin(token, OTHER));
  assertEquals(other.status, 403, "a real Telegram user who is not an admin");
  assertEquals(other.headers.get("set-cookie"), null, "and no session for them");

  // a session that exists for someone else (e.g. from the playlist page) does not open it either
  const nonce = await issueLoginNonce(kv, "browser-of-other-user", "playlists");
  const session = await createWebSession(kv, {
    userId: OTHER,
    name: "Other",
    hash: "f".repeat(64),
    validForMs: 60_000,
    nonce: (await findLoginNonce(kv, nonce, "browser-of-other-user", "playlists"))!,
  });
  assertExists(session);
  const withOtherSession = await app.request("/admin", {
    headers: { cookie: `${ADMIN_COOKIE}=${session.id}` },
  });
  assertEquals(withOtherSession.status, 403);

  const adminLogin = await signedLogin(token, ADMIN);
  assertEquals(
    (await browser.request(`/admin/login?${adminLogin}`)).status,
    401,
    "signed data that no sign-in page of ours started",
  );
  const signedIn = await login(adminLogin);
  assertEquals(signedIn.status, 303);
  const cookie = signedIn.headers.get("set-cookie") ?? "";
  assertMatch(cookie, new RegExp(`^${ADMIN_COOKIE}=[\\w-]+;`));
  assertMatch(cookie, /HttpOnly/);
  assertMatch(cookie, /Path=\/admin/);
  assertEquals(
    (await login(adminLogin, new WebClient((path, init) => app.request(path, init)))).status,
    401,
    "the same login data cannot be replayed, from another browser either",
  );

  // six sign-in checks in the last hour, none the day before: a spike
  const botCheck = (at: number) => ({
    name: "download_failed",
    userId: 1,
    at,
    labels: { reason: "needs_login" },
    amounts: {},
  });
  await recordEvents(kv, Array.from({ length: 6 }, (_, i) => botCheck(Date.now() - i * 60_000)));

  const page = await app.request("/admin", { headers: { cookie: cookie.split(";")[0] } });
  assertEquals(page.status, 200);
  const html = await page.text();
  const styleNonce = /<style nonce="([^"]+)"/.exec(html)?.[1];
  assertEquals(
    page.headers.get("content-security-policy"),
    [
      "default-src 'none'",
      "img-src data: https://telegram.org",
      `style-src 'nonce-${styleNonce}'`,
      "form-action 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
    "styles by the page's nonce, no script, never in a frame",
  );
  assertEquals(page.headers.get("x-frame-options"), "DENY");
  assertEquals(page.headers.get("referrer-policy"), "no-referrer");
  assertEquals(page.headers.get("cache-control"), "no-store");
  assertMatch(html, /Signed in as User 8001/);
  for (
    const label of [
      "Users",
      "Active today",
      "Active in 7 days",
      "Cache hit ratio",
      "Queue depth",
      "Stars revenue",
    ]
  ) {
    assert(html.includes(label), `the page shows ${label}`);
  }
  assert(!html.includes("<script"), "the dashboard runs no script");
  assertMatch(html, /Sign-in and bot checks: 6 in the last hour · 6 in 24 h/);
  assertMatch(html, /<p class="warning">🚨 Sign-in and bot checks are spiking: 6 in the last hour/);
});

Deno.test("[routes/admin] /admin in the chat stays refused to others, A/B commands included", async () => {
  await using bed = await startTestSystem({ ADMIN_IDS: String(ADMIN) });
  const { telegram, system } = bed;
  const other = telegram.user(OTHER, { languageCode: "en" });
  other.sendText("/admin exp create preview_buttons best_first:1 smallest_first:1");
  await telegram.waitFor(() =>
    telegram.messages(OTHER).find((m) => /administrators/i.test(m.text ?? ""))
  );
  assertEquals(
    (await system.kv.get(["experiments", "preview_buttons"])).value,
    null,
    "nothing was created",
  );

  const admin = telegram.user(ADMIN, { languageCode: "en" });
  admin.sendText("/admin exp create preview_buttons best_first:1 smallest_first:1");
  await telegram.waitFor(() =>
    telegram.messages(ADMIN).find((m) => /preview_buttons started/.test(m.text ?? ""))
  );
  admin.sendText("/admin exp create preview_buttons best_first:1 smallest_first:2");
  await telegram.waitFor(() =>
    telegram.messages(ADMIN).find((m) => /already exists/.test(m.text ?? ""))
  );
  admin.sendText("/admin exp create preview_buttons big_buttons:1 best_first:1");
  await telegram.waitFor(() =>
    telegram.messages(ADMIN).find((m) =>
      /variants only: best_first, smallest_first/.test(m.text ?? "")
    )
  );
  admin.sendText("/admin");
  const dashboard = await telegram.waitFor(() =>
    telegram.messages(ADMIN).find((m) => /Active:/.test(m.text ?? ""))
  );
  assertMatch(dashboard.text ?? "", /Users: 2/);
  assertMatch(dashboard.text ?? "", /preview_buttons \(running\)/);
  assertMatch(dashboard.text ?? "", /best_first \(weight 1\): 0\/0 = 0%/);
});

Deno.test("[routes/admin] the web page lists the workers' yt-dlp and warns when the oldest is over 60 days old", async () => {
  await using bed = await startTestSystem({ ADMIN_IDS: String(ADMIN) });
  const { app, kv } = bed.system;
  const browser = new WebClient((path, init) => app.request(path, init));
  const page = await browser.page("/admin");
  const auth = new URL(widgetAuthUrl(page.html)!).pathname;
  assertEquals(
    (await browser.request(`${auth}?${await signedLogin(bed.telegram.token, ADMIN)}`)).status,
    303,
  );
  // the in-process workers report the real yt-dlp with their first claim
  const [local] = await waitUntil(async () => {
    const workers = await listWorkerYtdlp(kv);
    return workers.length > 0 && workers;
  }, "the in-process workers' report");
  const current = await browser.page("/admin");
  assert(current.html.includes("yt-dlp of the workers"), "the page has the section");
  assert(current.html.includes(`<td>${local.version}</td>`), current.html);

  await recordWorkerYtdlp(kv, { worker: "old-box", ytdlpVersion: "2025.01.01" });
  const warned = await browser.page("/admin");
  assertMatch(
    warned.html,
    /<p class="warning">⚠️ The oldest yt-dlp in the fleet, \u2068?2025\.01\.01\u2069?, is \u2068?\d+\u2069? days old/,
  );
  assert(warned.html.includes("<td>old-box</td>"), "the worker that runs it");
});
