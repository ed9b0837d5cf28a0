/** The two folders of a local-mode Bot API set-up, made for a test and removed after it. */

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
