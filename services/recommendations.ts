/**
 * Recommendations from a user's downloads, by three signals: more from the same creators, the
 * same tags and categories, and what users with overlapping downloads also got (user-based
 * co-occurrence). Never something the user already has; each comes with the reason that
 * weighed most, naming one of the user's own downloads.
 */
import {
  type CatalogItem,
  getCatalogItems,
  indexDownload,
  listCreatorMedia,
  listLabelMedia,
  listMediaKeysOfUser,
  listMediaUsers,
  listUserItems,
  type UserItem,
} from "../kv/recommendation_index.ts";
import type { EventBus } from "./events.ts";
import type { RecommendationReason } from "../views/recommendations.ts";

export interface Recommendation {
  item: CatalogItem;
  score: number;
  reason: RecommendationReason;
}

/** How much each signal counts once scaled to [0, 1]; chosen on bench/recommend.ts's data. */
const SIGNAL_WEIGHTS = { coDownloaded: 0.55, creator: 0.3, label: 0.15 } as const;

/** Bounds on every read a query makes. */
const READ_LIMITS = {
  userItems: 500,
  creators: 5,
  perCreator: 60,
  labels: 10,
  perLabel: 60,
  seedItems: 50,
  usersPerItem: 50,
  neighbors: 40,
  neighborItems: 200,
} as const;

interface Candidate {
  creator: number;
  label: number;
  coDownloaded: number;
  creatorReason?: { creator: string; because: string; weight: number };
  labelReason?: { label: string; because: string; weight: number };
  coReason?: { because: string; weight: number };
}

/** Per creator or label: how many of the user's media have it, and the newest of them. */
function tally(items: UserItem[], valuesOf: (item: UserItem) => string[]) {
  const counts = new Map<string, { count: number; because: string }>();
  for (const item of items) {
    for (const value of valuesOf(item)) {
      const known = counts.get(value);
      if (known) known.count++;
      else counts.set(value, { count: 1, because: item.title });
    }
  }
  return [...counts].sort((a, b) => b[1].count - a[1].count || a[0].localeCompare(b[0]));
}

