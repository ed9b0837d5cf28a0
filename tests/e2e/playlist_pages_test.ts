/** A long playlist in the bot, a page at a time: each view reads only the items it shows. */
import { assert, assertEquals, assertMatch } from "../support/assert.ts";
import { dataFor } from "../support/chat.ts";
import { startTestSystem } from "../support/system.ts";
import type { BotMessage, FakeUser } from "../support/fake_telegram.ts";
import { createPlaylist } from "../../kv/playlists.ts";
import { addPlaylistItem } from "../../kv/playlist_items.ts";
import type { ProbeInfo } from "../../media/media_types.ts";

const ITEMS = 120;
/** a page's ten items, the next one (where the next page starts) and the ten before (for ◀️) */
const MOST_READ_PER_VIEW = 21;

/** The real KV, counting the playlist items its listings hand out. */
function countingKv(kv: Deno.Kv) {
  const counter = { itemsRead: 0 };
  const counted = new Proxy(kv, {
    get(target, property) {
      if (property === "list") {
        return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
          const listing = target.list(selector, options);
          const prefix = "prefix" in selector ? selector.prefix : [];
          return (async function* () {
            for await (const entry of listing) {
              if (prefix[0] === "playlist_items") counter.itemsRead++;
              yield entry;
            }
          })();
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { kv: counted, counter };
}

function clip(n: number): ProbeInfo {
  return {
    id: `page-clip-${n}`,
    extractor: "generic",
    webpageUrl: `https://videos.example/${n}`,
    title: `Clip ${n}`,
    duration: 60,
    isLive: false,
    formats: [],
  };
}

Deno.test("[e2e] playlist pages: ▶️ and ◀️, an item and back, each reading one page of a 120-item playlist", async () => {
  await using memory = await Deno.openKv(":memory:");
  const { kv, counter } = countingKv(memory);
  await using bed = await startTestSystem({}, { kv });
  const { telegram } = bed;
  const owner = telegram.user(4301, { firstName: "Pia", languageCode: "en" });
  const playlist = await createPlaylist(memory, {
    ownerId: owner.id,
    ownerName: "Pia",
    name: "Long",
  });
  for (let n = 1; n <= ITEMS; n++) {
    await addPlaylistItem(memory, playlist.id, {
      url: `https://videos.example/${n}`,
      info: clip(n),
      addedBy: owner.id,
    });
  }

  /** Waits for the playlist message to show `expected`, and counts the items read to get there. */
  async function view(act: () => void, expected: RegExp): Promise<BotMessage> {
    const before = counter.itemsRead;
    act();
    const shown = await telegram.waitFor(() =>
      telegram.messages(owner.id).find((m) => !m.deleted && expected.test(m.text ?? ""))
    );
    const read = counter.itemsRead - before;
    assert(read <= MOST_READ_PER_VIEW, `${read} items read to show ${expected}`);
    return shown;
  }
  const press = (user: FakeUser, message: BotMessage, label: string | RegExp) => () =>
    user.pressButton(message, dataFor(message, label));
  const shows = (message: BotMessage, first: number, last: number) => {
    assertMatch(message.text ?? "", new RegExp(`\\b${first}\\. Clip ${first}\\b`));
    assertMatch(message.text ?? "", new RegExp(`\\b${last}\\. Clip ${last}\\b`));
    assert(!message.text?.includes(`Clip ${last + 1}\n`), "no item of the next page");
  };

  let message = await view(() => owner.sendText(`/playlist show ${playlist.id}`), /Page 1\/12/);
  shows(message, 1, 10);
  message = await view(press(owner, message, "▶️"), /Page 2\/12/);
  shows(message, 11, 20);
  message = await view(press(owner, message, "▶️"), /Page 3\/12/);
  shows(message, 21, 30);
  message = await view(press(owner, message, "◀️"), /Page 2\/12/);
  shows(message, 11, 20);

  message = await view(press(owner, message, "15"), /Item 15 of 120/);
  assertMatch(message.text ?? "", /Clip 15/);
  message = await view(press(owner, message, "⬇️ Down"), /Item 16 of 120/);
  message = await view(press(owner, message, "⬅️ Back"), /Page 2\/12/);
  shows(message, 11, 20);
  assertMatch(message.text ?? "", /16\. Clip 15/, "the move shows on its page");

  for (let page = 3; page <= 12; page++) {
    message = await view(press(owner, message, "▶️"), new RegExp(`Page ${page}/12`));
  }
  shows(message, 111, 120);
  assertEquals(
    dataFor(message, "◀️").length <= 64,
    true,
    "callback data within Telegram's 64 bytes",
  );
  assert(!message.replyMarkup || !JSON.stringify(message.replyMarkup).includes("▶️"), "the last");
});
