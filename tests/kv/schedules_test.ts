/** Scheduled downloads in KV, and their runs: on time, once, repeated at the same wall time. */
import { createTelegramApi } from "../../lib/telegram.ts";
import { assert, assertEquals } from "../support/assert.ts";
import { FakeTelegram } from "../support/fake_telegram.ts";
import {
  completeRun,
  createSchedule,
  deleteSchedule,
  getSchedule,
  listDueSchedules,
  listSchedulesByUser,
  type NewSchedule,
  ScheduleLimitError,
} from "../../kv/schedules.ts";
import { JobQueue } from "../../kv/jobs.ts";
import { QuotaStore } from "../../kv/quota.ts";
import { UserStore } from "../../kv/users.ts";
import { loadConfig } from "../../config.ts";
import { ScheduleRunner } from "../../services/schedules.ts";
import { createI18n } from "../../i18n/translations.ts";
import { createLogger } from "../../lib/logger.ts";

const T0 = Date.parse("2026-10-24T06:00:00Z"); // 08:00 in Paris, the day before DST ends

function input(overrides: Partial<NewSchedule> = {}): NewSchedule {
  return {
    userId: 1,
    chatId: 1,
    lang: "en",
    url: "https://example.com/v",
    runAt: T0,
    timezone: "Europe/Paris",
    ...overrides,
  };
}

Deno.test("[kv/schedules] due ones in time order; a run removes a one-shot and moves a repeat to the next day", async () => {
  await using kv = await Deno.openKv(":memory:");
  const later = await createSchedule(kv, input({ runAt: T0 + 60_000 }), 10);
  const daily = await createSchedule(
    kv,
    input({ repeat: { every: "daily", hour: 8, minute: 0 } }),
    10,
  );
  await createSchedule(kv, input({ runAt: T0 + 86_400_000 }), 10);
  assertEquals((await listDueSchedules(kv, T0)).map((s) => s.id), [daily.id]);
  assertEquals((await listDueSchedules(kv, T0 + 60_000)).map((s) => s.id), [daily.id, later.id]);

  assert(await completeRun(kv, later, undefined));
  assertEquals(await getSchedule(kv, later.id), null);
  const sunday8 = Date.parse("2026-10-25T07:00:00Z");
  assert(await completeRun(kv, daily, sunday8));
  const moved = await getSchedule(kv, daily.id);
  assertEquals(moved?.runAt, sunday8);
  assert(moved?.nextJobId !== daily.nextJobId, "the next run queues a new job");
  assertEquals(await completeRun(kv, daily, sunday8), false, "a stale run changes nothing");
  assertEquals((await listDueSchedules(kv, T0 + 60_000)).length, 0);
  assertEquals((await listSchedulesByUser(kv, 1)).map((s) => s.runAt), [T0 + 86_400_000, sunday8]);
});

Deno.test("[kv/schedules] a user cancels only their own; the per-user limit holds", async () => {
  await using kv = await Deno.openKv(":memory:");
  const mine = await createSchedule(kv, input(), 2);
  await createSchedule(kv, input(), 2);
  let refused: unknown;
  await createSchedule(kv, input(), 2).catch((error) => refused = error);
  assert(refused instanceof ScheduleLimitError, "a third is refused");
  assertEquals(await deleteSchedule(kv, mine.id, 2), false, "not someone else's");
  assert(await deleteSchedule(kv, mine.id, 1));
  assertEquals(await deleteSchedule(kv, mine.id, 1), false);
  assertEquals((await listDueSchedules(kv, T0)).length, 1);
});

Deno.test("[kv/jobs] enqueueing a chosen id twice returns the job queued the first time", async () => {
  await using kv = await Deno.openKv(":memory:");
  const queue = new JobQueue(kv);
  const job = {
    userId: 1,
    chatId: 1,
    payload: { kind: "probe" as const, url: "https://a.example", lang: "en" },
  };
  const first = await queue.enqueue({ ...job, id: "01JBX0000000000000000000AA" });
  const second = await queue.enqueue({ ...job, id: "01JBX0000000000000000000AA" });
  assertEquals(second.createdAt, first.createdAt);
  assertEquals((await queue.countByState()).ready, 1);
});

Deno.test("[services/schedules] two app instances sweeping at once start a due download once, and tell the user once", async () => {
  await using telegram = await FakeTelegram.start();
  await using kv = await Deno.openKv(":memory:");
  const user = telegram.user(4242, { languageCode: "en" });
  const queue = new JobQueue(kv);
  const deps = {
    config: loadConfig({ BOT_TOKEN: telegram.token }),
    kv,
    users: new UserStore(kv),
    queue,
    quota: new QuotaStore(kv),
    api: createTelegramApi({ botToken: telegram.token, telegramApiRoot: telegram.apiRoot }),
    i18n: await createI18n(),
    logger: createLogger("error"),
  };
  const schedule = await createSchedule(
    kv,
    input({ userId: user.id, chatId: user.id, runAt: Date.now() - 1_000 }),
    10,
  );
  await Promise.all([new ScheduleRunner(deps).fireDue(), new ScheduleRunner(deps).fireDue()]);
  assertEquals((await queue.countByState()).ready, 1);
  const job = await queue.get(schedule.nextJobId);
  assert(job?.payload.kind === "probe" && job.payload.autoDownload?.scheduleId === schedule.id);
  assertEquals(await getSchedule(kv, schedule.id), null, "a one-shot is gone once run");
  const notices = telegram.messages(user.id).filter((m) =>
    /Starting the download/.test(m.text ?? "")
  );
  assertEquals(notices.length, 1);
});
