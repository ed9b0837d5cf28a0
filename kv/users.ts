/**
 * Users: plan, role, language, time zone and preferences. Every read and write of a user's record
 * goes through UserStore. Nothing of a user is kept in memory: app instances share one KV, and a
 * change on one (a language picked, a block, a plan) holds on every other at the next update.
 * Reads on the hot path share KV round trips (kv/coalesced_reads.ts).
 */
import type { AudioFormat, Variant } from "../media/media_types.ts";
import { CoalescedReads } from "./coalesced_reads.ts";
import { commit, retryAtomic } from "./retry_atomic.ts";

export type Plan = "free" | "premium";
export type SendMode = "video" | "file";

export interface UserPreferences {
  /** "ask" shows the preview's choices; a variant is what the preview recommends first */
  defaultQuality: Variant | "ask";
  preferAudio: boolean;
  /** the file "audio" makes; DEFAULT_AUDIO_FORMAT (MP3 192) when unset */
  audioFormat?: AudioFormat;
  sendAs: SendMode;
  dataSaver: boolean;
  notifications: boolean;
  /** recommendations stay at or below this height (a small screen, a metered line) */
  maxHeight?: number;
}

export interface UserProfile {
  id: number;
  firstName: string;
  username?: string;
  /** Telegram's language_code when the user has not picked a language */
  languageCode?: string;
  /** the user's explicit choice in settings */
  language?: "en" | "fr";
  timezone?: string;
  role: "user" | "admin";
  premiumUntil?: number;
  blocked: boolean;
  prefs: UserPreferences;
  createdAt: number;
}

export const DEFAULT_PREFERENCES: UserPreferences = {
  defaultQuality: "ask",
  preferAudio: false,
  sendAs: "video",
  dataSaver: false,
  notifications: true,
};

export function userKey(id: number) {
  return ["users", id] as const;
}

export function planOf(user: Pick<UserProfile, "premiumUntil">, now = Date.now()): Plan {
  return user.premiumUntil !== undefined && user.premiumUntil > now ? "premium" : "free";
}

export interface TelegramUserInfo {
  id: number;
  first_name: string;
  username?: string;
  language_code?: string;
}

export class UserStore {
  constructor(
    private readonly kv: Deno.Kv,
    private readonly reads = new CoalescedReads(kv),
  ) {}

  /** The user as KV has it now, through the reads that share round trips under load. */
  async get(id: number): Promise<UserProfile | null> {
    return (await this.reads.get<UserProfile>(userKey(id))).value;
  }

  /** The user as KV has it now, read on its own (off the hot path). */
  async getFresh(id: number): Promise<UserProfile | null> {
    return (await this.getFreshEntry(id)).value;
  }

  /** The user's entry as KV has it now, for a write elsewhere that checks it did not change. */
  getFreshEntry(id: number): Promise<Deno.KvEntryMaybe<UserProfile>> {
    return this.kv.get<UserProfile>(userKey(id));
  }

  /**
   * Creates the user on first contact; writes again only when Telegram's data changed. `known`
   * is the user's entry when the caller read it already (with other keys, in one read).
   */
  async touch(
    from: TelegramUserInfo,
    known?: Deno.KvEntryMaybe<UserProfile>,
  ): Promise<UserProfile> {
    const user = known ? known.value : await this.get(from.id);
    if (user && hasTelegramData(user, from)) return user;
    // a user's first updates arrive together: those that lost the race find it written
    return await this.update(from.id, (user) =>
      user && hasTelegramData(user, from) ? user : {
        ...(user ?? newUser(from)),
        firstName: from.first_name,
        username: from.username,
        languageCode: from.language_code,
      });
  }

  /**
   * Read-modify-write checked by versionstamp, retried on contention; a `change` that returns the
   * user as it is writes nothing.
   */
  update(
    id: number,
    change: (user: UserProfile | null) => UserProfile,
  ): Promise<UserProfile> {
    return this.updateWith(id, (user) => {
      const next = change(user);
      return Promise.resolve({ user: next, result: next });
    });
  }

  /**
   * A read-modify-write of the user that carries the caller's own reads, checks and writes (a
   * payment's receipt) in the same atomic, which also checks the user's entry. `plan` runs again
   * after a conflict, with the user read again; the user it returns is written (the same object,
   * or null: nothing is written, and neither are the plan's writes).
   */
  async updateWith<T>(
    id: number,
    plan: (
      user: UserProfile | null,
      op: Deno.AtomicOperation,
    ) => Promise<{ user: UserProfile | null; result: T }>,
  ): Promise<T> {
    const { result } = await retryAtomic(this.kv, async (op) => {
      const entry = await this.kv.get<UserProfile>(userKey(id));
      const planned = await plan(entry.value, op);
      if (planned.user === null || planned.user === entry.value) return { result: planned.result };
      op.check(entry).set(userKey(id), planned.user);
      if (!entry.value) op.sum(USER_COUNT_KEY, 1n);
      return commit({ result: planned.result });
    }, { what: `user ${id}`, attempts: 10 });
    return result;
  }

  async count(): Promise<number> {
    return Number((await this.kv.get<Deno.KvU64>(USER_COUNT_KEY)).value?.value ?? 0n);
  }

  async *list(): AsyncGenerator<UserProfile> {
    for await (const entry of this.kv.list<UserProfile>({ prefix: ["users"] })) yield entry.value;
  }
}

const USER_COUNT_KEY = ["users_count"] as const;

function hasTelegramData(user: UserProfile, from: TelegramUserInfo): boolean {
  return user.firstName === from.first_name && user.username === from.username &&
    user.languageCode === from.language_code;
}

function newUser(from: TelegramUserInfo): UserProfile {
  return {
    id: from.id,
    firstName: from.first_name,
    username: from.username,
    languageCode: from.language_code,
    role: "user",
    blocked: false,
    prefs: { ...DEFAULT_PREFERENCES },
    createdAt: Date.now(),
  };
}
