/**
 * The KV database's identity: written once, by whichever instance comes first, and read by
 * /healthz. A store that is new at every start (Deploy without a database assigned, where
 * `Deno.openKv()` gives each isolate its own memory) shows as a new id and a recent createdAt.
 */
export interface KvIdentity {
  id: string;
  /** epoch milliseconds */
  createdAt: number;
}

const KV_IDENTITY_KEY = ["kv_identity"] as const;

/** The stored identity, created first if there is none (one atomic: instances agree on it). */
export async function ensureKvIdentity(kv: Deno.Kv, now = Date.now()): Promise<KvIdentity> {
  for (;;) {
    const stored = await kv.get<KvIdentity>(KV_IDENTITY_KEY);
    if (stored.value) return stored.value;
    const identity: KvIdentity = { id: crypto.randomUUID(), createdAt: now };
    const created = await kv.atomic().check({ key: KV_IDENTITY_KEY, versionstamp: null })
      .set(KV_IDENTITY_KEY, identity).commit();
    if (created.ok) return identity;
  }
}
