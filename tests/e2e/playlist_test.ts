/** Playlists end to end: the whole system against the fake Bot API and the media lab. */
import { Api, InputFile } from "grammy";
import type { Update } from "grammy/types";
import { assert, assertEquals, assertExists, assertMatch } from "../support/assert.ts";
import { LAB_CLIP, LAB_SONG, startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, reply, waitForPreview } from "../support/chat.ts";
import { startTestSystem, type TestSystem } from "../support/system.ts";
import type { BotMessage, FakeUser } from "../support/fake_telegram.ts";
import { waitUntil } from "../support/wait.ts";
import { createPlaylist, getPlaylist, listPlaylistsByUser } from "../../kv/playlists.ts";
import { addPlaylistItem, listPlaylistItems } from "../../kv/playlist_items.ts";
import {
  acceptPlaylistInvite,
  createPlaylistInvite,
  getPlaylistMember,
  type InviteRole,
} from "../../kv/playlist_members.ts";
import { createPreview } from "../../kv/previews.ts";
import type { ProbeInfo } from "../../media/media_types.ts";
import { MINIMUM_ROLE, type PlaylistAction } from "../../kv/playlist_roles.ts";

/** Flood limits of a test: Telegram's 1 message a second per chat would only slow it down. */
const FAST = {
  globalPerSecond: 10_000,
  privateBurst: 50,
  privatePerSecond: 50,
  groupBurst: 3,
  groupPerSecond: 1,
};

function newMessages(bed: TestSystem, chatId: number, after: number): BotMessage[] {
  return bed.telegram.messages(chatId).filter((m) => m.messageId > after && !m.deleted);
}

function lastId(bed: TestSystem, chatId: number): number {
  return bed.telegram.messages(chatId).at(-1)?.messageId ?? 0;
}

async function answerTo(bed: TestSystem, update: Update) {
  const id = update.callback_query!.id;
  return await bed.telegram.waitFor(() =>
    bed.telegram.callbackAnswers.find((a) => a.callback_query_id === id)
  );
}

