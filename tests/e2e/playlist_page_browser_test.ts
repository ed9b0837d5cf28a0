/**
 * The shared playlist's page in a real browser: Debian's headless Chromium driven by
 * playwright-core. It renders the items on a phone-sized screen without console errors, and
 * as a Mini App it signs in with Telegram's initData and lets an editor reorder; in a plain
 * browser the Login Widget's return signs in, and only to the nonce its page gave.
 * MEDIABOT_KEEP_SCREENSHOTS=1 keeps the screenshots (their folder is printed).
 */
import { chromium } from "playwright-core";
import { assert, assertEquals } from "../support/assert.ts";
import { startMediaLab } from "../support/media_lab.ts";
import { signInitData, signLoginWidget } from "../support/telegram_login.ts";
import { createI18n } from "../../i18n/translations.ts";
import { createPlaylist, sharePlaylist } from "../../kv/playlists.ts";
import { addPlaylistItem, listPlaylistItems } from "../../kv/playlist_items.ts";
import { acceptPlaylistInvite, createPlaylistInvite } from "../../kv/playlist_members.ts";
import { UserStore } from "../../kv/users.ts";
import { playlistRoutes } from "../../routes/playlists.tsx";

const CHROMIUM = "/usr/bin/chromium";
const BOT_TOKEN = "123456789:AAF4keT0kenForLocalTests-only_0123456";

async function chromiumInstalled(): Promise<boolean> {
  return await Deno.stat(CHROMIUM).then(() => true, () => false);
}

