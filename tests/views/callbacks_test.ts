import { assert, assertEquals, assertThrows } from "../support/assert.ts";
import {
  buildCallback,
  type Callback,
  CALLBACK_DATA_MAX_BYTES,
  CALLBACK_KINDS,
  type CallbackKind,
  longestCallback,
  parseCallback,
} from "../../views/callbacks.ts";

const P = "01JD5Y8W7X9ABCDEFGHJKMNPQR"; // a playlist, preview, job… id
const I = "01JD5Y8W7X9ZZZZZZZZZZZZZZZ"; // a second id
const TOKEN = "a1B2c3D4e5F6g7H8i9_-xy";

/** Data as the bot wrote it before the registry, and what it means. */
const TODAYS_DATA: [string, Callback][] = [
  ["menu:main", { kind: "menuMain" }],
  ["menu:download", { kind: "menuDownload" }],
  ["menu:history", { kind: "menuHistory" }],
  ["menu:playlists", { kind: "menuPlaylists" }],
  ["menu:stats", { kind: "menuStats" }],
  ["menu:recommend", { kind: "menuRecommend" }],
  ["menu:premium", { kind: "menuPremium" }],
  ["menu:settings", { kind: "menuSettings" }],
  ["menu:profile", { kind: "menuProfile" }],
  ["menu:help", { kind: "menuHelp" }],
  ["menu:news", { kind: "menuNews" }],
  ["menu:admin", { kind: "menuAdmin" }],
  ["menu:settings-back", { kind: "settingsBack" }],
  [`dl:${P}:720`, { kind: "download", previewId: P, variant: "720" }],
  [`dl:${P}:audio`, { kind: "download", previewId: P, variant: "audio" }],
  [`dl:${P}:c_medium`, { kind: "download", previewId: P, variant: "c_medium" }],
  [`dl:${P}:split`, { kind: "download", previewId: P, variant: "split" }],
  [`dl:${P}:audio_mp3_320`, { kind: "download", previewId: P, variant: "audio_mp3_320" }],
  [`pv:${P}:close`, { kind: "previewClose", previewId: P }],
  [`cz:${P}`, { kind: "compressOpen", previewId: P }],
  [`tt:${P}`, { kind: "translateTitle", previewId: P }],
  [`pa:${P}`, { kind: "playlistAdd", previewId: P }],
  [`pa:${P}:${I}`, { kind: "playlistAdd", previewId: P, target: I }],
  [`pa:${P}:new`, { kind: "playlistAdd", previewId: P, target: "new" }],
  [`px:${P}`, { kind: "batchList", previewId: P }],
  [`rc:${P}:15`, { kind: "recordLive", previewId: P, minutes: 15 }],
  ["cx", { kind: "jobCancel" }],
  ["rs", { kind: "recordStop" }],
  [`bx:${P}`, { kind: "batchStart", jobId: P }],
  [`bx:${P}:x`, { kind: "batchDecline", jobId: P }],
  [`sc:x:${P}`, { kind: "scheduleCancel", from: "confirmation", scheduleId: P }],
  [`sc:l:${P}`, { kind: "scheduleCancel", from: "list", scheduleId: P }],
  ["hp:a", { kind: "historyPage", filter: "all" }],
  [`hp:u:${P}`, { kind: "historyPage", filter: "audio", from: P }],
  ["hp:i", { kind: "historyPage", filter: "photo" }],
  [`hd:${P}`, { kind: "historySend", entryId: P }],
  [`hr:v:${P}`, { kind: "historyRemove", filter: "video", entryId: P }],
  [`hr:d:${P}:${I}`, { kind: "historyRemove", filter: "document", entryId: P, from: I }],
  [`rd:${P}:5`, { kind: "recommendationSend", listId: P, index: 5 }],
  [`sl:${P}`, { kind: "subtitleTracks", choiceId: P }],
  [`sb:${P}:12`, { kind: "subtitleTrack", choiceId: P, track: 12 }],
  [`so:${P}:3:s`, { kind: "subtitleOutput", choiceId: P, track: 3, output: "srt" }],
  [`so:${P}:3:t`, { kind: "subtitleOutput", choiceId: P, track: 3, output: "translated" }],
  [`so:${P}:0:v`, { kind: "subtitleOutput", choiceId: P, track: 0, output: "soft" }],
  [`so:${P}:0:b`, { kind: "subtitleOutput", choiceId: P, track: 0, output: "burned" }],
  ["set:lang:fr", { kind: "settingLanguage", language: "fr" }],
  ["set:q:ask", { kind: "settingQuality", quality: "ask" }],
  ["set:q:1080", { kind: "settingQuality", quality: "1080" }],
  ["set:audio:1", { kind: "settingPreferAudio", on: true }],
  ["set:af:mp3_128", { kind: "settingAudioFormat", format: "mp3_128" }],
  ["set:af:m4a", { kind: "settingAudioFormat", format: "m4a" }],
  ["set:send:file", { kind: "settingSendAs", sendAs: "file" }],
  ["set:saver:0", { kind: "settingDataSaver", on: false }],
  ["set:notif:1", { kind: "settingNotifications", on: true }],
  ["set:tzs", { kind: "settingTimezones" }],
  ["set:tz:America/Los_Angeles", { kind: "settingTimezone", timezone: "America/Los_Angeles" }],
  ["buy:quarter", { kind: "premiumBuy", planId: "quarter" }],
  ["gm:top", { kind: "gamificationTop" }],
  ["gm:achievements", { kind: "gamificationAchievements" }],
  ["pl:ls", { kind: "playlistList" }],
  [`pl:o:${P}`, { kind: "playlistOpen", playlistId: P }],
  [`pl:o:${P}:0`, { kind: "playlistOpen", playlistId: P, page: 0 }],
  [`pl:o:${P}:3:${I}`, { kind: "playlistOpen", playlistId: P, page: 3, start: I }],
  [`ps:o:${TOKEN}:0`, { kind: "sharedOpen", token: TOKEN, page: 0 }],
  [`ps:o:${TOKEN}:2:${I}`, { kind: "sharedOpen", token: TOKEN, page: 2, start: I }],
  [`pl:dl:${P}`, { kind: "playlistDownload", playlistId: P }],
  [`ps:dl:${TOKEN}`, { kind: "sharedDownload", token: TOKEN }],
  [`ps:cp:${TOKEN}`, { kind: "sharedCopy", token: TOKEN }],
  [`pl:sh:${P}`, { kind: "playlistShare", playlistId: P }],
  [`pl:rv:${P}`, { kind: "playlistRevoke", playlistId: P }],
  [`pl:in:${P}`, { kind: "playlistInvite", playlistId: P }],
  [`pl:iv:${P}:edit`, { kind: "playlistInviteAs", playlistId: P, role: "edit" }],
  [`pl:mb:${P}`, { kind: "playlistMembers", playlistId: P }],
  [`pl:rn:${P}`, { kind: "playlistAsk", question: "rename", playlistId: P }],
  [`pl:ds:${P}`, { kind: "playlistAsk", question: "describe", playlistId: P }],
  [`pl:rm:${P}`, { kind: "playlistDelete", playlistId: P }],
  [`pl:rmok:${P}`, { kind: "playlistDeleteConfirmed", playlistId: P }],
  [`pl:lv:${P}`, { kind: "playlistLeave", playlistId: P }],
  [`ck:rm:${P}`, { kind: "cookieRemove", setId: P }],
  [`pc:${P}:${I}`, { kind: "playlistChoose", choiceId: P, playlistId: I }],
  [`pc:${P}:3`, { kind: "playlistChoicePage", choiceId: P, page: 3 }],
  [`pi:o:${P}:${I}:14`, {
    kind: "playlistItem",
    action: "open",
    playlistId: P,
    itemId: I,
    index: 14,
  }],
  [`pi:u:${P}:${I}:3`, { kind: "playlistItem", action: "up", playlistId: P, itemId: I, index: 3 }],
  [`pi:d:${P}:${I}:0`, {
    kind: "playlistItem",
    action: "down",
    playlistId: P,
    itemId: I,
    index: 0,
  }],
  [`pi:x:${P}:${I}`, { kind: "playlistItem", action: "remove", playlistId: P, itemId: I }],
  [`pm:x:${P}:42`, { kind: "playlistMember", action: "remove", playlistId: P, userId: 42 }],
  [`pm:t:${P}:42`, { kind: "playlistMember", action: "transfer", playlistId: P, userId: 42 }],
  [
    `pm:tc:${P}:123456789012345`,
    { kind: "playlistMember", action: "transferConfirmed", playlistId: P, userId: 123456789012345 },
  ],
];

