/**
 * Offline evaluation of /recommend: leave-one-out hit rate at 10 on a generated dataset, against
 * a popularity baseline. Users have favourite genres and creators; media have Zipf popularity,
 * genre tags, a category and a noise tag. Each user's last download is held out, everything else
 * is indexed in a real KV (`:memory:`), and a hit is the held-out media among the 10 recommended.
 */
import type { HistoryEntry } from "../kv/history.ts";
import { indexDownload, mediaKeyOf } from "../kv/recommendation_index.ts";
import { recommendFor } from "../services/recommendations.ts";
import { ms, summarize } from "./stats.ts";

interface GeneratedMedia {
  mediaId: string;
  genre: number;
  creator: string;
  tags: string[];
  popularity: number;
}

/** A small, fast, seeded PRNG: the dataset is the same on every run. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DatasetShape {
  genres: number;
  creatorsPerGenre: number;
  mediaPerCreator: number;
  users: number;
  seed: number;
}

export function generateDataset(shape: DatasetShape): HistoryEntry[] {
  const random = mulberry32(shape.seed);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const weighted = (list: GeneratedMedia[]) => {
    const total = list.reduce((sum, m) => sum + m.popularity, 0);
    let r = random() * total;
    for (const m of list) if ((r -= m.popularity) <= 0) return m;
    return list[list.length - 1];
  };
  const media: GeneratedMedia[] = [];
  const creators: string[][] = [];
  for (let g = 0; g < shape.genres; g++) {
    creators.push([]);
    for (let c = 0; c < shape.creatorsPerGenre; c++) {
      const creator = `Creator ${g}-${c}`;
      creators[g].push(creator);
      for (let m = 0; m < shape.mediaPerCreator; m++) {
        media.push({
          mediaId: `m${g}-${c}-${m}`,
          genre: g,
          creator,
          tags: [
            `genre${g}-tag${Math.floor(random() * 6)}`,
            `genre${g}-tag${Math.floor(random() * 6)}`,
            `common${Math.floor(random() * 30)}`,
          ],
          popularity: 0,
        });
      }
    }
  }
  // Zipf popularity over a random order of all media
  const order = media.map((_, i) => i).sort(() => random() - 0.5);
  order.forEach((index, rank) => media[index].popularity = 1 / (rank + 1) ** 0.8);
  const byGenre = (g: number) => media.filter((m) => m.genre === g);
  const byCreator = new Map<string, GeneratedMedia[]>();
  for (const m of media) byCreator.set(m.creator, [...(byCreator.get(m.creator) ?? []), m]);

  const downloads: HistoryEntry[] = [];
  let at = Date.UTC(2026, 0, 1);
  for (let userId = 1; userId <= shape.users; userId++) {
    const genres = [Math.floor(random() * shape.genres)];
    if (random() < 0.5) genres.push(Math.floor(random() * shape.genres));
    const favourites = [pick(creators[genres[0]]), pick(creators[pick(genres)])];
    const count = 5 + Math.floor(random() * 20);
    const owned = new Set<string>();
    for (let i = 0; i < count; i++) {
      for (let attempt = 0; attempt < 10; attempt++) {
        const r = random();
        const m = r < 0.45
          ? weighted(byCreator.get(pick(favourites))!)
          : r < 0.8
          ? weighted(byGenre(pick(genres)))
          : weighted(media);
        if (owned.has(m.mediaId)) continue;
        owned.add(m.mediaId);
        at += 60_000;
        downloads.push({
          id: `${userId}-${i}`,
          userId,
          title: `Media ${m.mediaId}`,
          url: `https://example.com/watch/${m.mediaId}`,
          kind: "video",
          variant: "720",
          size: 1_000_000,
          extractor: "example",
          mediaId: m.mediaId,
          fromCache: false,
          at,
          uploader: m.creator,
          tags: m.tags,
          categories: [`Genre ${m.genre}`],
        });
        break;
      }
    }
  }
  return downloads;
}

/** The baseline: the media most users downloaded, that this user does not have. */
export function recommendPopular(
  training: HistoryEntry[],
  keys: Map<HistoryEntry, string>,
  owned: Set<string>,
  limit: number,
): string[] {
  const users = new Map<string, Set<number>>();
  for (const d of training) {
    const key = keys.get(d)!;
    users.set(key, (users.get(key) ?? new Set()).add(d.userId));
  }
  return [...users].filter(([key]) => !owned.has(key))
    .sort((a, b) => b[1].size - a[1].size || a[0].localeCompare(b[0]))
    .slice(0, limit)
    .map(([key]) => key);
}

export async function evaluateRecommendations(shape: DatasetShape, k = 10) {
  const downloads = generateDataset(shape);
  const byUser = new Map<number, HistoryEntry[]>();
  for (const d of downloads) byUser.set(d.userId, [...(byUser.get(d.userId) ?? []), d]);
  const heldOut = new Map<number, HistoryEntry>();
  for (const [userId, list] of byUser) {
    if (list.length >= 3) heldOut.set(userId, list[list.length - 1]);
  }
  const training = downloads.filter((d) => heldOut.get(d.userId) !== d);
  const keys = new Map(
    await Promise.all(downloads.map(async (d) => [d, await mediaKeyOf(d)] as const)),
  );

  using kv = await Deno.openKv(":memory:");
  for (let i = 0; i < training.length; i += 50) {
    await Promise.all(training.slice(i, i + 50).map((d) => indexDownload(kv, d)));
  }
  let hits = 0, baselineHits = 0;
  const times: number[] = [];
  for (const [userId, held] of heldOut) {
    const target = keys.get(held)!;
    const owned = new Set(byUser.get(userId)!.filter((d) => d !== held).map((d) => keys.get(d)!));
    const started = performance.now();
    const recommended = await recommendFor(kv, userId, { limit: k });
    times.push(performance.now() - started);
    if (recommended.some((r) => r.item.key === target)) hits++;
    if (recommendPopular(training, keys, owned, k).includes(target)) baselineHits++;
  }
  return {
    users: heldOut.size,
    downloads: downloads.length,
    hitRate: hits / heldOut.size,
    baselineHitRate: baselineHits / heldOut.size,
    latency: summarize(times),
  };
}

export async function benchRecommend() {
  const result = await evaluateRecommendations({
    genres: 8,
    creatorsPerGenre: 6,
    mediaPerCreator: 20,
    users: 400,
    seed: 42,
  });
  return [
    {
      name:
        `Recommendations: leave-one-out hit rate@10 (${result.users} users, ${result.downloads} downloads, generated)`,
      result: `${result.hitRate.toFixed(3)} vs popularity ${result.baselineHitRate.toFixed(3)}`,
      target: "> popularity",
      met: result.hitRate > result.baselineHitRate,
    },
    {
      name: "Recommendations: one /recommend query on that index",
      result: `p50 ${ms(result.latency.p50)}, p99 ${ms(result.latency.p99)}`,
      target: "p50 < 100 ms",
      met: result.latency.p50 < 100,
    },
  ];
}
