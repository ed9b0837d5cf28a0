/** A local-mode Bot API set-up for a test: its two folders, the fake server, a client by path. */
import type { Api } from "grammy";
import { FakeTelegram } from "./fake_telegram.ts";
import { createTelegramApi } from "../../lib/telegram.ts";
import type { Logger } from "../../lib/logger.ts";

export interface SharedFolders extends AsyncDisposable {
  /** TELEGRAM_SHARED_DIR: where workers keep files the server reads by path */
  shared: string;
  /** the server's own folder (`--dir`) */
  botApi: string;
}

/** Both folders under one temporary root, by their real paths (the server resolves paths). */
export async function sharedFolders(): Promise<SharedFolders> {
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "mediabot-shared-" }));
  const folders = { shared: `${root}/shared`, botApi: `${root}/bot-api` };
  await Deno.mkdir(folders.shared);
  await Deno.mkdir(folders.botApi);
  return {
    ...folders,
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

export interface LocalBotApi extends SharedFolders {
  /** a fake server in local mode that reads files in both folders */
  telegram: FakeTelegram;
  /** a client of it that sends the files in `shared` by path, warning `logger` */
  client(logger?: Logger): Api;
}

/** The folders and a local-mode fake Bot API server seeing both; both gone when disposed. */
export async function startLocalBotApi(): Promise<LocalBotApi> {
  const folders = await sharedFolders();
  const telegram = await FakeTelegram.start({
    localDir: folders.botApi,
    localFilesDir: folders.shared,
  });
  return {
    shared: folders.shared,
    botApi: folders.botApi,
    telegram,
    client: (logger) =>
      createTelegramApi(
        {
          botToken: telegram.token,
          telegramApiRoot: telegram.apiRoot,
          telegramSharedDir: folders.shared,
        },
        undefined,
        logger,
      ),
    [Symbol.asyncDispose]: async () => {
      await telegram[Symbol.asyncDispose]();
      await folders[Symbol.asyncDispose]();
    },
  };
}