export async function recommendFor(
  kv: Deno.Kv,
  userId: number,
  options: { limit?: number; exclude?: Iterable<string> } = {},
): Promise<Recommendation[]> {
  const limit = options.limit ?? 10;
  const mine = (await listUserItems(kv, userId, READ_LIMITS.userItems)).sort((a, b) => b.at - a.at);
  if (mine.length === 0) return [];
  const owned = new Set([...mine.map((i) => i.key), ...(options.exclude ?? [])]);
  const candidates = new Map<string, Candidate>();
  const candidate = (key: string) => {
    let found = candidates.get(key);
    if (!found) candidates.set(key, found = { creator: 0, label: 0, coDownloaded: 0 });
    return found;
  };

  const topCreators = tally(mine, (i) => (i.creator ? [i.creator] : [])).slice(
    0,
    READ_LIMITS.creators,
  );
  const topLabels = tally(mine, (i) => i.labels).slice(0, READ_LIMITS.labels);
  const seeds = mine.slice(0, READ_LIMITS.seedItems);
  const [creatorMedia, labelMedia, seedUsers] = await Promise.all([
    Promise.all(topCreators.map(([c]) => listCreatorMedia(kv, c, READ_LIMITS.perCreator))),
    Promise.all(topLabels.map(([l]) => listLabelMedia(kv, l, READ_LIMITS.perLabel))),
    Promise.all(seeds.map((s) => listMediaUsers(kv, s.key, READ_LIMITS.usersPerItem))),
  ]);

  topCreators.forEach(([creator, { count, because }], i) => {
    const weight = count / mine.length;
    for (const key of creatorMedia[i]) {
      if (owned.has(key)) continue;
      const c = candidate(key);
      c.creator += weight;
      if (!c.creatorReason || weight > c.creatorReason.weight) {
        c.creatorReason = { creator, because, weight };
      }
    }
  });

  topLabels.forEach(([label, { count, because }], i) => {
    // a label on many media says less about taste than a rare one
    const weight = (count / mine.length) / Math.log2(2 + labelMedia[i].length);
    for (const key of labelMedia[i]) {
      if (owned.has(key)) continue;
      const c = candidate(key);
      c.label += weight;
      if (!c.labelReason || weight > c.labelReason.weight) {
        c.labelReason = { label, because, weight };
      }
    }
  });

  const neighbors = new Map<number, { overlap: number; shared: string }>();
  seeds.forEach((seed, i) => {
    for (const other of seedUsers[i]) {
      if (other === userId) continue;
      const known = neighbors.get(other);
      if (known) known.overlap++;
      else neighbors.set(other, { overlap: 1, shared: seed.title });
    }
  });
  const closest = [...neighbors].sort((a, b) => b[1].overlap - a[1].overlap || a[0] - b[0])
    .slice(0, READ_LIMITS.neighbors);
  const neighborMedia = await Promise.all(
    closest.map(([other]) => listMediaKeysOfUser(kv, other, READ_LIMITS.neighborItems)),
  );
  closest.forEach(([, { overlap, shared }], i) => {
    const keys = neighborMedia[i];
    // cosine-like: a neighbor who downloads everything says little about each item
    const weight = overlap / Math.sqrt(keys.length);
    for (const key of keys) {
      if (owned.has(key)) continue;
      const c = candidate(key);
      c.coDownloaded += weight;
      if (!c.coReason || weight > c.coReason.weight) c.coReason = { because: shared, weight };
    }
  });

  const max = { creator: 0, label: 0, coDownloaded: 0 };
  for (const c of candidates.values()) {
    max.creator = Math.max(max.creator, c.creator);
    max.label = Math.max(max.label, c.label);
    max.coDownloaded = Math.max(max.coDownloaded, c.coDownloaded);
  }
  const parts = (c: Candidate) => ({
    coDownloaded: max.coDownloaded
      ? SIGNAL_WEIGHTS.coDownloaded * c.coDownloaded / max.coDownloaded
      : 0,
    creator: max.creator ? SIGNAL_WEIGHTS.creator * c.creator / max.creator : 0,
    label: max.label ? SIGNAL_WEIGHTS.label * c.label / max.label : 0,
  });
  const ranked = [...candidates].map(([key, c]) => {
    const p = parts(c);
    return { key, c, p, score: p.coDownloaded + p.creator + p.label };
  }).sort((a, b) => b.score - a.score || a.key.localeCompare(b.key))
    .slice(0, limit * 2);

  const catalog = new Map(
    (await getCatalogItems(kv, ranked.map((r) => r.key))).map((found) => [found.item.key, found]),
  );
  return ranked.flatMap(({ key, c, p, score }) => {
    const found = catalog.get(key);
    if (!found) return [];
    // popularity only breaks near-ties
    return [{
      item: found.item,
      score: score + 0.001 * Math.log1p(found.users),
      reason: reasonOf(c, p),
    }];
  }).sort((a, b) => b.score - a.score || a.item.key.localeCompare(b.item.key)).slice(0, limit);
}

function reasonOf(
  c: Candidate,
  p: Record<keyof typeof SIGNAL_WEIGHTS, number>,
): RecommendationReason {
  const strongest = (Object.keys(p) as (keyof typeof p)[])
    .filter((signal) => p[signal] > 0)
    .sort((a, b) => p[b] - p[a])[0];
  if (strongest === "creator" && c.creatorReason) {
    return { kind: "creator", creator: c.creatorReason.creator, because: c.creatorReason.because };
  }
  if (strongest === "label" && c.labelReason) {
    return { kind: "label", label: c.labelReason.label, because: c.labelReason.because };
  }
  if (c.coReason) return { kind: "co_downloaded", because: c.coReason.because };
  if (c.creatorReason) {
    return { kind: "creator", creator: c.creatorReason.creator, because: c.creatorReason.because };
  }
  return { kind: "label", label: c.labelReason!.label, because: c.labelReason!.because };
}

/** Keeps the index up to date with every delivered download, after the delivery. */
export function indexDeliveries(events: EventBus, kv: Deno.Kv): void {
  events.on("download_delivered", (event) => indexDownload(kv, event.entry));
}
