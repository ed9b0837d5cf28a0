/** The shared playlist's web page and its endpoints, through app.request. */
import {
  assert,
  assertEquals,
  assertExists,
  assertMatch,
  assertRejects,
} from "../support/assert.ts";
import { signInitData, signLoginWidget } from "../support/telegram_login.ts";
import {
  signInFromMiniApp,
  signInWithWidget,
  WebClient,
  widgetAuthUrl,
} from "../support/web_client.ts";
import { createI18n } from "../../i18n/translations.ts";
import {
  createPlaylist,
  deletePlaylist,
  getPlaylist,
  revokePlaylistShare,
  sharePlaylist,
} from "../../kv/playlists.ts";
import { addPlaylistItem, listPlaylistItems } from "../../kv/playlist_items.ts";
import {
  acceptPlaylistInvite,
  createPlaylistInvite,
  type InviteRole,
} from "../../kv/playlist_members.ts";
import { getWebSession } from "../../kv/web_sessions.ts";
import { userKey, UserStore } from "../../kv/users.ts";
import { renamePlaylist } from "../../services/playlists.ts";
import { startTestSystem } from "../support/system.ts";
import { playlistRoutes, SESSION_COOKIE } from "../../routes/playlists.tsx";
import type { ProbeInfo } from "../../media/media_types.ts";

const BOT_TOKEN = "123456789:AAF4keT0kenForLocalTests-only_0123456";
const OTHER_TOKEN = "987654321:BBF4keT0kenOfAnotherBot-only_6543210";
const BASE = "http://localhost:8000";
const i18n = await createI18n();

const USERS = {
  owner: { id: 1, first_name: "Olive" },
  admin: { id: 2, first_name: "Adam" },
  editor: { id: 3, first_name: "Edith" },
  viewer: { id: 4, first_name: "Victor" },
  stranger: { id: 5, first_name: "Stan" },
} as const;
type Who = keyof typeof USERS;
const ROLES: Record<Exclude<Who, "owner" | "stranger">, InviteRole> = {
  admin: "admin",
  editor: "edit",
  viewer: "view",
};

function info(n: number, extra: Partial<ProbeInfo> = {}): ProbeInfo {
  return {
    id: `clip-${n}`,
    extractor: "generic",
    webpageUrl: `https://videos.example/watch/${n}`,
    title: `Clip ${n}`,
    duration: 61 + n,
    thumbnail: `https://videos.example/thumb/${n}.jpg`,
    isLive: false,
    formats: [],
    ...extra,
  };
}

interface Bed {
  kv: Deno.Kv;
  app: ReturnType<typeof playlistRoutes>;
  close(): void;
}

async function startBed(): Promise<Bed> {
  const kv = await Deno.openKv(":memory:");
  const app = playlistRoutes({
    kv,
    users: new UserStore(kv),
    botToken: BOT_TOKEN,
    botUsername: () => "MediaTestBot",
    baseUrl: BASE,
    i18n,
    authMaxAgeSeconds: 600,
  });
  return { kv, app, close: () => kv.close() };
}

/** A shared playlist of three items, with an admin, an editor and a viewer. */
async function sharedPlaylist(kv: Deno.Kv, name = "Road trip", firstClip = 1) {
  const playlist = await createPlaylist(kv, { ownerId: 1, ownerName: "Olive", name });
  for (const [who, role] of Object.entries(ROLES)) {
    const invite = await createPlaylistInvite(kv, { playlistId: playlist.id, role, createdBy: 1 });
    const user = USERS[who as Who];
    await acceptPlaylistInvite(kv, invite.token, { id: user.id, name: user.first_name });
  }
  const itemIds: string[] = [];
  for (let n = firstClip; n < firstClip + 3; n++) {
    const { item } = await addPlaylistItem(kv, playlist.id, {
      url: `https://videos.example/watch/${n}`,
      info: info(n),
      addedBy: 1,
    });
    itemIds.push(item.id);
  }
  const shared = await sharePlaylist(kv, playlist.id, 1);
  return { playlist: shared, token: shared.shareToken!, itemIds };
}

function cookieOf(response: Response): string | undefined {
  const header = response.headers.get("set-cookie") ?? "";
  return new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(header)?.[1];
}

