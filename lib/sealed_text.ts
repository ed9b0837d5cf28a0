/**
 * Text sealed with AES-256-GCM (WebCrypto): a random 96-bit IV per sealing, and the record's id as
 * additional data, so a ciphertext copied onto another record does not open there.
 */

export interface SealedText {
  iv: Uint8Array<ArrayBuffer>;
  ciphertext: Uint8Array<ArrayBuffer>;
}

const IV_BYTES = 12;

/** The key from its base64 form (32 random bytes, e.g. `openssl rand -base64 32`). */
export function importSealingKey(base64: string): Promise<CryptoKey> {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  if (bytes.length !== 32) throw new RangeError("a sealing key is 32 bytes");
  return crypto.subtle.importKey("raw", bytes, "AES-GCM", false, ["encrypt", "decrypt"]);
}

export async function sealText(key: CryptoKey, text: string, context: string): Promise<SealedText> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
    key,
    new TextEncoder().encode(text),
  );
  return { iv, ciphertext: new Uint8Array(ciphertext) };
}

/** The text; throws when the key, the context or the bytes are not the ones it was sealed with. */
export async function openSealedText(
  key: CryptoKey,
  sealed: SealedText,
  context: string,
): Promise<string> {
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: sealed.iv, additionalData: new TextEncoder().encode(context) },
    key,
    sealed.ciphertext,
  );
  return new TextDecoder().decode(plain);
}
