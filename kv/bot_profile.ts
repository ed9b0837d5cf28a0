/**
 * What the bot last registered with Telegram (descriptions…), as a hash per kind: Telegram keeps
 * what it is given, so an app that starts again sets nothing that did not change.
 */
function registeredKey(kind: string) {
  return ["bot_registered", kind] as const;
}

export async function getRegisteredHash(kv: Deno.Kv, kind: string): Promise<string | null> {
  return (await kv.get<string>(registeredKey(kind))).value;
}

export async function saveRegisteredHash(kv: Deno.Kv, kind: string, hash: string): Promise<void> {
  await kv.set(registeredKey(kind), hash);
}