/** A form post, url-encoded as a browser sends it. */
function form(fields: Record<string, string>): RequestInit {
  return { method: "POST", body: new URLSearchParams(fields) };
}

/** A browser of its own, talking to the bed's app. */
function browserOf(bed: Bed): WebClient {
  return new WebClient((path, init) => bed.app.request(path, init));
}

async function signIn(bed: Bed, token: string, who: Who): Promise<string> {
  const response = await signInFromMiniApp(
    browserOf(bed),
    token,
    signInitData(BOT_TOKEN, USERS[who]),
  );
  assertEquals(response.status, 303, `${who} signs in`);
  await response.body?.cancel();
  const cookie = cookieOf(response);
  assertExists(cookie, "a session cookie");
  return cookie;
}

function csrfOf(page: string): string {
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
  assertExists(csrf, "the page's forms carry a CSRF token");
  return csrf;
}

Deno.test("[routes/playlists] the page shows the items, escapes everything and has Open Graph tags", async () => {
  const bed = await startBed();
  try {
    const hostile = `<script>alert("x")</script> & "Mix"`;
    const { playlist, token } = await sharedPlaylist(bed.kv, hostile);
    await addPlaylistItem(bed.kv, playlist.id, {
      url: "https://videos.example/watch/evil",
      info: info(9, {
        title: `</title><img src=x onerror=alert(1)> "Clip"`,
        thumbnail: "javascript:alert(1)",
        webpageUrl: "javascript:alert(2)",
      }),
      addedBy: 1,
    });
    const response = await bed.app.request(`/p/${token}`);
    assertEquals(response.status, 200);
    assertMatch(response.headers.get("content-type") ?? "", /^text\/html/);
    const csp = response.headers.get("content-security-policy") ?? "";
    assertMatch(csp, /default-src 'none'/);
    assert(!/script-src/.test(csp), "the page runs no script at all");
    assertEquals(response.headers.get("referrer-policy"), "no-referrer");
    assertEquals(response.headers.get("x-content-type-options"), "nosniff");
    assertEquals(response.headers.get("cache-control"), "no-store");
    // Telegram's web client shows the page in a frame: no X-Frame-Options, frame-ancestors rules
    assertEquals(response.headers.get("x-frame-options"), null);
    const page = await response.text();
    const nonce = /<style nonce="([^"]+)"/.exec(page)?.[1];
    assertExists(nonce, "the page's styles carry the nonce");
    assertEquals(
      csp,
      [
        "default-src 'none'",
        "img-src http: https: data:",
        `style-src 'nonce-${nonce}'`,
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'self' https://web.telegram.org",
      ].join("; "),
    );
    assert(page.startsWith("<!DOCTYPE html>"), "a full document");
    assert(!page.includes("<script"), "no script element, no injected one");
    assert(!page.includes("<img src=x"), "titles are escaped");
    assert(!page.includes("javascript:"), "no javascript: URL in src or href");
    assert(
      page.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Mix&quot;"),
    );
    assert(page.includes("&lt;/title&gt;&lt;img src=x onerror=alert(1)&gt;"));
    const og = (property: string) =>
      new RegExp(`<meta property="og:${property}" content="([^"]*)"`).exec(page)?.[1];
    assertEquals(
      og("title"),
      "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;Mix&quot;",
    );
    assertEquals(
      og("image"),
      "https://videos.example/thumb/1.jpg",
      "the cover is the first thumbnail",
    );
    assertEquals(og("url"), `${BASE}/p/${token}`);
    assertEquals(og("type"), "website");
    assertMatch(og("description") ?? "", /A playlist of 4 items/);
    assertMatch(page, /<meta name="twitter:card" content="summary_large_image"/);
    assert(
      page.includes(`href="https://t.me/MediaTestBot?start=pl_${token}"`),
      "Open in Telegram is the bot's deep link",
    );
    const titles = [...page.matchAll(/<div class="title">(\d+)\. ([^<]*)<\/div>/g)].map((m) =>
      m[2]
    );
    assertEquals(titles.slice(0, 3), ["Clip 1", "Clip 2", "Clip 3"], "items in order");
    assert(page.includes('src="https://videos.example/thumb/2.jpg"'), "thumbnails");
    assert(page.includes('href="https://videos.example/watch/2"'), "source links");
    assert(page.includes("1:03"), "durations");
    assert(page.includes("by Olive"), "the owner's display name");
    assert(!page.includes('action="/p/'), "no edit forms for an anonymous visitor");

    const french = await bed.app.request(`/p/${token}`, {
      headers: { "accept-language": "fr-FR,fr;q=0.9" },
    });
    const frenchPage = await french.text();
    assert(
      frenchPage.includes("Ouvrir dans Telegram") && frenchPage.includes('lang="fr"'),
      "French",
    );
  } finally {
    bed.close();
  }
});

