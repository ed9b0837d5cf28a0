/**
 * KV keys hold at most 2 KiB, and a write or read with a longer one throws. Strings that come
 * from outside (yt-dlp ids, tags, creators, labels, user text) go into keys through
 * boundedKeyPart, so no input can make a key too large.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/** The longest string kept as it is, in UTF-8 bytes: several fit in one key with room to spare. */
export const KEY_PART_MAX_BYTES = 200;

/** Marks a hashed part; a kept string never starts with it, so the two can never collide. */
const HASHED_PREFIX = "#sha256:";

const encoder = new TextEncoder();

/** The string itself when it is short, otherwise `#sha256:` and the hex SHA-256 of it. */
export function boundedKeyPart(text: string): string {
  const short = text.length * 3 <= KEY_PART_MAX_BYTES ||
    encoder.encode(text).length <= KEY_PART_MAX_BYTES;
  if (short && !text.startsWith(HASHED_PREFIX)) return text;
  return HASHED_PREFIX + bytesToHex(sha256(encoder.encode(text)));
}