Deno.test("[e2e] playlist: create, add from a preview button, share, open the deep link as another user, download all", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({}, { throttle: FAST });
  const { telegram, system } = bed;
  const alice = telegram.user(4001, { firstName: "Alice", languageCode: "en" });
  const bob = telegram.user(4002, { firstName: "Bob", languageCode: "en" });

  alice.sendText("/playlist create Road trip <3");
  const created = await telegram.waitFor(() =>
    telegram.messages(alice.id).find((m) => m.text?.includes("created"))
  );
  assert(created.html?.includes("<b>Road trip &lt;3</b>"), `name escaped: ${created.html}`);

  // ➕ on two previews, the playlist chosen by button
  for (const url of [lab.urls.page, lab.urls.audioPage]) {
    const before = lastId(bed, alice.id);
    alice.sendText(url);
    const preview = await waitForPreview(telegram, alice.id, before);
    const add = dataFor(preview, "➕ Add to playlist");
    assertMatch(add, /^pa:[0-9A-Z]{26}$/, "callback data is the preview's id");
    alice.pressButton(preview.message, add);
    const choice = await telegram.waitFor(() =>
      newMessages(bed, alice.id, preview.messageId).find((m) =>
        m.text?.includes("to which playlist")
      )
    );
    alice.pressButton(choice.message, dataFor(choice, "📁 Road trip <3"));
    const edited = await telegram.waitFor(() =>
      telegram.messages(alice.id).find((m) =>
        m.messageId === choice.messageId && m.text?.includes("added to")
      )
    );
    assertMatch(edited.text ?? "", /added to Road trip <3/);
  }
  const [summary] = await listPlaylistsByUser(system.kv, alice.id);
  assertEquals(summary.itemCount, 2);
  const items = await listPlaylistItems(system.kv, summary.playlist.id);
  assertEquals(items.map((i) => i.info.title), [LAB_CLIP.title, LAB_SONG.title]);

  // /playlist lists it with its count; opening it shows the items and the buttons
  alice.sendText("/playlist");
  const list = await telegram.waitFor(() =>
    telegram.messages(alice.id).find((m) => m.text?.includes("Your playlists"))
  );
  assertMatch(list.text ?? "", /1\. 📁 Road trip <3 · 2 items/);
  alice.pressButton(list.message, dataFor(list, /Road trip/));
  await telegram.waitFor(() =>
    telegram.messages(alice.id).find((m) =>
      m.messageId === list.messageId && m.text?.includes("Your role: owner")
    )
  );
  const opened = telegram.messages(alice.id).find((m) => m.messageId === list.messageId)!;
  const labels = buttons(opened).map((b) => b.text);
  for (
    const label of ["⬇️ Download all", "🔗 Share", "👥 Invite", "✏️ Rename", "🗑 Delete", "1", "2"]
  ) {
    assert(labels.includes(label), `${label} in ${labels}`);
  }

  // share: a web page and a deep link
  alice.sendText("/playlist share 1");
  const share = await telegram.waitFor(() =>
    telegram.messages(alice.id).find((m) => m.text?.includes("is shared"))
  );
  const token = /start=pl_([\w-]+)/.exec(share.text ?? "")?.[1];
  assertExists(token, `a deep link in ${share.text}`);
  assert(share.text?.includes(`http://localhost:8000/p/${token}`), "the web page's link");
  const page = await system.app.request(`/p/${token}`);
  assertEquals(page.status, 200);
  const html = await page.text();
  assert(
    html.includes("Lab clip &lt;b&gt;&amp;&lt;/b&gt;") && html.includes(LAB_SONG.title),
    "both items on the page",
  );
  assert(html.includes("by Alice"));

  // plain /start still shows the menu
  bob.sendText("/start");
  await telegram.waitFor(() => telegram.messages(bob.id).find((m) => m.text?.includes("MediaBot")));

  // Bob opens the deep link: he may view, download and copy, and nothing else
  const beforeOpen = lastId(bed, bob.id);
  bob.sendText(`/start pl_${token}`);
  const visit = await telegram.waitFor(() =>
    newMessages(bed, bob.id, beforeOpen).find((m) => m.text?.includes("Shared with you by link"))
  );
  assertEquals(buttons(visit).map((b) => b.text), ["⬇️ Download all", "📋 Copy to my playlists"]);
  const forged = bob.pressButton(visit.message, dataFor(visit, "⬇️ Download all")).callback_query;
  assertExists(forged);

  const startedAt = performance.now();
  const batch = await telegram.waitFor(() =>
    newMessages(bed, bob.id, visit.messageId).find((m) =>
      m.text?.includes("Road trip <3") && /\d+\/2/.test(m.text ?? "")
    )
  );
  await telegram.waitFor(
    () =>
      telegram.messages(bob.id).find((m) =>
        m.messageId === batch.messageId && m.text?.includes("2/2")
      ),
    { timeoutMs: 60_000 },
  );
  const downloadAllMs = performance.now() - startedAt;
  const final = telegram.messages(bob.id).find((m) => m.messageId === batch.messageId)!;
  assertMatch(final.text ?? "", /finished/);
  assertMatch(final.text ?? "", /2\/2 · ✅ 2 · ❌ 0/);
  assert(final.history.length >= 2, "one message, edited as items finished");
  const files = newMessages(bed, bob.id, visit.messageId).filter((m) => m.media);
  assertEquals(files.map((f) => f.media!.kind).sort(), ["audio", "video"]);
  assertEquals(
    newMessages(bed, bob.id, visit.messageId).filter((m) => /Queued|Downloading/.test(m.text ?? ""))
      .length,
    0,
    "no progress message per item",
  );

  // a forged button from the share visitor is refused; copying works
  const item = items[0];
  await telegram.waitFor(() =>
    telegram.messages(bob.id).find((m) => m.messageId === visit.messageId)
  );
  const sent = await new Api(telegram.token, { apiRoot: telegram.apiRoot }).sendMessage(
    bob.id,
    "⚙️",
    {
      reply_markup: {
        inline_keyboard: [[{ text: "x", callback_data: `pi:x:${summary.playlist.id}:${item.id}` }]],
      },
    },
  );
  const refusal = await answerTo(
    bed,
    bob.pressButton(
      { chatId: bob.id, messageId: sent.message_id },
      `pi:x:${summary.playlist.id}:${item.id}`,
    ),
  );
  assertMatch(refusal.text ?? "", /not allowed/);
  assertEquals((await listPlaylistItems(system.kv, summary.playlist.id)).length, 2);

  bob.pressButton(visit.message, dataFor(visit, "📋 Copy to my playlists"));
  await telegram.waitFor(() =>
    telegram.messages(bob.id).find((m) => m.text?.includes("Copied to your playlists"))
  );
  const bobs = await listPlaylistsByUser(system.kv, bob.id);
  assertEquals(bobs.map((s) => [s.playlist.name, s.role, s.itemCount]), [[
    "Road trip <3",
    "owner",
    2,
  ]]);

  // /playlist add <link> <playlist>: a new link is probed first, a known one is added at once
  const beforeAdd = lastId(bed, alice.id);
  alice.sendText(`/playlist add ${lab.urls.hlsVod} Road trip <3`);
  await telegram.waitFor(
    () =>
      newMessages(bed, alice.id, beforeAdd).find((m) => m.text?.includes("added to Road trip <3")),
    { timeoutMs: 30_000 },
  );
  alice.sendText(`/playlist add ${lab.urls.page} 1`);
  await telegram.waitFor(() =>
    telegram.messages(alice.id).find((m) => m.text?.includes("is already in"))
  );
  assertEquals((await listPlaylistItems(system.kv, summary.playlist.id)).length, 3);

  // revoking the link stops it at once, in the bot and on the web
  alice.sendText("/playlist unshare 1");
  await telegram.waitFor(() =>
    telegram.messages(alice.id).find((m) => m.text?.includes("no longer works"))
  );
  const afterRevoke = lastId(bed, bob.id);
  bob.sendText(`/start pl_${token}`);
  await telegram.waitFor(() =>
    newMessages(bed, bob.id, afterRevoke).find((m) => m.text?.includes("no longer works"))
  );
  const gone = await system.app.request(`/p/${token}`);
  assertEquals(gone.status, 404);
  await gone.body?.cancel();
  console.log(`download all (2 items, real yt-dlp): ${downloadAllMs.toFixed(0)} ms`);
});

