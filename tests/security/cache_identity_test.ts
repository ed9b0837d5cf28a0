/**
 * Colliding media ids: pairs of links to different media that yt-dlp names alike (the generic
 * extractor's id is the URL's file name), asked by different users in turn, and put in one
 * playlist. Invariant: every user receives the media of their own link, never a file cached
 * for the other one. Measured from the files the fake Bot API received.
 */
import { assertEquals } from "../support/assert.ts";
import { LAB_SAME_NAME, type MediaLab, startMediaLab } from "../support/media_lab.ts";
import { buttons, dataFor, reply, waitForFile, waitForPreview } from "../support/chat.ts";
import type { BotMessage, FakeTelegram } from "../support/fake_telegram.ts";
import { probeFile, startTestSystem } from "../support/system.ts";
import { reportHostile } from "../support/hostile_report.ts";

type LinkName = "one" | "two" | "hlsA" | "hlsB";

function linkOf(lab: MediaLab, name: LinkName, query = ""): { url: string; seconds: number } {
  const urls = {
    one: lab.urls.sameNameOne,
    two: lab.urls.sameNameTwo,
    hlsA: lab.urls.sameNameHlsA,
    hlsB: lab.urls.sameNameHlsB,
  };
  return { url: urls[name] + query, seconds: LAB_SAME_NAME[name].durationSeconds };
}

interface Pair {
  first: LinkName;
  second: LinkName;
  /** the same query on both links: new URLs, so neither is cached yet */
  query?: string;
  choice: "video" | "audio";
}

const PAIRS: Pair[] = [
  { first: "one", second: "two", choice: "video" },
  { first: "two", second: "one", query: "?s=1", choice: "video" },
  { first: "hlsA", second: "hlsB", choice: "video" },
  { first: "hlsB", second: "hlsA", query: "?s=1", choice: "video" },
  { first: "one", second: "two", query: "?s=2", choice: "audio" },
  { first: "hlsA", second: "hlsB", query: "?s=2", choice: "audio" },
];

/** Whether a delivered file is the media of the link asked for (its duration, to the second). */
async function isRightFile(telegram: FakeTelegram, message: BotMessage, seconds: number) {
  const probed = await probeFile(telegram.filePath(message.media!.fileId));
  return Math.abs(probed.duration - seconds) < 0.6;
}

Deno.test("[security] colliding media ids: every user gets the file of their own link", async () => {
  await using lab = await startMediaLab();
  await using bed = await startTestSystem();
  const { telegram } = bed;
  let nextUserId = 71_000;
  let linksTried = 0;
  let wrongFiles = 0;

  for (const pair of PAIRS) {
    for (const name of [pair.first, pair.second]) {
      const link = linkOf(lab, name, pair.query);
      const user = telegram.user(nextUserId++, { languageCode: "en" });
      user.sendText(link.url);
      const preview = await waitForPreview(telegram, user.id);
      user.pressButton(
        preview.message,
        dataFor(preview, pair.choice === "audio" ? /Audio/ : /Best/),
      );
      const file = await waitForFile(telegram, user.id, pair.choice);
      linksTried++;
      if (!(await isRightFile(telegram, file, link.seconds))) wrongFiles++;
    }
  }

  // one playlist holds both links of a pair, and "download all" sends each its own file
  const owner = telegram.user(nextUserId++, { languageCode: "en" });
  await reply(telegram, owner, "/playlist create Pairs", /created/);
  const pairLinks = [linkOf(lab, "one"), linkOf(lab, "two")];
  for (const link of pairLinks) {
    await reply(telegram, owner, `/playlist add ${link.url} 1`, /added to|already in/);
  }
  const list = await reply(telegram, owner, "/playlist", /Your playlists/);
  owner.pressButton(list.message, dataFor(list, /Pairs/));
  const opened = await telegram.waitFor(() =>
    telegram.messages(owner.id).find((m) =>
      m.messageId === list.messageId && buttons(m).some((b) => b.text === "⬇️ Download all")
    )
  );
  owner.pressButton(opened.message, dataFor(opened, "⬇️ Download all"));
  await telegram.waitFor(
    () =>
      telegram.messages(owner.id, { after: opened.messageId }).find((m) =>
        /finished/.test(m.text ?? "")
      ),
    { timeoutMs: 60_000 },
  );
  const received = telegram.messages(owner.id, { after: opened.messageId })
    .filter((m) => m.media?.kind === "video");
  for (const link of pairLinks) {
    linksTried++;
    const index = await findIndexAsync(received, (m) => isRightFile(telegram, m, link.seconds));
    if (index < 0) wrongFiles++;
    else received.splice(index, 1);
  }

  const jobs = await bed.system.queue.countByState();
  await reportHostile({
    name: "colliding media ids",
    inputs: linksTried,
    // no private address or canary is involved in this class
    escapes: 0,
    wrongFiles,
    crashes: jobs.failed + jobs.dead,
  });
  assertEquals(linksTried, PAIRS.length * 2 + pairLinks.length);
  assertEquals(wrongFiles, 0, "a user received a file that is not the media of their link");
  assertEquals(jobs.failed + jobs.dead, 0, "every download succeeded");
});

async function findIndexAsync<T>(items: T[], test: (item: T) => Promise<boolean>) {
  for (const [index, item] of items.entries()) if (await test(item)) return index;
  return -1;
}
