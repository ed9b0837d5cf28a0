/** Conversation prompts of the playlist feature: each is answered once, within 10 minutes. */

/** A question the bot asked and whose answer is the user's next plain text message. */
export interface PlaylistPrompt {
  action: "rename" | "describe";
  playlistId: string;
  expiresAt: number;
}

const PROMPT_TTL_MS = 10 * 60_000;

function promptKey(userId: number) {
  return ["playlist_prompts", userId] as const;
}

export async function setPlaylistPrompt(
  kv: Deno.Kv,
  userId: number,
  prompt: Omit<PlaylistPrompt, "expiresAt">,
): Promise<void> {
  const value: PlaylistPrompt = { ...prompt, expiresAt: Date.now() + PROMPT_TTL_MS };
  await kv.set(promptKey(userId), value, { expireIn: PROMPT_TTL_MS });
}

/** The pending prompt, removed as it is read (an answer is used once). */
export async function takePlaylistPrompt(
  kv: Deno.Kv,
  userId: number,
): Promise<PlaylistPrompt | null> {
  const entry = await kv.get<PlaylistPrompt>(promptKey(userId));
  if (!entry.value) return null;
  const taken = await kv.atomic().check(entry).delete(entry.key).commit();
  return taken.ok && entry.value.expiresAt > Date.now() ? entry.value : null;
}
