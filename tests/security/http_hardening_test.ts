/**
 * Hostile HTTP requests against the real app on a real Deno.serve: bodies over a route's limit,
 * declared or streamed, on every route that reads one; sign-ins without the page's nonce.
 */
import { assert, assertEquals, assertExists } from "../support/assert.ts";
import { startTestSystem } from "../support/system.ts";
import { TEST_WORKER_TOKEN } from "../support/fleet.ts";
import { reportHostile } from "../support/hostile_report.ts";
import { signInitData, signLoginWidget } from "../support/telegram_login.ts";
import { hiddenField, WebClient, widgetAuthUrl } from "../support/web_client.ts";
import { createPlaylist, sharePlaylist } from "../../kv/playlists.ts";
import { addPlaylistItem } from "../../kv/playlist_items.ts";
import { FORM_BODY_MAX_BYTES } from "../../routes/mod.ts";
import { MAX_UPDATE_BYTES } from "../../routes/telegram.ts";
import { WORKER_BODY_MAX_BYTES } from "../../routes/worker_api.ts";

const WEBHOOK_SECRET = "the-real-secret";
const CHUNK_BYTES = 64 * 1024;

/** How much of one request's body the app pulled, and its largest piece. */
interface BodyReading {
  bytes: number;
  largestChunk: number;
}

/**
 * Serves the app with every request body counted as the app pulls it (and only then), so a
 * test sees how far a refused body was read.
 */
function serveCounting(app: { fetch: (request: Request) => Response | Promise<Response> }) {
  const readings: BodyReading[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    if (!request.body) return app.fetch(request);
    const reading: BodyReading = { bytes: 0, largestChunk: 0 };
    readings.push(reading);
    const reader = request.body.getReader();
    const counted = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        reading.bytes += value.byteLength;
        reading.largestChunk = Math.max(reading.largestChunk, value.byteLength);
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
    return app.fetch(new Request(request, { body: counted, duplex: "half" } as RequestInit));
  });
  return { server, readings, url: `http://127.0.0.1:${server.addr.port}` };
}

/** `total` bytes made only as the connection takes them, with no declared length. */
function lazyBody(prefix: string, total: number): ReadableStream<Uint8Array> {
  const filler = new TextEncoder().encode("x".repeat(CHUNK_BYTES));
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) {
        const head = new TextEncoder().encode(prefix);
        sent += head.byteLength;
        return controller.enqueue(head);
      }
      if (sent >= total) return controller.close();
      const chunk = filler.subarray(0, Math.min(CHUNK_BYTES, total - sent));
      sent += chunk.byteLength;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
}

interface BodyRoute {
  path: string;
  maxBytes: number;
  headers: Record<string, string>;
  /** how the body starts (a form field, a JSON object), so it looks like the real thing */
  prefix: string;
}

