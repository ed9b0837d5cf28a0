/**
 * Recording a live stream, asked by /record or by a live preview's "🔴" buttons alike: the plan's
 * longest recording, the lengths a preview offers, and the job with its quota reservation.
 */
import { MIN_RESERVATION_BYTES } from "../kv/quota.ts";
import { type Plan, planOf, type UserProfile } from "../kv/users.ts";
import { escapeHtml } from "../lib/format.ts";
import type { UserJobRequest } from "./job_requests.ts";

/** The longest recording each plan allows, in minutes. */
const RECORD_MINUTES: Record<Plan, number> = { free: 30, premium: 180 };

/**
 * What a recording reserves per second asked: 10 Mbit/s, more than live streams send. The
 * recording stops at its reservation, so one asked with less quota left is shorter.
 */
const RECORD_BYTES_PER_SECOND = 1_250_000;

/** The short lengths a live preview offers; the plan's longest comes after them. */
const OFFERED_MINUTES = [5, 15, 30];

export function maxRecordMinutes(user: UserProfile | undefined): number {
  return RECORD_MINUTES[user ? planOf(user) : "free"];
}

/** A live preview's lengths, in minutes: 5, 15, 30 and the plan's longest. */
export function offeredRecordMinutes(user: UserProfile | undefined): number[] {
  const max = maxRecordMinutes(user);
  return [...new Set([...OFFERED_MINUTES.filter((minutes) => minutes < max), max])];
}

export interface RecordingInput {
  chatId: number;
  /** checked by the URL guard */
  url: URL;
  seconds: number;
  lang: string;
  /** where the worker uploads: the user's chat, or STORAGE_CHAT_ID */
  uploadChatId: number;
  botUsername: string;
  /** the status message's title until the stream's own is known */
  title: string;
  partLabel: string;
}

/** The recording job and the quota it reserves, for queueUserJob. */
export function recordingRequest(
  input: RecordingInput,
): Pick<UserJobRequest, "chatId" | "payload" | "quota"> {
  const { url } = input;
  const link = `<a href="${escapeHtml(url.href)}">🔗 ${escapeHtml(url.host)}</a>`;
  return {
    chatId: input.chatId,
    payload: {
      kind: "record",
      url: url.href,
      seconds: input.seconds,
      lang: input.lang,
      uploadChatId: input.uploadChatId,
      caption: `${link}\n📥 @${escapeHtml(input.botUsername)}`,
      title: input.title,
      partLabel: input.partLabel,
    },
    quota: {
      wantedBytes: input.seconds * RECORD_BYTES_PER_SECOND,
      minimumBytes: MIN_RESERVATION_BYTES,
    },
  };
}
