/** A media's subtitle tracks as offered to a user; buttons carry this short id, never the URL. */
import { ulid } from "../lib/ids.ts";
import type { SubtitleTrack } from "../media/job_types.ts";

export interface SubtitleChoice {
  id: string;
  userId: number;
  chatId: number;
  url: string;
  title: string;
  tracks: SubtitleTrack[];
  /** the language /subs asked to translate into */
  target?: string;
  createdAt: number;
}

const SUBTITLE_CHOICE_TTL_MS = 48 * 3600_000;

function subtitleChoiceKey(id: string) {
  return ["subtitle_choices", id] as const;
}

export async function createSubtitleChoice(
  kv: Deno.Kv,
  input: Omit<SubtitleChoice, "id" | "createdAt">,
): Promise<SubtitleChoice> {
  const choice: SubtitleChoice = { ...input, id: ulid(), createdAt: Date.now() };
  await kv.set(subtitleChoiceKey(choice.id), choice, { expireIn: SUBTITLE_CHOICE_TTL_MS });
  return choice;
}

export async function getSubtitleChoice(kv: Deno.Kv, id: string): Promise<SubtitleChoice | null> {
  return (await kv.get<SubtitleChoice>(subtitleChoiceKey(id))).value;
}
