/**
 * Every button's callback data: one table of kinds, each with its fields, from which `buildCallback`
 * writes the data and `parseCallback` reads it back. The formats are those buttons already sent
 * carry, so messages users still have keep working. Telegram allows 64 bytes of data.
 *
 * A kind is `prefix[:field…][:optional field…][:suffix]`; fields never contain ":".
 */
import { ID_PATTERN } from "../lib/ids.ts";
import { TOKEN_LENGTH, TOKEN_PATTERN } from "../lib/tokens.ts";
import { AUDIO_FORMATS, VARIANTS } from "../media/media_types.ts";

/** Telegram's limit on callback data, in bytes. */
export const CALLBACK_DATA_MAX_BYTES = 64;

/** How a field's value is written into callback data and read back. */
export interface Field<T> {
  /** a RegExp source without capturing groups, matching every text the field accepts */
  readonly pattern: string;
  /** the longest text the bot writes for it (the 64-byte check is made with these) */
  readonly longest: string;
  encode(value: T): string;
  decode(text: string): T;
}

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");

/** One of our ids (a ULID). */
const id: Field<string> = {
  pattern: ID_PATTERN,
  longest: "Z".repeat(26),
  encode: (value) => value,
  decode: (text) => text,
};

/** A share token; the bot writes only its own (randomToken's), though longer ones are read. */
const token: Field<string> = {
  pattern: TOKEN_PATTERN,
  longest: "x".repeat(TOKEN_LENGTH),
  encode: (value) => value,
  decode: (text) => text,
};

/** A whole number of at most `digits` digits. */
function count(digits: number): Field<number> {
  return {
    pattern: `\\d{1,${digits}}`,
    longest: "9".repeat(digits),
    encode: (value) => String(value),
    decode: Number,
  };
}

/** One value of a small set, written as itself. */
function oneOf<const V extends string>(values: readonly V[]): Field<V> {
  return {
    pattern: values.map(escaped).join("|"),
    longest: values.reduce((a, b) => (b.length > a.length ? b : a)),
    encode: (value) => value,
    decode: (text) => text as V,
  };
}

/** One value of a small set, each written as its short code. */
function coded<const V extends string>(codes: Readonly<Record<V, string>>): Field<V> {
  const byCode = new Map(
    (Object.entries(codes) as [V, string][]).map(([value, code]) => [code, value]),
  );
  return {
    // the longer codes first, so that "t" never stops a match short of "tc"
    pattern: [...byCode.keys()].sort((a, b) => b.length - a.length).map(escaped).join("|"),
    longest: [...byCode.keys()].reduce((a, b) => (b.length > a.length ? b : a)),
    encode: (value) => codes[value],
    decode: (text) => byCode.get(text)!,
  };
}

/** "1" or "0". */
const flag: Field<boolean> = {
  pattern: "0|1",
  longest: "1",
  encode: (value) => (value ? "1" : "0"),
  decode: (text) => text === "1",
};

/** A word of at most `maxLength` characters (a plan's id). */
function word(maxLength: number): Field<string> {
  return {
    pattern: `\\w{1,${maxLength}}`,
    longest: "w".repeat(maxLength),
    encode: (value) => value,
    decode: (text) => text,
  };
}

/** An IANA zone name ("America/Argentina/ComodRivadavia", "Etc/GMT+10"). */
const timezone: Field<string> = {
  pattern: "[\\w/+-]{1,50}",
  longest: "z".repeat(50),
  encode: (value) => value,
  decode: (text) => text,
};

/** A playlist's id, or "new" for a playlist made for the occasion. */
const playlistOrNew: Field<string> = {
  pattern: `${ID_PATTERN}|new`,
  longest: id.longest,
  encode: (value) => value,
  decode: (text) => text,
};

/** The history's filters, one letter each. */
export const HISTORY_FILTER_CODES = {
  all: "a",
  video: "v",
  audio: "u",
  photo: "i",
  document: "d",
} as const;

interface Kind {
  readonly prefix: string;
  readonly fields?: Readonly<Record<string, Field<unknown>>>;
  /** trailing fields that may be left out, each only when those after it are */
  readonly optional?: Readonly<Record<string, Field<unknown>>>;
  readonly suffix?: string;
}