Deno.test("[security] every route that reads a body refuses one over its limit, declared or streamed, without reading it whole", async () => {
  await using bed = await startTestSystem({
    PUBLIC_URL: "http://127.0.0.1:9",
    WEBHOOK_SECRET,
    WORKER_TOKEN: TEST_WORKER_TOKEN,
    WORKERS: "0",
  });
  const { kv, app } = bed.system;
  const { server, readings, url } = serveCounting(app);
  try {
    const ownerId = 920_001;
    const playlist = await createPlaylist(kv, { ownerId, ownerName: "Olive", name: "Mix" });
    const { item } = await addPlaylistItem(kv, playlist.id, {
      url: "https://videos.example/watch/1",
      info: {
        id: "clip-1",
        extractor: "generic",
        webpageUrl: "https://videos.example/watch/1",
        title: "Clip 1",
        isLive: false,
        formats: [],
      },
      addedBy: ownerId,
    });
    const token = (await sharePlaylist(kv, playlist.id, ownerId)).shareToken!;
    // the owner's browser, signed in through the Mini App, so its forms reach their body
    const browser = WebClient.overHttp(url);
    const entry = await browser.page(`/p/${token}/app`);
    const initData = signInitData(bed.telegram.token, { id: ownerId, first_name: "Olive" });
    const nonce = hiddenField(entry.html, "nonce");
    const signedIn = await browser.postForm(`/p/${token}/session`, {
      initData,
      ...(nonce ? { nonce } : {}),
    });
    assertEquals(signedIn.status, 303, "the owner signs in");
    const page = await browser.page(`/p/${token}`);
    const csrf = hiddenField(page.html, "csrf");
    assertExists(csrf, "the owner's page has forms");
    const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join("; ");

    const form = { "content-type": "application/x-www-form-urlencoded", cookie };
    const json = { "content-type": "application/json" };
    const worker = { ...json, authorization: `Bearer ${TEST_WORKER_TOKEN}` };
    const jobId = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    const routes: BodyRoute[] = [
      {
        path: "/telegram/webhook",
        maxBytes: MAX_UPDATE_BYTES,
        headers: { ...json, "x-telegram-bot-api-secret-token": WEBHOOK_SECRET },
        prefix: '{"update_id":1,"padding":"',
      },
      ...[
        "claim",
        `jobs/${jobId}/heartbeat`,
        `jobs/${jobId}/cookies`,
        `jobs/${jobId}/cookies/outcomes`,
        `jobs/${jobId}/complete`,
        `jobs/${jobId}/fail`,
        "sends",
        "sends/pause",
      ]
        .map((path) => ({
          path: `/worker/v1/${path}`,
          maxBytes: WORKER_BODY_MAX_BYTES,
          headers: worker,
          prefix: '{"workerId":"w1","leaseId":"l","padding":"',
        })),
      ...["session", `items/${item.id}/move`, `items/${item.id}/remove`, "rename", "delete"]
        .map((path) => ({
          path: `/p/${token}/${path}`,
          maxBytes: FORM_BODY_MAX_BYTES,
          headers: form,
          prefix: `csrf=${csrf}&direction=up&name=x&initData=`,
        })),
    ];
    // a route added later that reads a body must be added here too
    const bodyRoutes = [
      ...new Set(app.routes.filter((route) => route.method === "POST").map((route) => route.path)),
    ].sort();
    assertEquals(
      bodyRoutes,
      [
        "/p/:token/delete",
        "/p/:token/items/:itemId/move",
        "/p/:token/items/:itemId/remove",
        "/p/:token/rename",
        "/p/:token/session",
        "/telegram/webhook",
        "/worker/v1/claim",
        "/worker/v1/jobs/:id/complete",
        "/worker/v1/jobs/:id/cookies",
        "/worker/v1/jobs/:id/cookies/outcomes",
        "/worker/v1/jobs/:id/fail",
        "/worker/v1/jobs/:id/heartbeat",
        "/worker/v1/sends",
        "/worker/v1/sends/pause",
      ],
      "the routes that read a body, each tested below",
    );

    let inputs = 0;
    let escapes = 0;
    let crashes = 0;
    const outcomes: string[] = [];
    const wrong: string[] = [];
    for (const route of routes) {
      for (const how of ["declared", "streamed"] as const) {
        const total = route.maxBytes + Math.max(route.maxBytes, 1024 * 1024);
        const before = readings.length;
        const body = how === "declared"
          ? new TextEncoder().encode(route.prefix.padEnd(total, "x"))
          : lazyBody(route.prefix, total);
        const response = await fetch(`${url}${route.path}`, {
          method: "POST",
          headers: route.headers,
          body,
          redirect: "manual",
        });
        await response.body?.cancel();
        inputs++;
        if (response.status >= 500) crashes++;
        const reading = readings[before] ?? { bytes: 0, largestChunk: 0 };
        // the piece that crossed the limit is read; nothing after it
        const readPastLimit = reading.bytes - reading.largestChunk > route.maxBytes;
        if (readPastLimit) escapes++;
        const outcome = `${route.path}, ${how}: ${response.status}, ${reading.bytes} bytes read`;
        // a declared length is checked before anything is read
        const refused = response.status === 413 && !readPastLimit &&
          (how === "streamed" || reading.bytes === 0);
        (refused ? outcomes : wrong).push(outcome);
      }
    }
    console.log(outcomes.join("\n"));
    assertEquals(wrong, [], `refused as they should be:\n${outcomes.join("\n")}`);
    // nothing changed: the item is still there, under its name, and the job queue is empty
    const after = await browser.page(`/p/${token}`);
    assert(after.html.includes("Clip 1") && after.html.includes("<h1>Mix</h1>"), "unchanged");
    assertEquals((await bed.system.queue.countByState()).leased, 0);
    await reportHostile({
      name: "oversized bodies on every body-reading route, declared and streamed",
      inputs,
      escapes,
      wrongFiles: 0,
      crashes,
    });
  } finally {
    await server.shutdown();
  }
});