// --- the permission matrix in the bot ---------------------------------------------------

const USERS = { owner: 5001, admin: 5002, editor: 5003, viewer: 5004, stranger: 5005 } as const;
const VICTIM = 5006;
type Who = keyof typeof USERS;
const ROLE_OF: Record<Who, string | undefined> = {
  owner: "owner",
  admin: "admin",
  editor: "edit",
  viewer: "view",
  stranger: undefined,
};
const BOT_ACTIONS = [
  "view",
  "download",
  "add",
  "remove",
  "reorder",
  "rename",
  "share",
  "invite",
  "remove_member",
  "delete",
  "transfer",
] as const satisfies readonly PlaylistAction[];
type BotAction = typeof BOT_ACTIONS[number];
const RANK: Record<string, number> = { view: 1, edit: 2, admin: 3, owner: 4 };

function expected(who: Who, action: BotAction): boolean {
  const role = ROLE_OF[who];
  return role !== undefined && RANK[role] >= RANK[MINIMUM_ROLE[action]];
}

function labInfo(n: number): ProbeInfo {
  return {
    id: `matrix-${n}`,
    extractor: "generic",
    webpageUrl: `https://videos.example/${n}`,
    title: `Matrix clip ${n}`,
    duration: 10,
    isLive: false,
    formats: [],
  };
}