Deno.test("[routes/playlists] unknown, malformed, revoked and deleted links are 404 pages", async () => {
  const bed = await startBed();
  try {
    const revoked = await sharedPlaylist(bed.kv);
    const deleted = await sharedPlaylist(bed.kv);
    await revokePlaylistShare(bed.kv, revoked.playlist.id);
    await deletePlaylist(bed.kv, deleted.playlist.id);
    for (
      const path of [
        "/p/AAAAAAAAAAAAAAAAAAAAAA",
        "/p/%3Cscript%3E",
        `/p/${revoked.token}`,
        `/p/${deleted.token}`,
        `/p/${revoked.token}/app`,
        `/p/${revoked.token}/login`,
      ]
    ) {
      const response = await bed.app.request(path);
      assertEquals(response.status, 404, path);
      const page = await response.text();
      assert(page.includes("Playlist not found"), `a page that says so: ${path}`);
      assert(!page.includes("<script"), path);
    }
  } finally {
    bed.close();
  }
});

Deno.test("[routes/playlists] initData: valid opens a session; forged, expired and replayed are refused", async () => {
  const bed = await startBed();
  try {
    const { token } = await sharedPlaylist(bed.kv);
    // each attempt from the Mini App's page, with the nonce it gives
    const browser = browserOf(bed);
    const post = (initData: string) => signInFromMiniApp(browser, token, initData);
    const now = Math.floor(Date.now() / 1000);
    const valid = signInitData(BOT_TOKEN, { ...USERS.editor, language_code: "fr" }, now);

    const accepted = await post(valid);
    assertEquals(accepted.status, 303);
    assertEquals(accepted.headers.get("location"), `/p/${token}`);
    const setCookie = accepted.headers.get("set-cookie") ?? "";
    assertMatch(setCookie, /HttpOnly/);
    assertMatch(setCookie, /SameSite=Lax/);
    assertMatch(setCookie, /Path=\/p/);
    const cookie = cookieOf(accepted)!;
    const page = await (await bed.app.request(`/p/${token}`, {
      headers: { cookie: `${SESSION_COOKIE}=${cookie}` },
    })).text();
    assert(page.includes("Connecté·e comme Edith (éditeur)"), "signed in, in the user's language");

    const tamperedUser = valid.replace(encodeURIComponent('"id":3'), encodeURIComponent('"id":1'));
    assert(tamperedUser !== valid, "the user id was changed");
    const refusals: Record<string, string> = {
      "forged: signed with another bot's token": signInitData(OTHER_TOKEN, USERS.editor, now),
      "forged: the user changed after signing": tamperedUser,
      "forged: no hash": valid.replace(/&hash=[0-9a-f]+/, ""),
      "forged: a second hash": `${valid}&hash=${"0".repeat(64)}`,
      "expired: signed 20 minutes ago": signInitData(BOT_TOKEN, USERS.editor, now - 1200),
      "from the future": signInitData(BOT_TOKEN, USERS.editor, now + 3600),
      "replayed": valid,
      "empty": "",
    };
    for (const [what, initData] of Object.entries(refusals)) {
      const response = await post(initData);
      assertEquals(response.status, 401, what);
      assertEquals(cookieOf(response), undefined, `${what}: no session`);
      assert((await response.text()).includes("sign-in was refused"), what);
    }

    // the Login Widget, for a plain browser
    const widget = signLoginWidget(BOT_TOKEN, USERS.viewer, now);
    const login = (query: Record<string, string>) =>
      signInWithWidget(browser, `/p/${token}/login`, query);
    const widgetPage = await bed.app.request(`/p/${token}/login`);
    assertEquals(widgetPage.status, 200);
    const widgetHtml = await widgetPage.text();
    assert(widgetHtml.includes('data-telegram-login="MediaTestBot"'), "the widget names the bot");
    assertMatch(
      widgetAuthUrl(widgetHtml) ?? "",
      new RegExp(`^${BASE}/p/${token}/login/[\\w-]{22}$`),
      "Telegram sends the browser back to the page's nonce",
    );
    const withoutNonce = await browser.request(`/p/${token}/login?${new URLSearchParams(widget)}`);
    assertEquals(withoutNonce.status, 401, "signed data that no page of ours started");
    assert((await withoutNonce.text()).includes("did not start from this page"));
    const loggedIn = await login(widget);
    assertEquals(loggedIn.status, 303);
    assertExists(cookieOf(loggedIn));
    assertEquals((await login(widget)).status, 401, "widget data replayed");
    assertEquals(
      (await login(signLoginWidget(OTHER_TOKEN, USERS.viewer, now))).status,
      401,
      "forged",
    );
    assertEquals(
      (await login({ ...widget, id: "1" })).status,
      401,
      "widget data with another user id",
    );
    assertEquals(
      (await login(signLoginWidget(BOT_TOKEN, USERS.viewer, now - 1200))).status,
      401,
      "widget data too old",
    );
  } finally {
    bed.close();
  }
});

