/** Playlists in KV: fractional positions, concurrent edits, memberships and links. */
import { assert, assertEquals, assertRejects } from "../support/assert.ts";
import { positionBetween } from "../../lib/position.ts";
import {
  copyPlaylist,
  createPlaylist,
  deletePlaylist,
  getPlaylistByShareToken,
  listPlaylistsByUser,
  revokePlaylistShare,
  sharePlaylist,
} from "../../kv/playlists.ts";
import {
  addPlaylistItem,
  countPlaylistItems,
  listPlaylistItems,
  mediaItemId,
  movePlaylistItem,
  type PlaylistItem,
  removePlaylistItem,
} from "../../kv/playlist_items.ts";
import {
  acceptPlaylistInvite,
  createPlaylistInvite,
  listPlaylistMembers,
  memberKey,
  transferPlaylist,
} from "../../kv/playlist_members.ts";
import type { ProbeInfo } from "../../media/media_types.ts";

function infoFor(n: number): ProbeInfo {
  return {
    id: `media-${n}`,
    extractor: "generic",
    webpageUrl: `https://example.com/watch/${n}`,
    title: `Clip ${n}`,
    duration: 60 + n,
    thumbnail: `https://example.com/thumb/${n}.jpg`,
    isLive: false,
    formats: [],
  };
}

