/**
 * More than 1,000 generated hostile inputs through the whole bot. Invariants: no crash, a clear
 * answer to every message, no request reaches a private address, no file outside DATA_DIR is
 * touched, and no HTML injection reaches Telegram.
 */
import { assert, assertEquals } from "../support/assert.ts";
import { startTestSystem } from "../support/system.ts";
import { TEST_WORKER_TOKEN } from "../support/fleet.ts";
import { waitUntil } from "../support/wait.ts";
import { reportHostile } from "../support/hostile_report.ts";

const FAST = {
  globalPerSecond: 10_000,
  privateBurst: 10,
  privatePerSecond: 10,
  groupBurst: 3,
  groupPerSecond: 1,
};

/** A loopback server that must never be reached: it records every request. */
function startCanary() {
  const hits: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    hits.push(req.url);
    return new Response("<video src=x.mp4></video>", { headers: { "content-type": "text/html" } });
  });
  return { hits, port: server.addr.port, close: () => server.shutdown() };
}

function privateHosts(port: number): string[] {
  const hosts = [
    "127.0.0.1",
    "127.1",
    "2130706433",
    "0x7f000001",
    "0x7f.0.0.1",
    "0177.0.0.1",
    "127.255.255.254",
    "[::1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "[0:0:0:0:0:0:0:1]",
    "10.0.0.1",
    "172.16.5.4",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "[fe80::1]",
    "[fc00::1]",
    "224.0.0.1",
    "0.0.0.0",
    "[::]",
    "100.64.0.1",
    "255.255.255.255",
    "localhost",
    "LOCALHOST",
    "evil.localhost",
    "metadata.google.internal",
    "metadata",
    "printer.local",
  ];
  return hosts.flatMap((host) => [host, `${host}:${port}`]);
}

function hostileInputs(port: number): string[] {
  const inputs: string[] = [];
  const paths = ["/", "/latest/meta-data/", "/watch?v=1", "/a%2F..%2F..%2Fetc%2Fpasswd", "/#frag"];
  for (const host of privateHosts(port)) {
    for (const scheme of ["http", "https"]) {
      for (const path of paths) inputs.push(`${scheme}://${host}${path}`);
    }
    inputs.push(`look at http://${host}/v please`, `<b>http://${host}/</b>`);
  }
  const injections = [
    "-o /tmp/mediabot-pwned",
    "--exec 'touch /tmp/mediabot-pwned'",
    "--config-location /etc/passwd",
    "-- http://127.0.0.1/",
    "-ohttp://127.0.0.1/x",
    "$(touch /tmp/mediabot-pwned)",
    "`touch /tmp/mediabot-pwned`",
    "; rm -rf / ;",
    "| cat /etc/passwd",
    "&& curl http://169.254.169.254/",
    "file:///etc/passwd",
    "file://localhost/etc/shadow",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "ftp://127.0.0.1/x",
    "gopher://127.0.0.1:6379/_FLUSHALL",
    "dict://127.0.0.1:11211/stat",
    "http://user:password@127.0.0.1/",
    "http://127.0.0.1%2f@example.com/",
    "http://[::1]:80@evil.example/",
    "<script>alert(1)</script>",
    "<b>bold</b> & <i>unclosed",
    "</b></i></code>",
    "&amp;&lt;&gt;&#0;&#x0;",
    "\u0000\u0001\u0002 control",
    "\u202eRTL override http://127.0.0.1/",
    "x".repeat(4096),
    "http://" + "a".repeat(3000) + ".example/",
    "🎬".repeat(1000),
  ];
  for (const injection of injections) {
    inputs.push(injection, `http://127.0.0.1:${port}/${encodeURIComponent(injection)}`);
  }
  for (let i = 0; inputs.length < 1_050; i++) {
    // shell metacharacters inside otherwise plausible links to private addresses
    const meta = ["$(id)", "`id`", ";id", "|id", "&id", "\n--exec id", "'\"<>"][i % 7];
    inputs.push(`http://10.${i % 256}.0.1/${meta}${i}`);
  }
  return inputs;
}

Deno.test("[security] over 1,000 hostile messages: answered, nothing private reached, nothing injected", async () => {
  const canary = startCanary();
  await using bed = await startTestSystem({ ALLOW_PRIVATE_URLS: "false" }, { throttle: FAST });
  const { telegram, system } = bed;
  const inputs = hostileInputs(canary.port);
  assert(inputs.length >= 1_000, `${inputs.length} inputs`);
  const users = inputs.map((text, i) => {
    const user = telegram.user(900_000 + i, { languageCode: i % 2 ? "fr" : "en" });
    user.sendText(text);
    return user;
  });
  await waitUntil(
    () => Promise.resolve(users.every((u) => telegram.messages(u.id).length > 0)),
    "an answer to every hostile message",
    60_000,
  );
  for (const user of users) {
    const answer = telegram.messages(user.id)[0];
    assert((answer.text ?? "").length > 0, `a clear answer to user ${user.id}`);
  }
  const parseErrors = telegram.calls.filter((c) =>
    /can't parse entities/.test(c.description ?? "")
  );
  assertEquals(parseErrors.length, 0, "no HTML injection reached Telegram");
  assertEquals(canary.hits, [], "no request reached a private address");
  const pwned = await Deno.stat("/tmp/mediabot-pwned").then(() => true, () => false);
  assertEquals(pwned, false, "no file written outside DATA_DIR");
  const counts = await system.queue.countByState();
  assertEquals(
    counts.ready + counts.leased + counts.done + counts.failed,
    0,
    "no job for a refused link",
  );

  // still alive and well
  const survivor = telegram.user(899_999, { languageCode: "en" });
  survivor.sendText("/start");
  await telegram.waitFor(() =>
    telegram.messages(survivor.id).find((m) => /Your account/.test(m.text ?? ""))
  );
  await canary.close();
  await reportHostile({
    name: "private addresses, injections and odd text in messages",
    inputs: inputs.length,
    escapes: canary.hits.length,
    wrongFiles: 0,
    crashes: 0,
  });
});

