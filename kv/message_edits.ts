/**
 * Turns at editing a message that any app instance may edit: a job's status message (progress
 * comes with heartbeats, which reach any instance) and a batch's progress message (each item that
 * ends, wherever it is reported). One editor at a time holds a short lease; progress edits are
 * paced through the same entry; the final text (a job's outcome) waits for the edit in flight,
 * then closes the message to progress edits for good. An edit whose lease runs out is abandoned
 * before it is sent, so two edits never cross on their way to Telegram.
 */
import { commit, retryAtomic } from "./retry_atomic.ts";

interface EditState {
  /** who edits now (until `until`), or edited last */
  holder: string;
  until: number;
  /** when the last progress edit began, and its text */
  lastAt: number;
  text?: string;
  /** the final text is shown or on its way: no progress edit any more */
  final: boolean;
}

/** A lease on editing one message. */
export interface EditTurn {
  key: Deno.KvKey;
  holder: string;
  /** the edit must be sent before this (epoch ms), or not at all */
  until: number;
}

/** Edit states outlive any job or batch they follow (a batch lives 7 days). */
const EDIT_STATE_TTL_MS = 8 * 86_400_000;
/** how often a final edit looks again while another edit holds the message */
const FINAL_WAIT_STEP_MS = 50;

/** What a message is followed by: "job:<id>" or "batch:<id>". */
function editStateKey(owner: string) {
  return ["message_edits", owner] as const;
}

export interface EditOptions {
  holder: string;
  leaseMs: number;
  now: number;
  /** progress edits of this message at most this often */
  minIntervalMs?: number;
  /** the text to show: an edit that would show the last one again is skipped */
  text?: string;
}

/**
 * A turn at a progress edit, or null: the final text was shown, another editor holds the message,
 * the last edit was too recent, or it showed this text. The same holder may take its turn again.
 */
export async function beginEdit(
  kv: Deno.Kv,
  owner: string,
  options: EditOptions,
): Promise<EditTurn | null> {
  const key = editStateKey(owner);
  const entry = await kv.get<EditState>(key);
  const state = entry.value;
  const { holder, now } = options;
  if (state) {
    if (state.final) return null;
    if (state.holder !== holder && state.until > now) return null;
    if (now - state.lastAt < (options.minIntervalMs ?? 0)) return null;
    if (options.text !== undefined && state.text === options.text) return null;
  }
  const next: EditState = {
    holder,
    until: now + options.leaseMs,
    lastAt: now,
    ...(options.text !== undefined ? { text: options.text } : {}),
    final: false,
  };
  const result = await kv.atomic()
    .check(entry)
    .set(key, next, { expireIn: EDIT_STATE_TTL_MS })
    .commit();
  return result.ok ? { key, holder, until: next.until } : null;
}

/**
 * Gives the message back. With `unchanged`, only if those entries (what the edit showed) did not
 * change meanwhile: false then, and the holder, still holding its turn, edits again.
 */
export async function endEdit(
  kv: Deno.Kv,
  turn: EditTurn,
  unchanged: Deno.KvEntryMaybe<unknown>[] = [],
): Promise<boolean> {
  const entry = await kv.get<EditState>(turn.key);
  // lost to a final edit or another editor after its lease ran out: nothing left to give back
  if (entry.value?.holder !== turn.holder || entry.value.final) return true;
  const result = await kv.atomic()
    .check(entry, ...unchanged)
    .set(turn.key, { ...entry.value, until: 0 }, { expireIn: EDIT_STATE_TTL_MS })
    .commit();
  return result.ok;
}

/**
 * Closes the message to progress edits, once the edit in flight (if any) has ended or its lease
 * run out; the caller then shows the final text.
 */
export async function beginFinalEdit(
  kv: Deno.Kv,
  owner: string,
  holder: string,
  now: () => number = Date.now,
): Promise<void> {
  const key = editStateKey(owner);
  while (true) {
    const waitMs = await retryAtomic(kv, async (op) => {
      const entry = await kv.get<EditState>(key);
      const state = entry.value;
      if (state?.final) return 0;
      if (state && state.holder !== holder && state.until > now()) return state.until - now();
      const closed: EditState = { holder, until: 0, lastAt: state?.lastAt ?? 0, final: true };
      op.check(entry).set(key, closed, { expireIn: EDIT_STATE_TTL_MS });
      return commit(0);
    }, { what: `the edits of ${owner}`, attempts: 10 });
    if (waitMs <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, FINAL_WAIT_STEP_MS)));
  }
}