/** The kinds of buttons, one a line. */
export const CALLBACK_KINDS = {
  // the menu and its screens
  menuMain: { prefix: "menu:main" },
  menuDownload: { prefix: "menu:download" },
  menuHistory: { prefix: "menu:history" },
  menuPlaylists: { prefix: "menu:playlists" },
  menuStats: { prefix: "menu:stats" },
  menuRecommend: { prefix: "menu:recommend" },
  menuPremium: { prefix: "menu:premium" },
  menuSettings: { prefix: "menu:settings" },
  menuProfile: { prefix: "menu:profile" },
  menuHelp: { prefix: "menu:help" },
  menuNews: { prefix: "menu:news" },
  menuAdmin: { prefix: "menu:admin" },
  // a preview
  download: { prefix: "dl", fields: { previewId: id, variant: oneOf(VARIANTS) } },
  previewClose: { prefix: "pv", fields: { previewId: id }, suffix: "close" },
  compressOpen: { prefix: "cz", fields: { previewId: id } },
  translateTitle: { prefix: "tt", fields: { previewId: id } },
  playlistAdd: { prefix: "pa", fields: { previewId: id }, optional: { target: playlistOrNew } },
  batchList: { prefix: "px", fields: { previewId: id } },
  recordLive: { prefix: "rc", fields: { previewId: id, minutes: count(4) } },
  // a status message
  jobCancel: { prefix: "cx" },
  recordStop: { prefix: "rs" },
  // "Download all N?" after a playlist link was listed
  batchStart: { prefix: "bx", fields: { jobId: id } },
  batchDecline: { prefix: "bx", fields: { jobId: id }, suffix: "x" },
  // schedules
  scheduleCancel: {
    prefix: "sc",
    fields: { from: coded({ confirmation: "x", list: "l" }), scheduleId: id },
  },
  // history and recommendations
  historyPage: {
    prefix: "hp",
    fields: { filter: coded(HISTORY_FILTER_CODES) },
    optional: { from: id },
  },
  historySend: { prefix: "hd", fields: { entryId: id } },
  historyRemove: {
    prefix: "hr",
    fields: { filter: coded(HISTORY_FILTER_CODES), entryId: id },
    optional: { from: id },
  },
  recommendationSend: { prefix: "rd", fields: { listId: id, index: count(2) } },
  // subtitles
  subtitleTracks: { prefix: "sl", fields: { choiceId: id } },
  subtitleTrack: { prefix: "sb", fields: { choiceId: id, track: count(3) } },
  subtitleOutput: {
    prefix: "so",
    fields: {
      choiceId: id,
      track: count(3),
      output: coded({ srt: "s", translated: "t", soft: "v", burned: "b" }),
    },
  },
  // settings
  settingLanguage: { prefix: "set:lang", fields: { language: oneOf(["en", "fr"]) } },
  settingQuality: { prefix: "set:q", fields: { quality: oneOf(["ask", ...VARIANTS]) } },
  settingPreferAudio: { prefix: "set:audio", fields: { on: flag } },
  settingAudioFormat: { prefix: "set:af", fields: { format: oneOf(AUDIO_FORMATS) } },
  settingSendAs: { prefix: "set:send", fields: { sendAs: oneOf(["video", "file"]) } },
  settingDataSaver: { prefix: "set:saver", fields: { on: flag } },
  settingNotifications: { prefix: "set:notif", fields: { on: flag } },
  settingTimezones: { prefix: "set:tzs" },
  settingTimezone: { prefix: "set:tz", fields: { timezone } },
  settingsBack: { prefix: "menu:settings-back" },
  // admins' cookies
  cookieRemove: { prefix: "ck:rm", fields: { setId: id } },
  // premium, XP
  premiumBuy: { prefix: "buy", fields: { planId: word(32) } },
  gamificationTop: { prefix: "gm:top" },
  gamificationAchievements: { prefix: "gm:achievements" },
  // playlists, opened as a collaborator (pl), through a share link (ps), an item, a member
  playlistList: { prefix: "pl:ls" },
  playlistOpen: {
    prefix: "pl:o",
    fields: { playlistId: id },
    optional: { page: count(3), start: id },
  },
  sharedOpen: { prefix: "ps:o", fields: { token, page: count(3) }, optional: { start: id } },
  playlistDownload: { prefix: "pl:dl", fields: { playlistId: id } },
  sharedDownload: { prefix: "ps:dl", fields: { token } },
  sharedCopy: { prefix: "ps:cp", fields: { token } },
  playlistShare: { prefix: "pl:sh", fields: { playlistId: id } },
  playlistRevoke: { prefix: "pl:rv", fields: { playlistId: id } },
  playlistInvite: { prefix: "pl:in", fields: { playlistId: id } },
  playlistInviteAs: {
    prefix: "pl:iv",
    fields: { playlistId: id, role: oneOf(["view", "edit", "admin"]) },
  },
  playlistMembers: { prefix: "pl:mb", fields: { playlistId: id } },
  playlistAsk: {
    prefix: "pl",
    fields: { question: coded({ rename: "rn", describe: "ds" }), playlistId: id },
  },
  playlistDelete: { prefix: "pl:rm", fields: { playlistId: id } },
  playlistDeleteConfirmed: { prefix: "pl:rmok", fields: { playlistId: id } },
  playlistLeave: { prefix: "pl:lv", fields: { playlistId: id } },
  // the playlist a /playlist command without one acts on, or a page of the question
  playlistChoose: { prefix: "pc", fields: { choiceId: id, playlistId: id } },
  playlistChoicePage: { prefix: "pc", fields: { choiceId: id, page: count(2) } },
  playlistItem: {
    prefix: "pi",
    fields: {
      action: coded({ open: "o", up: "u", down: "d", remove: "x" }),
      playlistId: id,
      itemId: id,
    },
    optional: { index: count(3) },
  },
  playlistMember: {
    prefix: "pm",
    fields: {
      action: coded({ remove: "x", transfer: "t", transferConfirmed: "tc" }),
      playlistId: id,
      userId: count(15),
    },
  },
} as const satisfies Record<string, Kind>;

