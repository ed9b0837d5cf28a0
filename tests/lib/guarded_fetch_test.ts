/**
 * The bot's own fetches (size HEADs, live playlists, preview thumbnails) connect to the address
 * the guard checked. A DNS answer that changes between check and use is played by "localhost":
 * the test's guard answers 127.0.0.2 (a site it counts as public) while the system resolver
 * answers 127.0.0.1, where a canary listens on the same port.
 */
import { createTelegramApi } from "../../lib/telegram.ts";
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { startTcpCanary, type TcpCanary } from "../support/canary.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import { fixturePath, prepareFixtures } from "../support/media_lab.ts";
import {
  EgressRefusedError,
  type FetchGuard,
  guardedFetch,
  ResponseTooLargeError,
} from "../../lib/guarded_fetch.ts";
import { fillMissingSizes } from "../../workers/probe_sizes.ts";
import { isLiveHls } from "../../workers/live_stream.ts";
import { sendPreview } from "../../services/previews.ts";
import { createI18n, translatorFor } from "../../i18n/translations.ts";
import type { ProbeInfo } from "../../media/media_types.ts";
import { UrlGuard } from "../../lib/url_guard.ts";

const SITE_ADDRESS = "127.0.0.2";
const LIVE_PLAYLIST = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n1.ts\n#EXTINF:1.0,\n2.ts\n";

interface Rebinding extends AsyncDisposable {
  /** http://localhost:<port>: the guard's answer is the site, the system's the canary */
  base: string;
  guard: FetchGuard;
  canary: TcpCanary;
  /** requests the site served */
  served: string[];
  lookups: number;
}

/** The site on 127.0.0.2 and the canary on 127.0.0.1, on one port. */
async function startRebinding(): Promise<Rebinding> {
  await prepareFixtures();
  const poster = await Deno.readFile(fixturePath("poster.jpg"));
  const served: string[] = [];
  const site = Deno.serve({ hostname: SITE_ADDRESS, port: 0, onListen: () => {} }, (req) => {
    const path = new URL(req.url).pathname;
    served.push(`${req.method} ${path}`);
    if (path === "/clip.mp4") {
      return new Response(null, {
        headers: { "content-type": "video/mp4", "content-length": "123456" },
      });
    }
    if (path === "/live.m3u8") return new Response(LIVE_PLAYLIST);
    if (path === "/poster.jpg") {
      return new Response(poster, { headers: { "content-type": "image/jpeg" } });
    }
    if (path === "/to-ftp") {
      return new Response(null, { status: 302, headers: { location: "ftp://127.0.0.1/x" } });
    }
    if (path === "/to-poster") {
      return new Response(null, { status: 301, headers: { location: "/poster.jpg" } });
    }
    if (path === "/big") return new Response("x".repeat(10_000));
    return new Response("not found", { status: 404 });
  });
  const canary = startTcpCanary("127.0.0.1", site.addr.port);
  const rebinding: Rebinding = {
    base: `http://localhost:${site.addr.port}`,
    canary,
    served,
    lookups: 0,
    guard: {
      check(raw) {
        const url = new URL(raw);
        if (url.protocol !== "http:") return Promise.resolve({ ok: false, reason: "bad_scheme" });
        rebinding.lookups++;
        return Promise.resolve({ ok: true, url, address: SITE_ADDRESS });
      },
      addressOf: () => Promise.resolve(SITE_ADDRESS),
    },
    async [Symbol.asyncDispose]() {
      await site.shutdown();
      await canary.close();
    },
  };
  return rebinding;
}

const INFO: ProbeInfo = {
  id: "clip",
  extractor: "generic",
  webpageUrl: "http://example.test/",
  title: "Clip",
  isLive: false,
  formats: [{ id: "720p", ext: "mp4", protocol: "http", height: 720 }],
};

Deno.test("[workers/probe_sizes] a size HEAD goes to the address the guard checked, not to a second DNS answer", async () => {
  await using world = await startRebinding();
  const json = {
    formats: [{ format_id: "720p", url: `${world.base}/clip.mp4`, protocol: "http" }],
  };
  const sized = await fillMissingSizes(INFO, json, { urlGuard: world.guard });
  assertEquals(world.canary.connections, 0, "the second answer was never used");
  assertEquals(sized.formats[0].filesize, 123456);
  assertEquals(world.served, ["HEAD /clip.mp4"]);
});

Deno.test("[workers/live_stream] a live playlist is read from the address the guard checked", async () => {
  await using world = await startRebinding();
  const live = await isLiveHls({ url: `${world.base}/live.m3u8`, headers: {} }, world.guard);
  assertEquals(world.canary.connections, 0, "the second answer was never used");
  assert(live, "the site's playlist was read");
});

Deno.test("[bot/delivery] a preview's thumbnail is fetched from the checked address and uploaded, its URL never handed to the Bot API", async () => {
  await using world = await startRebinding();
  const telegram = await FakeTelegram.start();
  const kv = await Deno.openKv(":memory:");
  try {
    const user = telegram.user(4242, { languageCode: "en" });
    await sendPreview(
      {
        api: createTelegramApi({ botToken: telegram.token, telegramApiRoot: telegram.apiRoot }),
        kv,
        urlGuard: world.guard,
        t: translatorFor(await createI18n(), "en"),
        locale: "en",
        userId: user.id,
        chatId: user.id,
      },
      "http://example.test/",
      { ...INFO, thumbnail: `${world.base}/to-poster` },
    );
    assertEquals(
      world.canary.connections,
      0,
      "neither the bot nor the Bot API used another answer",
    );
    assertEquals(telegram.lastMessage(user.id)?.media?.kind, "photo", "the thumbnail is shown");
    assertEquals(world.served, ["GET /to-poster", "GET /poster.jpg"]);
    assertEquals(world.lookups, 2, "one check per hop");
  } finally {
    kv.close();
    await telegram.close();
  }
});

Deno.test("[lib/guarded_fetch] redirects leave http(s) for nothing, and bodies are capped", async () => {
  await using world = await startRebinding();
  const request = { maxBodyBytes: 1_000, maxRedirects: 3, timeoutMs: 10_000 };
  const refusal = async (guard: FetchGuard, url: string) => {
    const error = await assertRejects(() => guardedFetch(guard, url, request));
    assert(error instanceof EgressRefusedError, String(error));
    return error.message;
  };
  assertEquals(await refusal(world.guard, `${world.base}/to-ftp`), "refused (bad_scheme)");
  const tooBig = await assertRejects(() => guardedFetch(world.guard, `${world.base}/big`, request));
  assert(tooBig instanceof ResponseTooLargeError, String(tooBig));
  // with ALLOW_PRIVATE_URLS the check looks nothing up: the address comes from addressOf
  const noAddress: FetchGuard = {
    check: (raw) => Promise.resolve({ ok: true, url: new URL(raw) }),
    addressOf: () => Promise.resolve(null),
  };
  assertEquals(await refusal(noAddress, `${world.base}/poster.jpg`), "refused (private_address)");
  const loopback = `http://127.0.0.1:${world.canary.port}/`;
  assertEquals(await refusal(new UrlGuard(false), loopback), "refused (private_address)");
  assertEquals(world.canary.connections, 0);
});
