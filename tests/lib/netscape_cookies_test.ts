import { assert, assertEquals } from "../support/assert.ts";
import {
  cookieDomainMatches,
  cookieDomainsFor,
  cookieValues,
  readCookieFile,
} from "../../lib/netscape_cookies.ts";

const NOW = Date.UTC(2026, 11, 1);
const NEXT_YEAR = Math.floor(Date.UTC(2027, 5, 1) / 1000);
const LAST_YEAR = Math.floor(Date.UTC(2025, 5, 1) / 1000);

/** As "Get cookies.txt LOCALLY" exports a signed-in YouTube tab, shortened. */
const EXPORT = [
  "# Netscape HTTP Cookie File",
  "# http://curl.haxx.se/rfc/cookie_spec.html",
  "# This is a generated file!  Do not edit.",
  "",
  `.youtube.com\tTRUE\t/\tTRUE\t${NEXT_YEAR}\t__Secure-3PSID\tg.a000-secret-session-value`,
  `#HttpOnly_.youtube.com\tTRUE\t/\tTRUE\t${NEXT_YEAR + 86_400}\tLOGIN_INFO\tAFmmF2swRQIh-login`,
  `www.youtube.com\tFALSE\t/\tFALSE\t0\tPREF\tf6=40000000&tz=Europe.Paris`,
  `.youtube.com\tTRUE\t/\tTRUE\t${LAST_YEAR}\tOLD\tstale-value`,
  "",
].join("\r\n");

Deno.test("[lib/netscape_cookies] a browser's export is read: its domains, its first expiry, expired cookies left out, the text yt-dlp wants", () => {
  const read = readCookieFile(EXPORT, NOW);
  assert(read.ok, JSON.stringify(read));
  const { file } = read;
  assertEquals(file.cookies.map((c) => c.name), ["__Secure-3PSID", "LOGIN_INFO", "PREF"]);
  assertEquals(file.expiredDropped, 1);
  assertEquals(file.domains, [
    { domain: "youtube.com", subdomains: true },
    { domain: "www.youtube.com", subdomains: false },
  ]);
  assertEquals(file.earliestExpiry, NEXT_YEAR * 1000);
  assertEquals(file.cookies[1].httpOnly, true);
  const lines = file.text.split("\n");
  assertEquals(lines[0], "# Netscape HTTP Cookie File", "yt-dlp refuses a file without it");
  assertEquals(
    lines[2],
    `#HttpOnly_.youtube.com\tTRUE\t/\tTRUE\t${NEXT_YEAR + 86_400}\tLOGIN_INFO\tAFmmF2swRQIh-login`,
  );
  assertEquals(lines[3], "www.youtube.com\tFALSE\t/\tFALSE\t0\tPREF\tf6=40000000&tz=Europe.Paris");
  assert(!file.text.includes("stale-value"));
});

Deno.test("[lib/netscape_cookies] a file without the header, or with session cookies only, is accepted", () => {
  const read = readCookieFile("127.0.0.1\tFALSE\t/\tFALSE\t0\tlab_session\tabc123\n", NOW);
  assert(read.ok);
  assertEquals(read.file.earliestExpiry, undefined);
  assertEquals(read.file.domains, [{ domain: "127.0.0.1", subdomains: false }]);
  assert(read.file.text.startsWith("# Netscape HTTP Cookie File\n127.0.0.1\tFALSE\t"));
});

Deno.test("[lib/netscape_cookies] what is not a cookies file is refused, saying which line", () => {
  const cases: [string, unknown][] = [
    ["", { kind: "empty" }],
    ["# Netscape HTTP Cookie File\n# nothing else\n", { kind: "empty" }],
    ["https://example.com/a\nhttps://example.com/b\n", { kind: "bad_line", line: 1 }],
    [`# c\n.a.com\tTRUE\t/\tTRUE\t${NEXT_YEAR}\tn\tv\n.a.com TRUE / TRUE 0 n v\n`, {
      kind: "bad_line",
      line: 3,
    }],
    [`.a.com\tMAYBE\t/\tTRUE\t0\tn\tv\n`, { kind: "bad_line", line: 1 }],
    [`.a.com\tTRUE\t/\tTRUE\tsoon\tn\tv\n`, { kind: "bad_line", line: 1 }],
    [`.a.com\tTRUE\t/\tTRUE\t0\t\tv\n`, { kind: "bad_line", line: 1 }],
    [`.com\tTRUE\t/\tTRUE\t0\tn\tv\n`, { kind: "bad_domain", line: 1 }],
    [`localhost\tFALSE\t/\tFALSE\t0\tn\tv\n`, { kind: "bad_domain", line: 1 }],
    [`.a.com\tTRUE\t/\tTRUE\t${LAST_YEAR}\tn\tv\n`, { kind: "all_expired" }],
  ];
  for (const [text, problem] of cases) {
    const read = readCookieFile(text, NOW);
    assertEquals(read.ok ? "accepted" : read.problem, problem, JSON.stringify(text));
  }
});

Deno.test("[lib/netscape_cookies] a host gets a domain's cookies the way browsers send them: the domain and its subdomains, nothing else", () => {
  const youtube = { domain: "youtube.com", subdomains: true };
  for (const host of ["youtube.com", "www.youtube.com", "m.youtube.com", "a.b.youtube.com"]) {
    assert(cookieDomainMatches(host, youtube), host);
  }
  for (const host of ["evil-youtube.com", "youtube.com.evil.net", "notyoutube.com", "com"]) {
    assert(!cookieDomainMatches(host, youtube), host);
  }
  const hostOnly = { domain: "www.youtube.com", subdomains: false };
  assert(cookieDomainMatches("www.youtube.com", hostOnly));
  assert(!cookieDomainMatches("m.www.youtube.com", hostOnly));
  assert(!cookieDomainMatches("youtube.com", hostOnly));

  assertEquals(cookieDomainsFor("a.b.youtube.com"), [
    "a.b.youtube.com",
    "b.youtube.com",
    "youtube.com",
  ]);
  assertEquals(cookieDomainsFor("127.0.0.1"), ["127.0.0.1"]);
});

Deno.test("[lib/netscape_cookies] the values to keep out of every message are the cookies' values, short common words aside", () => {
  const read = readCookieFile(EXPORT, NOW);
  assert(read.ok);
  assertEquals(cookieValues(read.file.text), [
    "g.a000-secret-session-value",
    "AFmmF2swRQIh-login",
    "f6=40000000&tz=Europe.Paris",
  ]);
  assertEquals(cookieValues("a.com\tFALSE\t/\tFALSE\t0\tconsent\tyes\n"), []);
});
