/**
 * Telegram's budget under a burst: 1,500 users send /start at once while 100 downloads report
 * progress, against the fake Bot API with Telegram's limits kept by the app (30 a second for the
 * bot, through the KV budget). The updates come by webhook in order, 40 requests at a time as
 * Telegram delivers them; the progress as workers' heartbeats (the job service edits each status
 * message at its pace). Each answer's delay is set against its ideal: the user's position ÷ 30 a
 * second, the soonest the budget allows. Twice: the heartbeats reach the instance that answers,
 * then another instance over the same KV, whose edits yield to the answers waiting on the first.
 */
import { Api } from "grammy";
import { FakeTelegram } from "../tests/support/fake_telegram.ts";
import { loadConfig } from "../config.ts";
import { createSystem, type System } from "../app.ts";
import { createLogger } from "../lib/logger.ts";
import { runTelegramSetup } from "../scripts/telegram_setup.ts";
import { PROGRESS_EVERY, TELEGRAM_LIMITS } from "../lib/throttle.ts";
import { percentile } from "./stats.ts";

const USERS = 1_500;
const DOWNLOADS = 100;
const FIRST_USER = 3_000_000;
const FIRST_DOWNLOADER = 4_000_000;
/** how often a worker reports a download's progress */
const HEARTBEAT_MS = 2_000;
/** Telegram's limits lifted, for the warm-up */
const WIDE_OPEN = {
  globalPerSecond: 1e6,
  privateBurst: 1e6,
  privatePerSecond: 1e6,
  groupBurst: 1e6,
  groupPerSecond: 1e6,
};
const SECRET = "bench-secret";
/** webhook requests Telegram makes at once: its default max_connections, which the bot keeps */
const WEBHOOK_CONNECTIONS = 40;

export async function benchSendPriority() {
  await using telegram = await FakeTelegram.start();
  for (let i = 0; i < USERS; i++) telegram.user(FIRST_USER + i, { languageCode: "en" });
  const dataDir = await Deno.makeTempDir({ prefix: "mediabot-bench-priority-" });
  const config = loadConfig({
    BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    PUBLIC_URL: "http://127.0.0.1:9",
    WEBHOOK_SECRET: SECRET,
    KV_PATH: `${dataDir}/bench.kv`,
    DATA_DIR: dataDir,
    WORKERS: "0",
  });
  // the users are known (their first contact made them), as when a post brings them back at once
  const warmUp = await createSystem(config, { logger: createLogger("error"), throttle: WIDE_OPEN });
  await warmUp.start();
  await runTelegramSetup(config, warmUp.kv);
  await burst(warmUp, telegram, 0);
  await quiet(telegram);
  await warmUp.stop();

  const system = await createSystem(config, { logger: createLogger("error") });
  try {
    await system.start();
    const alone = await measure(telegram, system, system, USERS);
    await quiet(telegram);
    // another instance over the same KV: the workers' heartbeats reach it, and it edits
    const other = await createSystem(config, { kv: system.kv, logger: createLogger("error") });
    try {
      const apart = await measure(telegram, system, other, 2 * USERS);
      return [
        {
          ...alone,
          name:
            `Send budget: ${USERS} /start at once while ${DOWNLOADS} downloads report progress (30 msg/s)`,
        },
        {
          ...apart,
          name:
            `Send budget across instances: ${USERS} /start at once on one instance while ${DOWNLOADS} downloads report progress through another (30 msg/s)`,
        },
      ];
    } finally {
      await other.stop();
    }
  } finally {
    await system.stop();
    await Deno.remove(dataDir, { recursive: true });
  }
}

/**
 * The burst of /start on `answering` while `reporting` takes the downloads' heartbeats (the same
 * instance, or another over the same KV): each answer's delay against its ideal, and the share of
 * progress edits in the budget meanwhile.
 */
async function measure(
  telegram: FakeTelegram,
  answering: System,
  reporting: System,
  firstUpdateId: number,
) {
  const downloads = await startDownloads(telegram, reporting);
  const heartbeats = setInterval(() => {
    for (const { id, leaseId } of downloads) {
      const percent = Math.floor(Math.random() * 100);
      reporting.jobs.heartbeat(id, leaseId, { phase: "downloading", percent }).catch(() => {});
    }
  }, HEARTBEAT_MS);
  const before = telegram.calls.length;
  const { startedAt, answeredAt, byWebhook, twice } = await burst(
    answering,
    telegram,
    firstUpdateId,
  );
  clearInterval(heartbeats);
  // ended at once, so their leases do not lapse into the next measure (a requeued job is edited)
  const ended = { code: "internal", message: "bench over", retryable: false };
  await Promise.all(downloads.map(({ id, leaseId }) => reporting.jobs.fail(id, leaseId, ended)));
  await reporting.jobs.settled();

  const delays = answeredAt.map((at) => at - startedAt);
  const lost = delays.filter(Number.isNaN).length;
  const sorted = delays.filter((delay) => !Number.isNaN(delay)).sort((a, b) => a - b);
  const perSecond = TELEGRAM_LIMITS.globalPerSecond;
  // the user at position k (from 1) could not have had an answer before k ÷ 30 s
  const ratioAt = delays.map((delay, i) => delay / ((i + 1) * 1000 / perSecond));
  const ratios = [...ratioAt].sort((a, b) => a - b);
  // past the first second, the app's own time for an update is small beside the ideal
  const later = ratioAt.slice(perSecond).sort((a, b) => a - b);
  const lastAnswerAt = startedAt + (sorted.at(-1) ?? 0);
  const during = telegram.calls.slice(before).filter((call) =>
    call.time >= startedAt && call.time <= lastAnswerAt
  );
  const edits = during.filter((call) => call.method === "editMessageText").length;
  // the answers carried by webhook answers took their turns too
  const share = edits / Math.max(1, during.length + byWebhook);
  const p99 = percentile(ratios, 99);
  return {
    result: `answer delay ÷ ideal p50 ${percentile(ratios, 50).toFixed(2)}×, p99 ${
      p99.toFixed(2)
    }× (first answer after ${(sorted[0] ?? NaN).toFixed(0)} ms; past the first second p99 ${
      percentile(later, 99).toFixed(2)
    }×, max ${(later.at(-1) ?? NaN).toFixed(2)}×); last answer ${
      (sorted.at(-1)! / 1000).toFixed(1)
    } s (ideal ${(USERS / perSecond).toFixed(1)} s); ${byWebhook} in the webhook answer, ${
      USERS - byWebhook - lost
    } by the Bot API, ${lost} lost, ${twice} twice; progress edits ${edits} of ${
      during.length + byWebhook
    } messages meanwhile (${(share * 100).toFixed(1)}%)`,
    target: `p99 ≤ 1.1× ideal, edits ≤ ${(100 / PROGRESS_EVERY).toFixed(0)}% of the budget`,
    met: p99 <= 1.1 && lost === 0 && twice === 0 && share <= 1 / PROGRESS_EVERY + 0.01,
  };
}