const WEB_ACTIONS = ["view", "reorder", "remove", "rename", "delete"] as const;
type WebAction = typeof WEB_ACTIONS[number];

/** What each role may do on the page, from the issue: view < edit < admin < owner. */
const EXPECTED: Record<Who, Record<WebAction, boolean>> = {
  owner: { view: true, reorder: true, remove: true, rename: true, delete: true },
  admin: { view: true, reorder: true, remove: true, rename: true, delete: false },
  editor: { view: true, reorder: true, remove: true, rename: false, delete: false },
  viewer: { view: true, reorder: false, remove: false, rename: false, delete: false },
  stranger: { view: true, reorder: false, remove: false, rename: false, delete: false },
};

Deno.test("[routes/playlists] permission matrix: every role × every action on the page's endpoints", async () => {
  const bed = await startBed();
  try {
    const cookies = {} as Record<Who, string>;
    const first = await sharedPlaylist(bed.kv);
    for (const who of Object.keys(USERS) as Who[]) {
      cookies[who] = await signIn(bed, first.token, who);
    }

    const outcome = {} as Record<Who, Record<WebAction, boolean>>;
    let denials = 0;
    const statuses: string[] = [];
    for (const who of Object.keys(USERS) as Who[]) {
      outcome[who] = {} as Record<WebAction, boolean>;
      for (const action of WEB_ACTIONS) {
        const { playlist, token, itemIds } = await sharedPlaylist(bed.kv);
        const headers = { cookie: `${SESSION_COOKIE}=${cookies[who]}` };
        const page = await (await bed.app.request(`/p/${token}`, { headers })).text();
        // those shown no form post with their session's real token, as a forged form would
        const { csrf } = (await getWebSession(bed.kv, cookies[who]))!;
        const post = (path: string, fields: Record<string, string> = {}) =>
          bed.app.request(`/p/${token}${path}`, {
            method: "POST",
            headers,
            body: new URLSearchParams({ csrf, ...fields }),
          });
        let status: number;
        let changed: boolean;
        if (action === "view") {
          // anyone with the link sees the page; only editors get the edit forms
          status = 200;
          changed = page.includes(itemIds[0]) && page.includes("Clip 3");
          const forms = page.includes("/move");
          assertEquals(forms, EXPECTED[who].reorder, `${who} sees edit forms`);
        } else if (action === "reorder") {
          const response = await post(`/items/${itemIds[2]}/move`, { direction: "up" });
          status = response.status;
          denials += (await response.text()).includes("not allowed to do that in this playlist")
            ? 1
            : 0;
          const order = (await listPlaylistItems(bed.kv, playlist.id)).map((i) => i.id);
          changed = order[1] === itemIds[2];
        } else if (action === "remove") {
          const response = await post(`/items/${itemIds[0]}/remove`);
          status = response.status;
          denials += (await response.text()).includes("not allowed to do that in this playlist")
            ? 1
            : 0;
          changed = (await listPlaylistItems(bed.kv, playlist.id)).length === 2;
        } else if (action === "rename") {
          const response = await post("/rename", { name: "Renamed <b>" });
          status = response.status;
          denials += (await response.text()).includes("not allowed to do that in this playlist")
            ? 1
            : 0;
          changed = (await getPlaylist(bed.kv, playlist.id))?.name === "Renamed <b>";
        } else {
          const response = await post("/delete");
          status = response.status;
          denials += (await response.text()).includes("not allowed to do that in this playlist")
            ? 1
            : 0;
          changed = (await getPlaylist(bed.kv, playlist.id)) === null;
        }
        const allowed = EXPECTED[who][action];
        assertEquals(
          status,
          action === "view" ? 200 : allowed ? 303 : 403,
          `${who} × ${action}: status`,
        );
        outcome[who][action] = changed;
        statuses.push(`${who}×${action}=${status}`);
      }
    }
    assertEquals(outcome, EXPECTED, "every cell of the matrix");
    const refusedCells = Object.values(EXPECTED).flatMap((row) =>
      WEB_ACTIONS.filter((a) => a !== "view" && !row[a])
    ).length;
    assertEquals(denials, refusedCells, "each refusal comes from the permission table");

    // without a session, or without the form's CSRF token, nothing happens
    const { playlist, token, itemIds } = await sharedPlaylist(bed.kv);
    const anonymous = await bed.app.request(`/p/${token}/items/${itemIds[0]}/remove`, {
      method: "POST",
      body: new URLSearchParams({ csrf: "x" }),
    });
    assertEquals(anonymous.status, 401);
    await anonymous.body?.cancel();
    const noCsrf = await bed.app.request(`/p/${token}/items/${itemIds[0]}/remove`, {
      method: "POST",
      headers: { cookie: `${SESSION_COOKIE}=${cookies.owner}` },
      body: new URLSearchParams({ csrf: "guessed" }),
    });
    assertEquals(noCsrf.status, 403);
    await noCsrf.body?.cancel();
    // an item of another playlist cannot be reached through this link
    const other = await sharedPlaylist(bed.kv, "Other", 20);
    const ownerPage = await (await bed.app.request(`/p/${token}`, {
      headers: { cookie: `${SESSION_COOKIE}=${cookies.owner}` },
    })).text();
    const crossing = await bed.app.request(`/p/${token}/items/${other.itemIds[0]}/remove`, {
      method: "POST",
      headers: { cookie: `${SESSION_COOKIE}=${cookies.owner}` },
      body: new URLSearchParams({ csrf: csrfOf(ownerPage) }),
    });
    assertEquals(crossing.status, 303);
    await crossing.body?.cancel();
    assertEquals((await listPlaylistItems(bed.kv, other.playlist.id)).length, 3, "untouched");
    assertEquals((await listPlaylistItems(bed.kv, playlist.id)).length, 3);
    console.log(`web matrix: ${statuses.join(" ")}`);
  } finally {
    bed.close();
  }
});

