/**
 * Keys a handler is about to read, read with the sender's record in the update's first KV read:
 * one round trip less for the most frequent answer, the menu. A handler takes them only when its
 * keys are exactly those read (a guess made before the user was known can miss, e.g. a day in
 * another time zone); otherwise it reads as usual.
 */
import type { BotContext } from "./context.ts";

/** The keys to read ahead for an update, none for most. */
export type Prefetch = (ctx: BotContext) => readonly Deno.KvKey[];

export class Prefetched {
  #entries: Deno.KvEntryMaybe<unknown>[] | undefined;

  constructor(
    private readonly keys: readonly Deno.KvKey[],
    entries: Deno.KvEntryMaybe<unknown>[],
  ) {
    this.#entries = entries;
  }

  /**
   * The entries of exactly these keys, once (a later read in the same update sees its own writes),
   * or undefined.
   */
  take<T extends readonly unknown[]>(
    keys: readonly [...{ [K in keyof T]: Deno.KvKey }],
  ): { [K in keyof T]: Deno.KvEntryMaybe<T[K]> } | undefined {
    const entries = this.#entries;
    if (!entries || !sameKeys(keys, this.keys)) return undefined;
    this.#entries = undefined;
    return entries as { [K in keyof T]: Deno.KvEntryMaybe<T[K]> };
  }
}

function sameKeys(a: readonly Deno.KvKey[], b: readonly Deno.KvKey[]): boolean {
  return a.length === b.length &&
    a.every((key, i) => key.length === b[i].length && key.every((part, j) => part === b[i][j]));
}