export type CallbackKind = keyof typeof CALLBACK_KINDS;

type ValuesOf<F> = { -readonly [N in keyof F]: F[N] extends Field<infer T> ? T : never };
type FieldsOf<K extends CallbackKind> = (typeof CALLBACK_KINDS)[K] extends { fields: infer F }
  ? ValuesOf<F>
  : Record<never, never>;
type OptionalOf<K extends CallbackKind> = (typeof CALLBACK_KINDS)[K] extends { optional: infer F }
  ? Partial<ValuesOf<F>>
  : Record<never, never>;

/** The fields of one kind's data. */
export type CallbackFields<K extends CallbackKind> = FieldsOf<K> & OptionalOf<K>;

/** Parsed callback data: its kind and that kind's fields. */
export type Callback = { [K in CallbackKind]: { kind: K } & CallbackFields<K> }[CallbackKind];

const kindOf = (kind: CallbackKind): Kind => CALLBACK_KINDS[kind];

/** Each kind's pattern, anchored, with a capturing group per field in order. */
const patterns = new Map(
  (Object.keys(CALLBACK_KINDS) as CallbackKind[]).map((kind) => {
    const { prefix, fields = {}, optional = {}, suffix } = kindOf(kind);
    const required = Object.values(fields).map((field) => `:(${field.pattern})`).join("");
    const optionals = Object.values(optional).reduceRight(
      (inner, field) => `(?::(${field.pattern})${inner})?`,
      "",
    );
    const end = suffix === undefined ? "" : `:${escaped(suffix)}`;
    return [kind, new RegExp(`^${escaped(prefix)}${required}${optionals}${end}$`)];
  }),
);

/** The pattern a handler of `kind` waits for (grammY's callbackQuery trigger). */
export function callbackPattern(kind: CallbackKind): RegExp {
  return patterns.get(kind)!;
}

/** A kind's fields from a match of its pattern. */
export function callbackFields<K extends CallbackKind>(
  kind: K,
  match: RegExpMatchArray,
): CallbackFields<K> {
  const { fields = {}, optional = {} } = kindOf(kind);
  const values: Record<string, unknown> = {};
  Object.entries({ ...fields, ...optional }).forEach(([name, field], i) => {
    const text = match[i + 1];
    if (text !== undefined) values[name] = field.decode(text);
  });
  return values as CallbackFields<K>;
}

/** The kind and fields of callback data, or undefined when no kind has that shape. */
export function parseCallback(data: string): Callback | undefined {
  for (const [kind, pattern] of patterns) {
    const match = data.match(pattern);
    if (match) return { kind, ...callbackFields(kind, match) } as Callback;
  }
  return undefined;
}

/** The data of a button of `kind`; throws on a value its field does not accept or over 64 bytes. */
export function buildCallback<K extends CallbackKind>(
  kind: K,
  ...[values]: keyof CallbackFields<K> extends never ? [] : [CallbackFields<K>]
): string {
  const { prefix, fields = {}, optional = {}, suffix } = kindOf(kind);
  const given = (values ?? {}) as Record<string, unknown>;
  const parts = [prefix];
  for (const [name, field] of Object.entries(fields)) parts.push(field.encode(given[name]));
  for (const [name, field] of Object.entries(optional)) {
    if (given[name] === undefined) break;
    parts.push(field.encode(given[name]));
  }
  if (suffix !== undefined) parts.push(suffix);
  const data = parts.join(":");
  if (!patterns.get(kind)!.test(data)) throw new Error(`not ${kind} callback data: ${data}`);
  // every pattern is ASCII: characters are bytes
  if (data.length > CALLBACK_DATA_MAX_BYTES) {
    throw new Error(`${kind} callback data over ${CALLBACK_DATA_MAX_BYTES} bytes: ${data}`);
  }
  return data;
}

/** The longest data the bot writes for `kind`, with each field at its longest. */
export function longestCallback(kind: CallbackKind): string {
  const { prefix, fields = {}, optional = {}, suffix } = kindOf(kind);
  return [
    prefix,
    ...[...Object.values(fields), ...Object.values(optional)].map((field) => field.longest),
    ...(suffix === undefined ? [] : [suffix]),
  ].join(":");
}