Deno.test("[routes/playlists] a user blocked after signing in can no longer edit on the web", async () => {
  const ADMIN = 940_001;
  const EDITOR = 940_002;
  await using bed = await startTestSystem({ ADMIN_IDS: String(ADMIN), WORKERS: "0" });
  const { telegram, system } = bed;
  const { kv } = system;
  const playlist = await createPlaylist(kv, { ownerId: ADMIN, ownerName: "Ada", name: "Mix" });
  const invite = await createPlaylistInvite(kv, {
    playlistId: playlist.id,
    role: "admin",
    createdBy: ADMIN,
  });
  await acceptPlaylistInvite(kv, invite.token, { id: EDITOR, name: "Edith" });
  const itemIds: string[] = [];
  for (const n of [1, 2, 3]) {
    const { item } = await addPlaylistItem(kv, playlist.id, {
      url: `https://videos.example/watch/${n}`,
      info: info(n),
      addedBy: ADMIN,
    });
    itemIds.push(item.id);
  }
  const token = (await sharePlaylist(kv, playlist.id, ADMIN)).shareToken!;
  // the editor uses the bot too
  const editor = telegram.user(EDITOR, { languageCode: "en" });
  editor.sendText("/start");
  await telegram.waitFor(() =>
    telegram.messages(EDITOR).find((m) => /MediaBot/.test(m.text ?? ""))
  );
  const admin = telegram.user(ADMIN, { languageCode: "en" });
  admin.sendText("/start");
  await telegram.waitFor(() => telegram.messages(ADMIN).find((m) => /MediaBot/.test(m.text ?? "")));

  const browser = new WebClient((path, init) => system.app.request(path, init));
  const signedIn = await signInFromMiniApp(
    browser,
    token,
    signInitData(telegram.token, { id: EDITOR, first_name: "Edith" }),
  );
  assertEquals(signedIn.status, 303, "the editor signs in");
  await signedIn.body?.cancel();
  const csrf = csrfOf((await browser.page(`/p/${token}`)).html);
  const edits = {
    move: () =>
      browser.request(`/p/${token}/items/${itemIds[2]}/move`, form({ csrf, direction: "up" })),
    remove: () => browser.request(`/p/${token}/items/${itemIds[0]}/remove`, form({ csrf })),
    rename: () => browser.request(`/p/${token}/rename`, form({ csrf, name: "Taken over" })),
  };
  const state = async () => ({
    items: (await listPlaylistItems(kv, playlist.id)).map((item) => item.id),
    name: (await getPlaylist(kv, playlist.id))?.name,
  });
  let untouched = await state();
  const refusedWhileBlocked = async (how: string) => {
    for (const [what, edit] of Object.entries(edits)) {
      const response = await edit();
      assertEquals(response.status, 403, `${how}: ${what} is refused`);
      assert(
        (await response.text()).includes("Your account is blocked"),
        `${how}: ${what} says why`,
      );
    }
    assertEquals(await state(), untouched, `${how}: nothing changed`);
    const page = (await browser.page(`/p/${token}`)).html;
    assert(!page.includes('name="csrf"'), `${how}: the page offers no editing`);
    assert(page.includes("Your account is blocked"), `${how}: the page says why`);
  };

  // blocked with the admin command, in the app that serves the page
  admin.sendText(`/admin block ${EDITOR}`);
  await telegram.waitFor(() =>
    telegram.messages(ADMIN).find((m) => m.text?.includes(`User ${EDITOR} is blocked`))
  );
  await refusedWhileBlocked("blocked by /admin");
  admin.sendText(`/admin unblock ${EDITOR}`);
  await telegram.waitFor(() =>
    telegram.messages(ADMIN).find((m) => m.text?.includes(`User ${EDITOR} is unblocked`))
  );
  assertEquals((await edits.rename()).status, 303, "unblocked: editing works again");
  untouched = await state();

  // blocked by another app instance over the same KV: this one keeps no copy of the profile
  await new UserStore(kv).update(EDITOR, (user) => ({ ...user!, blocked: true }));
  await refusedWhileBlocked("blocked by another instance");
  assert((await system.users.get(EDITOR))?.blocked, "this instance sees the block at once");
  const again = await signInFromMiniApp(
    new WebClient((path, init) => system.app.request(path, init)),
    token,
    signInitData(telegram.token, { id: EDITOR, first_name: "Edith" }),
  );
  assertEquals(again.status, 403, "a blocked user cannot sign in again");
  await again.body?.cancel();

  // a block that lands between the web's check and its write fails the write
  await new UserStore(kv).update(EDITOR, (user) => ({ ...user!, blocked: false }));
  const readUnblocked = await kv.get(userKey(EDITOR));
  await new UserStore(kv).update(EDITOR, (user) => ({ ...user!, blocked: true }));
  await assertRejects(
    () =>
      renamePlaylist(kv, { userId: EDITOR, guard: [readUnblocked] }, playlist.id, {
        name: "Raced",
      }),
    /too busy/,
  );
  assertEquals(await state(), untouched, "the raced write changed nothing");
});