Deno.test("[e2e] playlist permission matrix in the bot: owner / admin / editor / viewer / stranger × every action", async () => {
  await using bed = await startTestSystem({}, { throttle: FAST });
  const { telegram, system } = bed;
  const { kv, media } = system;
  const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  const users = Object.fromEntries(
    Object.entries(USERS).map((
      [who, id],
    ) => [who, telegram.user(id, { firstName: who, languageCode: "en" })]),
  ) as Record<Who, FakeUser>;
  telegram.user(VICTIM, { firstName: "victim", languageCode: "en" });

  // the items' files are already on Telegram, so "download all" sends them by file_id
  const upload = await api.sendDocument(
    VICTIM,
    new InputFile(new TextEncoder().encode("clip"), "clip.txt"),
  );
  for (let n = 1; n <= 3; n++) {
    await media.saveFile(labInfo(n), "best", {
      fileId: upload.document!.file_id,
      fileUniqueId: upload.document!.file_unique_id,
      kind: "document",
      size: 4,
      title: labInfo(n).title,
      createdAt: Date.now(),
    });
  }

  async function fixture() {
    const playlist = await createPlaylist(kv, {
      ownerId: USERS.owner,
      ownerName: "owner",
      name: "Matrix",
    });
    const members: [number, InviteRole][] = [
      [USERS.admin, "admin"],
      [USERS.editor, "edit"],
      [USERS.viewer, "view"],
      [VICTIM, "view"],
    ];
    for (const [id, role] of members) {
      const invite = await createPlaylistInvite(kv, {
        playlistId: playlist.id,
        role,
        createdBy: USERS.owner,
      });
      await acceptPlaylistInvite(kv, invite.token, { id, name: `user ${id}` });
    }
    const itemIds: string[] = [];
    for (let n = 1; n <= 3; n++) {
      const { item } = await addPlaylistItem(kv, playlist.id, {
        url: `https://videos.example/${n}`,
        info: labInfo(n),
        addedBy: USERS.owner,
      });
      itemIds.push(item.id);
    }
    return { id: playlist.id, itemIds };
  }

  /** Presses a button with this data, as a modified client could, whether it was offered or not. */
  async function press(user: FakeUser, data: string) {
    const sent = await api.sendMessage(user.id, "⚙️", {
      reply_markup: { inline_keyboard: [[{ text: "go", callback_data: data }]] },
    });
    const update = user.pressButton({ chatId: user.id, messageId: sent.message_id }, data);
    return { answer: await answerTo(bed, update), messageId: sent.message_id };
  }

  const outcome = {} as Record<Who, Record<BotAction, boolean>>;
  const wanted = {} as Record<Who, Record<BotAction, boolean>>;
  let refusals = 0;
  for (const who of Object.keys(USERS) as Who[]) {
    const user = users[who];
    outcome[who] = {} as Record<BotAction, boolean>;
    wanted[who] = {} as Record<BotAction, boolean>;
    for (const action of BOT_ACTIONS) {
      const { id, itemIds } = await fixture();
      const allowed = expected(who, action);
      wanted[who][action] = allowed;
      const before = lastId(bed, user.id);
      let answerText: string | undefined;
      if (action === "rename") {
        user.sendText(`/playlist rename ${id} Renamed`);
        const reply = await telegram.waitFor(() =>
          newMessages(bed, user.id, before).find((m) => /Renamed to|not allowed/.test(m.text ?? ""))
        );
        answerText = reply.text;
      } else {
        const data = {
          view: `pl:o:${id}`,
          download: `pl:dl:${id}`,
          add: `pa:${
            (await createPreview(kv, {
              userId: user.id,
              chatId: user.id,
              url: "https://videos.example/9",
              info: labInfo(9),
            })).id
          }:${id}`,
          remove: `pi:x:${id}:${itemIds[0]}`,
          reorder: `pi:u:${id}:${itemIds[2]}`,
          share: `pl:sh:${id}`,
          invite: `pl:iv:${id}:view`,
          remove_member: `pm:x:${id}:${VICTIM}`,
          delete: `pl:rmok:${id}`,
          transfer: `pm:tc:${id}:${VICTIM}`,
        }[action];
        answerText = (await press(user, data)).answer.text;
      }
      const refused = /not allowed/.test(answerText ?? "");
      if (refused) refusals++;
      const effect = async (): Promise<boolean> => {
        const playlist = await getPlaylist(kv, id);
        const items = playlist ? await listPlaylistItems(kv, id) : [];
        switch (action) {
          case "view":
            return newMessages(bed, user.id, before).some((m) =>
              m.text?.includes("📁 Matrix") && m.text.includes("Matrix clip 3")
            );
          case "download":
            return newMessages(bed, user.id, before).filter((m) => m.media?.kind === "document")
                  .length === 3 &&
              newMessages(bed, user.id, before).some((m) => m.text?.includes("3/3 · ✅ 3"));
          case "add":
            return items.length === 4;
          case "remove":
            return items.length === 2;
          case "reorder":
            return items[1]?.id === itemIds[2];
          case "rename":
            return playlist?.name === "Renamed";
          case "share":
            return playlist?.isPublic === true;
          case "invite":
            return newMessages(bed, user.id, before).some((m) => /start=inv_/.test(m.text ?? ""));
          case "remove_member":
            return (await getPlaylistMember(kv, id, VICTIM)).value === null;
          case "delete":
            return playlist === null;
          case "transfer":
            return playlist?.ownerId === VICTIM;
        }
      };
      if (allowed) {
        await waitUntil(effect, `${who} × ${action} to take effect`, 10_000).catch(() => false);
      }
      outcome[who][action] = await effect();
      assertEquals(refused, !allowed, `${who} × ${action}: refused with "not allowed"`);
    }
  }
  await system.jobs.settled();
  assertEquals(outcome, wanted, "every cell of the matrix");
  assertEquals(
    refusals,
    Object.values(wanted).flatMap((row) => Object.values(row)).filter((ok) => !ok).length,
  );
  const table = (Object.keys(USERS) as Who[]).map((who) =>
    `${who.padEnd(8)} ${BOT_ACTIONS.map((a) => (outcome[who][a] ? "✓" : "·")).join(" ")}`
  );
  console.log(`bot matrix (${BOT_ACTIONS.join(" ")}):\n${table.join("\n")}`);
});

