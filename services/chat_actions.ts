/**
 * What the user sees while they wait: "typing…" while a worker looks at a link, "sending video…"
 * (or file) while it uploads, both from the worker's heartbeats; "sending photo…" while /stats
 * draws its chart. At most one per CHAT_ACTION_INTERVAL_MS per chat across instances, and only
 * when the chat's send budget has a turn free at once: an action never waits behind, or delays,
 * a message.
 */
import type { Api } from "grammy";
import type { Job, JobProgress } from "../media/job_types.ts";
import { claimChatAction } from "../kv/chat_actions.ts";
import type { ServiceDeps } from "./deps.ts";
import { withPriority } from "../lib/throttle.ts";

type ChatAction = "typing" | "upload_video" | "upload_document" | "upload_photo";

/** Longer than this for a turn in the chat's budget, and the action is dropped. */
const CHAT_ACTION_WAIT_MS = 500;

/** The action a job's heartbeat shows: none while it only downloads or waits. */
export function chatActionOf(job: Job, progress?: JobProgress): ChatAction | undefined {
  const { payload } = job;
  if (payload.kind === "probe") return "typing";
  if (progress?.phase !== "uploading") return undefined;
  if (payload.kind === "download") {
    const video = payload.variant !== "audio" && payload.sendAs !== "file";
    return video ? "upload_video" : "upload_document";
  }
  return payload.kind === "record" ? "upload_video" : "upload_document";
}

export async function showChatAction(
  deps: Pick<ServiceDeps, "kv" | "api" | "logger">,
  chatId: number,
  action: ChatAction,
): Promise<void> {
  if (!await claimChatAction(deps.kv, chatId)) return;
  const deadline = AbortSignal.timeout(CHAT_ACTION_WAIT_MS) as ApiSignal;
  // it shows progress: never a turn an answer, a delivery or a notice waits for
  const progress = withPriority("progress", {});
  await deps.api.sendChatAction(chatId, action, progress, deadline).catch((error) =>
    deps.logger.debug("chat action not shown", { chatId, action, error })
  );
}

type ApiSignal = Parameters<Api["sendChatAction"]>[3];