/**
 * Every user sends /start at once, by webhook: when each answer reached Telegram (NaN if never),
 * in the webhook answer or, once that closed, by the Bot API.
 */
async function burst(
  system: System,
  telegram: FakeTelegram,
  firstUpdateId: number,
) {
  const before = telegram.calls.length;
  const startedAt = Date.now();
  // Telegram holds the updates and delivers them in order, WEBHOOK_CONNECTIONS at a time
  const inWebhook: (number | undefined)[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: WEBHOOK_CONNECTIONS }, async () => {
    for (let i = next++; i < USERS; i = next++) {
      inWebhook[i] = await sendStart(system.app.fetch, FIRST_USER + i, firstUpdateId + i);
    }
  }));
  const byApi = new Map<number, number[]>();
  let seen = before;
  const answered = () => {
    for (const call of telegram.calls.slice(seen)) {
      const chatId = Number(call.params.chat_id);
      if (call.method === "sendMessage" && chatId >= FIRST_USER && chatId < FIRST_DOWNLOADER) {
        byApi.set(chatId, [...byApi.get(chatId) ?? [], call.time]);
      }
      seen++;
    }
    return inWebhook.every((at, i) => at !== undefined || byApi.has(FIRST_USER + i));
  };
  await telegram.waitFor(answered, {
    timeoutMs: 5 * USERS * 1000 / TELEGRAM_LIMITS.globalPerSecond,
  })
    .catch(() => {});
  const answeredAt = inWebhook.map((at, i) => at ?? byApi.get(FIRST_USER + i)?.[0] ?? NaN);
  const twice =
    inWebhook.filter((at, i) =>
      (at === undefined ? 0 : 1) + (byApi.get(FIRST_USER + i)?.length ?? 0) > 1
    ).length;
  return {
    startedAt,
    answeredAt,
    byWebhook: inWebhook.filter((at) => at !== undefined).length,
    twice,
  };
}

/** Until the Bot API has had no call for a second: what the warm-up set off is done. */
async function quiet(telegram: FakeTelegram) {
  let count = -1;
  while (count !== telegram.calls.length) {
    count = telegram.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** Downloads under way, each with its status message, claimed as a worker would. */
async function startDownloads(telegram: FakeTelegram, system: System) {
  const setup = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  const claims = [];
  for (let i = 0; i < DOWNLOADS; i++) {
    const chatId = FIRST_DOWNLOADER + i;
    telegram.user(chatId, { languageCode: "en" });
    const status = await setup.sendMessage(chatId, "Queued");
    const url = `https://example.com/watch/${i}`;
    await system.queue.enqueue({
      userId: chatId,
      chatId,
      payload: {
        kind: "download",
        url,
        variant: "360",
        info: {
          id: `clip-${i}`,
          extractor: "example",
          webpageUrl: url,
          title: `Clip ${i}`,
          isLive: false,
          formats: [],
        },
        lang: "en",
        uploadChatId: chatId,
        caption: `Clip ${i}`,
        title: `Clip ${i}`,
        statusMessageId: status.message_id,
      },
    });
    const claim = await system.queue.claim("bench-worker");
    if (!claim) throw new Error("the download was not claimed");
    claims.push({ id: claim.job.id, leaseId: claim.leaseId });
  }
  return claims;
}

/** When the user's menu reached Telegram in the webhook answer; undefined if it went by the API. */
async function sendStart(
  fetchApp: (request: Request) => Response | Promise<Response>,
  userId: number,
  index: number,
): Promise<number | undefined> {
  const update = {
    update_id: index + 1,
    message: {
      message_id: index + 1,
      date: Math.floor(Date.now() / 1000),
      chat: { id: userId, type: "private", first_name: "Load" },
      from: { id: userId, is_bot: false, first_name: "Load", language_code: "en" },
      text: "/start",
      entities: [{ type: "bot_command", offset: 0, length: 6 }],
    },
  };
  const response = await fetchApp(
    new Request("http://127.0.0.1/telegram/webhook", {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify(update),
    }),
  );
  const answer = await response.text();
  const at = Date.now();
  const call = answer ? JSON.parse(answer) : {};
  return call.method === "sendMessage" && call.chat_id === userId ? at : undefined;
}