Deno.test("[security] login CSRF: signed data without the nonce the page gave this browser opens no session", async () => {
  const attackerId = 930_001;
  const victimId = 930_002;
  // the attacker is an admin too, so the admin page would let their data in but for the nonce
  await using bed = await startTestSystem({ ADMIN_IDS: String(attackerId), WORKERS: "0" });
  const { kv, app } = bed.system;
  const { server, url } = serveCounting(app);
  try {
    const playlist = await createPlaylist(kv, {
      ownerId: victimId,
      ownerName: "Vic",
      name: "Mine",
    });
    const token = (await sharePlaylist(kv, playlist.id, victimId)).shareToken!;
    const victim = WebClient.overHttp(url);
    const attacker = WebClient.overHttp(url);
    const botToken = bed.telegram.token;
    const now = Math.floor(Date.now() / 1000);
    let signed = 0;
    // freshly signed each time, so no attempt is refused as a replay of an earlier one
    const attackerInitData = () =>
      signInitData(botToken, { id: attackerId, first_name: "Mallory" }, now - signed++);
    const attackerWidget = () =>
      new URLSearchParams(
        signLoginWidget(botToken, { id: attackerId, first_name: "Mallory" }, now - signed++),
      );
    const nonceOfPage = async (browser: WebClient, path: string) => {
      const page = await browser.page(path);
      const nonce = hiddenField(page.html, "nonce") ??
        widgetAuthUrl(page.html)?.split("/").pop();
      assertExists(nonce, `${path} gives a nonce`);
      return nonce;
    };
    const madeUp = "AAAAAAAAAAAAAAAAAAAAAA";

    let inputs = 0;
    let escapes = 0;
    let crashes = 0;
    const opened: string[] = [];
    const attempt = async (what: string, response: Promise<Response>) => {
      const answer = await response;
      await answer.body?.cancel();
      inputs++;
      if (answer.status >= 500) crashes++;
      const session = answer.headers.getSetCookie().some((c) => /^mb_(session|admin)=/.test(c));
      if (answer.status === 303 || session) {
        escapes++;
        opened.push(`${what}: ${answer.status}`);
      }
    };

    // the Mini App: its page's form carries the nonce, posted to /session
    const miniApp = `/p/${token}/app`;
    const session = (browser: WebClient, fields: Record<string, string>) =>
      browser.request(`/p/${token}/session`, {
        method: "POST",
        body: new URLSearchParams({ initData: attackerInitData(), ...fields }),
      });
    await attempt("mini app, no nonce", session(victim, {}));
    const attackersNonce = await nonceOfPage(attacker, miniApp);
    const victimsNonce = await nonceOfPage(victim, miniApp);
    const victimsAdminNonce = await nonceOfPage(victim, "/admin");
    await attempt("mini app, the attacker's nonce", session(victim, { nonce: attackersNonce }));
    await attempt("mini app, a made-up nonce", session(victim, { nonce: madeUp }));
    await attempt(
      "mini app, the victim's nonce elsewhere",
      session(attacker, { nonce: victimsNonce }),
    );
    await attempt("mini app, an admin nonce", session(victim, { nonce: victimsAdminNonce }));
    const used = await nonceOfPage(victim, miniApp);
    const own = await victim.postForm(`/p/${token}/session`, {
      initData: signInitData(botToken, { id: victimId, first_name: "Vic" }),
      nonce: used,
    });
    assertEquals(own.status, 303, "the victim signs in with the nonce of their page");
    await attempt("mini app, a used nonce", session(victim, { nonce: used }));

    // the Login Widget: Telegram sends the browser back to the page's auth URL, nonce in its path
    for (
      const [area, widgetPage, loginPath] of [
        ["playlist", `/p/${token}/login`, `/p/${token}/login`],
        ["admin", "/admin", "/admin/login"],
      ]
    ) {
      const otherArea = area === "admin" ? `/p/${token}/login` : "/admin";
      const widget = (browser: WebClient, nonce?: string) =>
        browser.request(`${loginPath}${nonce ? `/${nonce}` : ""}?${attackerWidget()}`);
      await attempt(`${area} widget, no nonce`, widget(victim));
      const attackers = await nonceOfPage(attacker, widgetPage);
      const victims = await nonceOfPage(victim, widgetPage);
      const otherAreas = await nonceOfPage(victim, otherArea);
      await attempt(`${area} widget, the attacker's nonce`, widget(victim, attackers));
      await attempt(`${area} widget, a made-up nonce`, widget(victim, madeUp));
      await attempt(`${area} widget, the victim's nonce elsewhere`, widget(attacker, victims));
      await attempt(`${area} widget, another page's nonce`, widget(victim, otherAreas));
      const usedByVictim = await nonceOfPage(victim, widgetPage);
      const victimData = new URLSearchParams(
        signLoginWidget(botToken, {
          id: area === "admin" ? attackerId : victimId,
          first_name: "Vic",
        }),
      );
      const ownLogin = await victim.request(`${loginPath}/${usedByVictim}?${victimData}`);
      await ownLogin.body?.cancel();
      assertEquals(ownLogin.status, 303, `${area}: a sign-in from the page's own nonce works`);
      await attempt(`${area} widget, a used nonce`, widget(victim, usedByVictim));
    }
    assertEquals(opened, [], "no sign-in without the nonce given to this browser");
    assertEquals(crashes, 0, "every refusal is an answer, not a failure");
    const page = await victim.page(`/p/${token}`);
    assert(page.html.includes("Signed in as Vic"), "the victim is still themselves");
    await reportHostile({
      name: "login CSRF: signed data without the page's nonce, on every sign-in route",
      inputs,
      escapes,
      wrongFiles: 0,
      crashes,
    });
  } finally {
    await server.shutdown();
  }
});