async function withKv(fn: (kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

const titles = (items: PlaylistItem[]) => items.map((item) => item.info.title);

/** Index, positions and count agree: what a lost or doubled write would break. */
async function assertConsistent(kv: Deno.Kv, playlistId: string) {
  const items = await listPlaylistItems(kv, playlistId);
  const positions = items.map((item) => item.position);
  assertEquals([...positions].sort(), positions, "listed in position order");
  assertEquals(new Set(positions).size, positions.length, "positions are distinct");
  assertEquals(new Set(items.map((i) => i.id)).size, items.length, "no item twice");
  for (const item of items) {
    const index = await kv.get<string>(["playlist_item_positions", playlistId, item.id]);
    assertEquals(index.value, item.position, `index of ${item.info.title}`);
  }
  let indexed = 0;
  for await (const _ of kv.list({ prefix: ["playlist_item_positions", playlistId] })) indexed++;
  assertEquals(indexed, items.length, "no dangling index entries");
  assertEquals(await countPlaylistItems(kv, playlistId), items.length, "the count");
}

Deno.test("[lib/position] positions sort as inserted, stay short when appended, and never run out", () => {
  let last: string | undefined;
  const appended: string[] = [];
  for (let i = 0; i < 500; i++) {
    last = positionBetween(last, undefined);
    appended.push(last);
  }
  assertEquals([...appended].sort(), appended);
  assert(appended.at(-1)!.length <= 18, `500 appends: ${appended.at(-1)!.length} characters`);

  // always inserting right after the first element squeezes one gap as hard as possible
  let low = "V";
  let high = "W";
  for (let i = 0; i < 200; i++) {
    const middle = positionBetween(low, high);
    assert(low < middle && middle < high, `${low} < ${middle} < ${high}`);
    assert(!middle.endsWith("0"), "no trailing zero");
    if (i % 2 === 0) high = middle;
    else low = middle;
  }
  const first = positionBetween(undefined, "1");
  assert(first < "1" && first > "", `before the smallest: ${first}`);
  let random = [positionBetween(undefined, undefined)];
  for (let i = 0; i < 300; i++) {
    const at = Math.floor(Math.random() * (random.length + 1));
    const position = positionBetween(random[at - 1], random[at]);
    random = [...random.slice(0, at), position, ...random.slice(at)];
  }
  assertEquals([...random].sort(), random, "random inserts keep the order");
});

Deno.test("[kv/playlists] concurrent adds from several editors all land, each once", async () => {
  await withKv(async (kv) => {
    const playlist = await createPlaylist(kv, { ownerId: 1, ownerName: "Ann", name: "Mix" });
    const adds = Array.from({ length: 30 }, (_, n) =>
      addPlaylistItem(kv, playlist.id, {
        url: `https://example.com/${n}`,
        info: infoFor(n),
        addedBy: 1 + (n % 3),
      }));
    const results = await Promise.all(adds);
    assert(results.every((r) => r.created));
    const items = await listPlaylistItems(kv, playlist.id);
    assertEquals(items.length, 30);
    assertEquals(new Set(titles(items)).size, 30, "every item is there");
    await assertConsistent(kv, playlist.id);

    // the same media again (a second press, a retried job) adds nothing
    const again = await addPlaylistItem(kv, playlist.id, {
      url: "https://example.com/0?again",
      info: infoFor(0),
      addedBy: 2,
    });
    assertEquals(again.created, false);
    assertEquals(again.item.id, results[0].item.id);
    assertEquals(await countPlaylistItems(kv, playlist.id), 30);
    const [summary] = await listPlaylistsByUser(kv, 1);
    assertEquals(summary.itemCount, 30);
    assertEquals(
      summary.playlist.cover,
      items[0].info.thumbnail,
      "first thumbnail is the cover",
    );
  });
});

/** A generic-extractor media: its id is the URL's file name, so links share it. */
function fileNamed(url: string): ProbeInfo {
  return { ...infoFor(0), id: "video", extractor: "generic", webpageUrl: url, title: url };
}

Deno.test("[kv/playlists] two links whose media share an id are two items; each is held once", async () => {
  await withKv(async (kv) => {
    const playlist = await createPlaylist(kv, { ownerId: 1, ownerName: "Ann", name: "Mix" });
    const add = (info: ProbeInfo) =>
      addPlaylistItem(kv, playlist.id, { url: info.webpageUrl, info, addedBy: 1 });
    const a = await add(fileNamed("https://a.example/x/video.mp4"));
    const b = await add(fileNamed("https://b.example/y/video.mp4"));
    assert(a.created && b.created, "the second link is not taken for the first");
    assert(a.item.id !== b.item.id);
    const again = await add(fileNamed("https://A.EXAMPLE:443/x/video.mp4"));
    assertEquals([again.created, again.item.id], [false, a.item.id], "the same link once");
    assertEquals(
      titles(await listPlaylistItems(kv, playlist.id)),
      ["https://a.example/x/video.mp4", "https://b.example/y/video.mp4"],
    );
    await assertConsistent(kv, playlist.id);
  });
});

Deno.test("[kv/playlists] items added before ids came from identities keep working", async () => {
  await withKv(async (kv) => {
    // a site id's item keeps the id it always had (computed by the code before the change)
    const youtube = { ...infoFor(0), extractor: "youtube", id: "dQw4w9WgXcQ" };
    assertEquals(await mediaItemId(youtube), "3N984SMTA44TGFXBM8HKJ2J0QV");
    assertEquals(
      await mediaItemId({ ...youtube, webpageUrl: "https://youtu.be/dQw4w9WgXcQ" }),
      "3N984SMTA44TGFXBM8HKJ2J0QV",
      "a site id does not depend on the link",
    );

    // a generic item stored then under the id every "video" shared
    const playlist = await createPlaylist(kv, { ownerId: 1, ownerName: "Ann", name: "Old" });
    const old = fileNamed("https://a.example/x/video.mp4");
    const legacy: PlaylistItem = {
      id: "4KG16QZCH1GY9MXF4GBADE5C3J",
      playlistId: playlist.id,
      position: positionBetween(undefined, undefined),
      url: old.webpageUrl,
      info: old,
      addedBy: 1,
      addedAt: 0,
    };
    await kv.atomic()
      .set(["playlist_items", playlist.id, legacy.position], legacy)
      .set(["playlist_item_positions", playlist.id, legacy.id], legacy.position)
      .sum(["playlist_item_count", playlist.id], 1n)
      .commit();
    const add = (info: ProbeInfo) =>
      addPlaylistItem(kv, playlist.id, { url: info.webpageUrl, info, addedBy: 1 });
    const same = await add(old);
    assertEquals([same.created, same.item.id], [false, legacy.id], "found under its old id");
    const other = await add(fileNamed("https://b.example/y/video.mp4"));
    assert(other.created, "another link's media is not the old item");
    assertEquals((await listPlaylistItems(kv, playlist.id)).length, 2);
    await assertConsistent(kv, playlist.id);
  });
});

Deno.test("[kv/playlists] a move rewrites only the moved item and keeps the order right", async () => {
  await withKv(async (kv) => {
    const playlist = await createPlaylist(kv, { ownerId: 1, ownerName: "Ann", name: "Mix" });
    const ids: string[] = [];
    for (let n = 0; n < 4; n++) {
      ids.push(
        (await addPlaylistItem(kv, playlist.id, {
          url: `https://example.com/${n}`,
          info: infoFor(n),
          addedBy: 1,
        })).item.id,
      );
    }
    const before = await listPlaylistItems(kv, playlist.id);
    assertEquals(await movePlaylistItem(kv, playlist.id, ids[3], "up"), true);
    assertEquals(titles(await listPlaylistItems(kv, playlist.id)), [
      "Clip 0",
      "Clip 1",
      "Clip 3",
      "Clip 2",
    ]);
    assertEquals(await movePlaylistItem(kv, playlist.id, ids[0], "down"), true);
    assertEquals(await movePlaylistItem(kv, playlist.id, ids[0], "down"), true);
    assertEquals(await movePlaylistItem(kv, playlist.id, ids[0], "down"), true);
    assertEquals(titles(await listPlaylistItems(kv, playlist.id)), [
      "Clip 1",
      "Clip 3",
      "Clip 2",
      "Clip 0",
    ]);
    assertEquals(await movePlaylistItem(kv, playlist.id, ids[0], "down"), false, "already last");
    assertEquals(await movePlaylistItem(kv, playlist.id, ids[1], "up"), false, "already first");
    const after = await listPlaylistItems(kv, playlist.id);
    const untouched = after.filter((item) => item.id !== ids[0] && item.id !== ids[3]);
    for (const item of untouched) {
      assertEquals(
        item.position,
        before.find((b) => b.id === item.id)!.position,
        "neighbours kept",
      );
    }
    await assertConsistent(kv, playlist.id);
  });
});

Deno.test("[kv/playlists] concurrent moves, adds and removes never lose or double an item", async () => {
  await withKv(async (kv) => {
    const playlist = await createPlaylist(kv, { ownerId: 1, ownerName: "Ann", name: "Mix" });
    const ids: string[] = [];
    for (let n = 0; n < 12; n++) {
      ids.push(
        (await addPlaylistItem(kv, playlist.id, {
          url: `https://example.com/${n}`,
          info: infoFor(n),
          addedBy: 1,
        })).item.id,
      );
    }
    const removed = new Set([ids[2], ids[7]]);
    await Promise.all([
      ...ids.flatMap((id, i) => [
        movePlaylistItem(kv, playlist.id, id, i % 2 ? "up" : "down").catch(() => false),
        movePlaylistItem(kv, playlist.id, id, "up").catch(() => false),
      ]),
      ...[...removed].map((id) => removePlaylistItem(kv, playlist.id, id)),
      ...Array.from({ length: 8 }, (_, n) =>
        addPlaylistItem(kv, playlist.id, {
          url: `https://example.com/new/${n}`,
          info: infoFor(100 + n),
          addedBy: 2,
        })),
    ]);
    const items = await listPlaylistItems(kv, playlist.id);
    assertEquals(items.length, 12 - 2 + 8);
    for (const id of ids) {
      assertEquals(items.some((item) => item.id === id), !removed.has(id), `item ${id}`);
    }
    await assertConsistent(kv, playlist.id);
  });
});

Deno.test("[kv/playlists] invites, links, transfer and delete keep memberships and indexes in step", async () => {
  await withKv(async (kv) => {
    const playlist = await createPlaylist(kv, { ownerId: 1, ownerName: "Ann", name: "Mix" });
    await addPlaylistItem(kv, playlist.id, {
      url: "https://example.com/1",
      info: infoFor(1),
      addedBy: 1,
    });

    const invite = await createPlaylistInvite(kv, {
      playlistId: playlist.id,
      role: "edit",
      createdBy: 1,
    });
    const accepted = await acceptPlaylistInvite(kv, invite.token, { id: 2, name: "Bob" });
    assertEquals(accepted.role, "edit");
    await assertRejects(
      () => acceptPlaylistInvite(kv, invite.token, { id: 3, name: "Eve" }),
      /no such invite/,
    );
    assertEquals((await listPlaylistsByUser(kv, 2)).map((s) => [s.playlist.id, s.role]), [[
      playlist.id,
      "edit",
    ]]);

    const shared = await sharePlaylist(kv, playlist.id, 1);
    assert(shared.isPublic && shared.shareToken);
    assertEquals(
      (await sharePlaylist(kv, playlist.id, 1)).shareToken,
      shared.shareToken,
      "one link",
    );
    assertEquals((await getPlaylistByShareToken(kv, shared.shareToken))?.playlist.id, playlist.id);
    await revokePlaylistShare(kv, playlist.id);
    assertEquals(await getPlaylistByShareToken(kv, shared.shareToken), null, "revoked at once");

    const transferred = await transferPlaylist(kv, playlist.id, 2);
    assertEquals([transferred.ownerId, transferred.ownerName], [2, "Bob"]);
    assertEquals(
      (await listPlaylistMembers(kv, playlist.id)).map((m) => [m.userId, m.role]),
      [[2, "owner"], [1, "admin"]],
    );

    const copy = await copyPlaylist(kv, transferred, { id: 3, name: "Eve" });
    assertEquals(titles(await listPlaylistItems(kv, copy.id)), ["Clip 1"]);
    assertEquals(copy.ownerId, 3);

    await deletePlaylist(kv, playlist.id);
    assertEquals(await listPlaylistsByUser(kv, 1), []);
    assertEquals(await listPlaylistsByUser(kv, 2), []);
    assertEquals((await kv.get(memberKey(playlist.id, 2))).value, null);
    let left = 0;
    for await (const _ of kv.list({ prefix: ["playlist_items", playlist.id] })) left++;
    assertEquals(left, 0, "items removed with the playlist");
    assertEquals((await listPlaylistsByUser(kv, 3)).length, 1, "the copy lives on");
  });
});