Deno.test("[security] malformed updates and forged callback data change nothing and crash nothing", async () => {
  await using bed = await startTestSystem({ ALLOW_PRIVATE_URLS: "false" }, { throttle: FAST });
  const { telegram } = bed;
  const user = telegram.user(910_001, { languageCode: "en" });
  user.sendText("/start");
  const menu = await telegram.waitFor(() => telegram.lastMessage(user.id));
  const forged = [
    "dl:AAAAAAAAAAAAAAAAAAAAAAAAAA:best",
    "dl:../../../../etc/passwd:best",
    "dl:01ARZ3NDEKTSV4RRFFQ69G5FAV:-o",
    "pv:01ARZ3NDEKTSV4RRFFQ69G5FAV:close",
    "set:tz:../../etc/passwd",
    "set:lang:de",
    "set:q:--exec",
    "buy:lifetime",
    "cx",
    "menu:admin",
    "x".repeat(64),
  ];
  for (const data of forged) {
    user.sendUpdate({
      callback_query: {
        id: `forged-${data.length}-${Math.random()}`,
        from: user.info,
        chat_instance: "1",
        data,
        message: menu.message,
      },
    });
  }
  const malformed = [
    { message: { message_id: 1, date: 0, chat: user.chat, from: user.info, text: 42 } },
    { message: { message_id: 2, date: 0, chat: user.chat, from: user.info } },
    {
      message: {
        message_id: 3,
        date: 0,
        chat: { id: -100, type: "channel" },
        text: "http://127.0.0.1/",
      },
    },
    {
      edited_message: {
        message_id: 4,
        date: 0,
        chat: user.chat,
        from: user.info,
        text: "http://127.0.0.1/",
      },
    },
    { callback_query: { id: "no-data", from: user.info, chat_instance: "1" } },
    { unknown_update_kind: { anything: true } },
  ];
  for (const update of malformed) user.sendUpdate(update);
  user.sendText("/start");
  await telegram.waitFor(() =>
    telegram.messages(user.id).filter((m) => /Your account/.test(m.text ?? "")).length >= 2 ||
    undefined
  );
  assertEquals((await bed.system.queue.countByState()).ready, 0);
  assertEquals(await bed.system.users.get(user.id).then((u) => u?.timezone), undefined);
  await reportHostile({
    name: "forged callback data and malformed updates",
    inputs: forged.length + malformed.length,
    escapes: 0,
    wrongFiles: 0,
    crashes: 0,
  });
});

Deno.test("[security] forged webhook secrets and worker tokens are refused and change nothing", async () => {
  await using bed = await startTestSystem({
    PUBLIC_URL: "http://127.0.0.1:9",
    WEBHOOK_SECRET: "the-real-secret",
    WORKER_TOKEN: TEST_WORKER_TOKEN,
    WORKERS: "0",
  });
  const { app, queue } = bed.system;
  const update = {
    update_id: 1,
    message: { message_id: 1, date: 0, chat: { id: 5, type: "private" }, text: "/start" },
  };
  // (HTTP itself trims spaces around header values, so "secret " is the same header as "secret")
  const secrets = [
    "",
    "the-real-secre",
    "the-real-secret2",
    "THE-REAL-SECRET",
    "x".repeat(300),
    "the-real-",
  ];
  for (const secret of secrets) {
    const response = await app.request("/telegram/webhook", {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": secret },
      body: JSON.stringify(update),
    });
    assertEquals(response.status, 401, `secret ${JSON.stringify(secret.slice(0, 20))}`);
    await response.body?.cancel();
  }
  // the right secret, but no update: refused before grammY sees it
  const notUpdates: [string, number][] = [
    ["{not json", 400],
    ["[]", 400],
    ["null", 400],
    ['{"update_id":"1"}', 400],
    [JSON.stringify({ ...update, padding: "x".repeat(2 * 1024 * 1024) }), 413],
  ];
  for (const [body, status] of notUpdates) {
    const response = await app.request("/telegram/webhook", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "content-length": String(new TextEncoder().encode(body).length),
        "x-telegram-bot-api-secret-token": "the-real-secret",
      },
      body,
    });
    assertEquals(response.status, status, body.slice(0, 20));
    await response.body?.cancel();
  }
  assertEquals(
    bed.telegram.calls.filter((c) => c.method === "sendMessage").length,
    0,
    "nothing answered",
  );
  for (
    const token of [
      "",
      "Bearer",
      `Bearer ${TEST_WORKER_TOKEN}x`,
      `bearer ${TEST_WORKER_TOKEN}`,
      TEST_WORKER_TOKEN,
    ]
  ) {
    const response = await app.request("/worker/v1/claim", {
      method: "POST",
      headers: { authorization: token, "content-type": "application/json" },
      body: JSON.stringify({ workerId: "w" }),
    });
    assertEquals(response.status, 401);
  }
  assertEquals((await queue.countByState()).leased, 0);
  await reportHostile({
    name: "forged webhook secrets, non-updates and worker tokens",
    inputs: secrets.length + notUpdates.length + 5,
    escapes: 0,
    wrongFiles: 0,
    crashes: 0,
  });
});