Deno.test("[e2e] /playlist show|share|add|remove without a playlist: the only one is used, several are asked by buttons a page at a time, none says how to create one", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem({}, { throttle: FAST });
  const { telegram, system } = bed;
  const carol = telegram.user(4101, { firstName: "Carol", languageCode: "en" });
  const mallory = telegram.user(4102, { firstName: "Mallory", languageCode: "en" });
  const say = (text: string, pattern: RegExp) => reply(telegram, carol, text, pattern);

  // none: how to create one
  await say("/playlist show", /no playlist yet: \/playlist create name/);
  await say("/playlist share", /no playlist you can share.*\/playlist create name/);
  await say(`/playlist add ${lab.urls.page}`, /no playlist you can add to.*\/playlist create/);
  await say("/playlist remove 1", /no playlist you can add to/);

  // one: it is used
  await say("/playlist create Solo", /created/);
  await say(`/playlist add ${lab.urls.page}`, /added to Solo/);
  await say("/playlist share", /Solo is shared/);
  await say("/playlist show", /Your role: owner/);
  await say("/playlist remove 1", /Removed/);
  const [solo] = await listPlaylistsByUser(system.kv, carol.id);
  assertEquals(solo.itemCount, 0);

  // several: one button each, eight a page
  for (let i = 2; i <= 10; i++) {
    await createPlaylist(system.kv, { ownerId: carol.id, ownerName: "Carol", name: `P${i}` });
  }
  const choice = await say("/playlist share", /Share which playlist\?/);
  assertMatch(choice.text ?? "", /Page 1\/2/);
  assertEquals(buttons(choice).length, 9, "eight playlists and ▶️");
  assert(buttons(choice).every((b) => b.data.length <= 64 && b.data.startsWith("pc:")));
  carol.pressButton(choice.message, dataFor(choice, "▶️"));
  const second = await telegram.waitFor(() =>
    telegram.messages(carol.id).find((m) =>
      m.messageId === choice.messageId && /Page 2\/2/.test(m.text ?? "")
    )
  );
  const onSecond = buttons(second).map((b) => b.text);
  assertEquals(onSecond.length, 3, `two playlists and ◀️: ${onSecond}`);
  assertEquals(onSecond[2], "◀️");
  const picked = onSecond[0].replace("📁 ", "");
  assert(!buttons(choice).some((b) => b.text === onSecond[0]), "a playlist of the second page");
  // the question is Carol's: another user's press changes nothing
  const forged = mallory.pressButton(second.message, dataFor(second, onSecond[0]));
  await telegram.waitFor(() =>
    telegram.callbackAnswers.find((a) =>
      a.callback_query_id === forged.callback_query!.id && /expired/.test(a.text ?? "")
    )
  );
  carol.pressButton(second.message, dataFor(second, onSecond[0]));
  await telegram.waitFor(() =>
    telegram.messages(carol.id).find((m) =>
      m.messageId === choice.messageId && m.text?.includes(`${picked} is shared`)
    )
  );

  // add: the link waits in KV for the choice, then is probed into the playlist chosen
  const add = await say(`/playlist add ${lab.urls.audioPage}`, /Add .*listen\/song to which/);
  carol.pressButton(add.message, dataFor(add, "📁 Solo"));
  await telegram.waitFor(
    () => telegram.messages(carol.id).find((m) => /Lab Song.* added to Solo/.test(m.text ?? "")),
    { timeoutMs: 30_000 },
  );
  const remove = await say("/playlist remove 1", /Remove item 1 from which playlist\?/);
  carol.pressButton(remove.message, dataFor(remove, "📁 Solo"));
  await telegram.waitFor(() =>
    telegram.messages(carol.id).find((m) =>
      m.messageId === remove.messageId && /Removed/.test(m.text ?? "")
    )
  );
  assertEquals((await listPlaylistItems(system.kv, solo.playlist.id)).length, 0);
  const show = await say("/playlist show", /Which playlist\?/);
  carol.pressButton(show.message, dataFor(show, "📁 P2"));
  await telegram.waitFor(() =>
    telegram.messages(carol.id).find((m) =>
      m.messageId === show.messageId && /P2/.test(m.text ?? "") && /Your role/.test(m.text ?? "")
    )
  );
});