Deno.test("[e2e/browser] the playlist page renders on a phone in Chromium, and an editor reorders from the Mini App", async () => {
  assert(
    await chromiumInstalled(),
    "Chromium is missing: run `MEDIABOT_BROWSER=1 bash scripts/setup.sh` (deno task test does)",
  );
  await using lab = await startMediaLab();
  const kv = await Deno.openKv(":memory:");
  const screenshots = await Deno.makeTempDir({ prefix: "mediabot-browser-" });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (request) => app.fetch(request),
  );
  const baseUrl = `http://127.0.0.1:${server.addr.port}`;
  const app = playlistRoutes({
    kv,
    users: new UserStore(kv),
    botToken: BOT_TOKEN,
    botUsername: () => "MediaTestBot",
    baseUrl,
    i18n: await createI18n(),
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  try {
    const playlist = await createPlaylist(kv, {
      ownerId: 1,
      ownerName: "Olive <Owner>",
      name: "Road trip <b>&</b>",
    });
    const invite = await createPlaylistInvite(kv, {
      playlistId: playlist.id,
      role: "edit",
      createdBy: 1,
    });
    await acceptPlaylistInvite(kv, invite.token, { id: 3, name: "Edith" });
    const titles = ["Sunrise over the lab", 'A "quoted" <i>title</i>', "No thumbnail here"];
    for (const [n, title] of titles.entries()) {
      await addPlaylistItem(kv, playlist.id, {
        url: `${lab.urls.page}?n=${n}`,
        info: {
          id: `browser-${n}`,
          extractor: "generic",
          webpageUrl: `${lab.urls.page}?n=${n}`,
          title,
          duration: 95 + n,
          thumbnail: n < 2 ? lab.urls.poster : undefined,
          isLive: false,
          formats: [],
        },
        addedBy: 1,
      });
    }
    const token = (await sharePlaylist(kv, playlist.id, 1)).shareToken!;

    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
    });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("requestfailed", (request) => problems.push(`failed: ${request.url()}`));

    const response = await page.goto(`${baseUrl}/p/${token}`, { waitUntil: "load" });
    assertEquals(response?.status(), 200);
    assertEquals(await page.title(), "Road trip <b>&</b>");
    assertEquals(await page.locator("h1").textContent(), "Road trip <b>&</b>");
    const rendered = await page.locator("li .title").allTextContents();
    assertEquals(rendered, titles.map((title, i) => `${i + 1}. ${title}`));
    // page functions run in the browser; as strings they need no DOM types here
    const imageWidths = await page.evaluate<number[]>(
      `[...document.querySelectorAll("li img[src]")].map((image) => image.naturalWidth)`,
    );
    assertEquals(imageWidths.length, 2, "two items have a thumbnail");
    assert(imageWidths.every((width) => width > 0), `thumbnails loaded: ${imageWidths}`);
    const fits = await page.evaluate<boolean>(
      "document.documentElement.scrollWidth <= document.documentElement.clientWidth",
    );
    assert(fits, "nothing wider than a phone's screen");
    assert(await page.getByText("by Olive <Owner>").isVisible(), "the owner's name, escaped");
    const open = page.getByRole("link", { name: "Open in Telegram" });
    assertEquals(await open.getAttribute("href"), `https://t.me/MediaTestBot?start=pl_${token}`);
    const screenshot = `${screenshots}/playlist-page.png`;
    await page.screenshot({ path: screenshot, fullPage: true });
    assert((await Deno.stat(screenshot)).size > 10_000, "a real screenshot");

    // the Mini App: Telegram opens /app with its launch data in the fragment
    const initData = signInitData(BOT_TOKEN, { id: 3, first_name: "Edith", language_code: "en" });
    await page.goto(
      `${baseUrl}/p/${token}/app#tgWebAppData=${encodeURIComponent(initData)}&tgWebAppVersion=8.0`,
    );
    await page.waitForURL(`${baseUrl}/p/${token}`);
    assert(
      await page.getByText("Signed in as Edith (editor)").isVisible(),
      "signed in from initData",
    );
    await page.locator("li").first().getByRole("button", { name: "Move down" }).click();
    await page.waitForLoadState("load");
    assertEquals(
      await page.locator("li .title").allTextContents(),
      [`1. ${titles[1]}`, `2. ${titles[0]}`, `3. ${titles[2]}`],
      "moved down, from a plain form",
    );
    assertEquals(
      (await listPlaylistItems(kv, playlist.id)).map((item) => item.info.title),
      [titles[1], titles[0], titles[2]],
    );
    await page.screenshot({ path: `${screenshots}/playlist-page-editor.png`, fullPage: true });
    assertEquals(problems, [], "no console errors or failed requests");
    if (Deno.env.get("MEDIABOT_KEEP_SCREENSHOTS") === "1") {
      console.log(`screenshots in ${screenshots}`);
    }
    await context.close();

    // the Login Widget in a plain browser: Telegram sends it back to the page's auth URL, signed
    const desktop = await browser.newContext();
    // Telegram's widget script cannot load here: its redirect is played below
    await desktop.route("https://telegram.org/**", (route) => route.abort());
    const visitor = await desktop.newPage();
    const signed = (id: number, first_name: string) =>
      new URLSearchParams(signLoginWidget(BOT_TOKEN, { id, first_name })).toString();
    // another site sends the browser an attacker's signed data, with no nonce of this browser
    const forged = await visitor.goto(`${baseUrl}/p/${token}/login?${signed(5, "Mallory")}`);
    assertEquals(forged?.status(), 401, "an attacker's sign-in from elsewhere is refused");
    await visitor.goto(`${baseUrl}/p/${token}/login`);
    const authUrl = await visitor.locator("script[data-auth-url]").getAttribute("data-auth-url");
    assert(authUrl?.startsWith(`${baseUrl}/p/${token}/login/`), `auth URL: ${authUrl}`);
    await visitor.goto(`${authUrl}?${signed(3, "Edith")}`);
    await visitor.waitForURL(`${baseUrl}/p/${token}`);
    assert(
      await visitor.getByText("Signed in as Edith (editor)").isVisible(),
      "signed in from the Login Widget",
    );
    await desktop.close();
  } finally {
    await browser.close();
    await server.shutdown();
    kv.close();
    if (Deno.env.get("MEDIABOT_KEEP_SCREENSHOTS") !== "1") {
      await Deno.remove(screenshots, { recursive: true });
    }
  }
});