Deno.test("[views/callbacks] the data buttons already carry parses to the same kinds and fields", () => {
  for (const [data, expected] of TODAYS_DATA) assertEquals(parseCallback(data), expected, data);
});

Deno.test("[views/callbacks] building from the parsed fields gives the data back, byte for byte", () => {
  for (const [data, parsed] of TODAYS_DATA) {
    const { kind, ...fields } = parsed;
    const build = buildCallback as (kind: CallbackKind, fields?: object) => string;
    assertEquals(build(kind, fields), data);
  }
});

Deno.test("[views/callbacks] every kind is listed above, so no format goes untested", () => {
  const listed = new Set(TODAYS_DATA.map(([, parsed]) => parsed.kind));
  const missing = Object.keys(CALLBACK_KINDS).filter((kind) => !listed.has(kind as CallbackKind));
  assertEquals(missing, []);
});

Deno.test("[views/callbacks] every kind at its longest fits in 64 bytes and reads back as itself", () => {
  for (const kind of Object.keys(CALLBACK_KINDS) as CallbackKind[]) {
    const data = longestCallback(kind);
    const bytes = new TextEncoder().encode(data).length;
    assert(bytes <= CALLBACK_DATA_MAX_BYTES, `${kind}: ${bytes} bytes (${data})`);
    assertEquals(parseCallback(data)?.kind, kind, data);
  }
});

Deno.test("[views/callbacks] forged or foreign data parses to nothing", () => {
  const forged = [
    "",
    "dl:AAAAAAAAAAAAAAAAAAAAAAAAA:best", // 25 characters
    "dl:../../../../etc/passwd:best",
    `dl:${P}:-o`,
    `dl:${P}:best:extra`,
    "set:tz:../../etc/passwd x",
    "set:lang:de",
    "set:q:--exec",
    "set:audio:2",
    "set:af:mp3_256",
    `pl:o:${P}:1000`,
    `pm:y:${P}:1`,
    `sb:${P}:1234`,
    `ps:o:short:0`,
    "x".repeat(64),
  ];
  for (const data of forged) assertEquals(parseCallback(data), undefined, data);
});

Deno.test("[views/callbacks] building refuses values a kind does not take", () => {
  assertThrows(() => buildCallback("historySend", { entryId: "not-an-id" }));
  assertThrows(() => buildCallback("settingTimezone", { timezone: "Europe/Paris:x" }));
  assertThrows(() => buildCallback("recommendationSend", { listId: P, index: 100 }));
  // a share token longer than ours would take ps:o past 64 bytes
  assertThrows(() => buildCallback("sharedOpen", { token: "t".repeat(40), page: 9, start: I }));
});
