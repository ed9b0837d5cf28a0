/**
 * A loopback stand-in for YouTube, reached the way yt-dlp reaches the real one: through an HTTPS
 * proxy (a subprocess's `https_proxy`), which answers CONNECTs to www.youtube.com and
 * *.googlevideo.com with a TLS server of its own (a self-signed certificate made by openssl at
 * start: yt-dlp needs `--no-check-certificates`). Nothing here reaches the real YouTube.
 *
 * It serves what yt-dlp's YouTube extractor asks for (2026.x: the watch page, the player API for
 * its default clients, the player script) in the shape its code reads. The video's one format has
 * both challenges YouTube sets: a signature (`s`) and an `n` parameter. The player script holds
 * the code that solves them in the shape yt-dlp's challenge solver (yt-dlp-ejs) looks for, so only
 * a yt-dlp that runs that solver in a JavaScript runtime can download the video: the media answers
 * 403 unless both answers are right, as YouTube's servers do.
 *
 *   await using youtube = await startFakeYoutube({ mediaFile: `${lab.fixtureDir}/clip360.mp4` });
 *   const release = useEgressProxy(youtube.proxyUrl); // runYtdlp(... youtube.watchUrl ...)
 */

export const FAKE_YOUTUBE_VIDEO = {
  id: "lAbTube0001",
  title: "Loopback tube clip",
  durationSeconds: 6,
  height: 360,
  /** the `n` challenge and the signature the format comes with, and what the player makes of them */
  nChallenge: "lab-n-Challenge-42",
  signature: "AB.CDEF-ghij_klmn.opqr",
  solvedN: "24-egnellahC-n-bal",
  solvedSignature: "rqpo.nmlk_jihg-FEDC.BA",
} as const;

const PLAYER_ID = "0a1b2c3d";
const HOSTS = /^(www\.youtube\.com|[\w-]+\.googlevideo\.com):443$/;

export interface FakeYoutubeRequest {
  method: string;
  host: string;
  path: string;
  /** the innertube client a player API request was made as (TVHTML5, VISIONOS…) */
  client?: string;
}

export interface FakeYoutube extends AsyncDisposable {
  /** `http://127.0.0.1:<port>`: the proxy to give yt-dlp */
  readonly proxyUrl: string;
  readonly watchUrl: string;
  /** every request served over TLS, in order */
  readonly requests: FakeYoutubeRequest[];
  /** every CONNECT target asked of the proxy, refused ones included */
  readonly connects: string[];
  close(): Promise<void>;
}

/**
 * The player script: a URL helper whose body calls `.set("alr", "yes")` (what the solver looks
 * for), and a method that rewrites the `n` parameter and the signature (reversing them).
 */
const PLAYER_JS = `(function(g){
var LabUrl = function(base, param, signature) {
  this.params = new Map();
  if (signature !== undefined) this.params.set(param, signature);
};
LabUrl.prototype.solve = function() {
  var n = this.params.get("n");
  if (n) this.params.set("n", n.split("").reverse().join(""));
  var s = this.params.get("s");
  if (s) this.params.set("s", encodeURIComponent(decodeURIComponent(s).split("").reverse().join("")));
};
LabUrl.prototype.set = function(key, value) { this.params.set(key, value); };
LabUrl.prototype.get = function(key) { return this.params.get(key); };
LabUrl.prototype.clone = function() { return this; };
g.playerConfig = {signatureTimestamp: 20412};
g.makeUrl = function(base, param, signature) {
  var url = new LabUrl(base, param, signature);
  url.set("alr", "yes");
  return url;
};
}).call(this, {});
`;

function watchPage(): string {
  const ytcfg = {
    INNERTUBE_CONTEXT: { client: { clientName: "WEB", clientVersion: "2.20260708.00.00" } },
    INNERTUBE_CONTEXT_CLIENT_NAME: 1,
    INNERTUBE_CLIENT_VERSION: "2.20260708.00.00",
    PLAYER_JS_URL: `/s/player/${PLAYER_ID}/player_ias.vflset/en_US/base.js`,
    VISITOR_DATA: "bGFiLXZpc2l0b3I",
  };
  const initialData = { contents: { twoColumnWatchNextResults: { results: {} } } };
  return `<!doctype html><html><head><title>${FAKE_YOUTUBE_VIDEO.title} - YouTube</title></head>
<body><script>ytcfg.set(${JSON.stringify(ytcfg)});</script>
<script>var ytInitialData = ${JSON.stringify(initialData)};</script></body></html>`;
}

/** The TV client gets the format (with its challenges); the others none, as often happens. */
function playerResponse(client: string, size: number) {
  const video = FAKE_YOUTUBE_VIDEO;
  const mediaUrl =
    `https://rr1---sn-lab.googlevideo.com/videoplayback?itag=18&n=${video.nChallenge}`;
  const cipher = new URLSearchParams({ s: video.signature, sp: "sig", url: mediaUrl });
  return {
    playabilityStatus: { status: "OK" },
    videoDetails: {
      videoId: video.id,
      title: video.title,
      lengthSeconds: String(video.durationSeconds),
      author: "Media Lab",
      channelId: "UCmedialab",
      shortDescription: "A clip served on loopback",
      isLiveContent: false,
    },
    streamingData: client !== "TVHTML5" ? {} : {
      expiresInSeconds: "21540",
      formats: [{
        itag: 18,
        signatureCipher: cipher.toString(),
        mimeType: 'video/mp4; codecs="avc1.42001E, mp4a.40.2"',
        bitrate: 500_000,
        width: 640,
        height: video.height,
        contentLength: String(size),
        quality: "medium",
        qualityLabel: `${video.height}p`,
        fps: 25,
        audioQuality: "AUDIO_QUALITY_LOW",
        approxDurationMs: String(video.durationSeconds * 1000),
        audioSampleRate: "44100",
        audioChannels: 2,
      }],
    },
  };
}

async function makeCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const { success, stderr } = await new Deno.Command("openssl", {
    args: [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", `${dir}/key.pem`, "-out", `${dir}/cert.pem`, "-days", "2"],
      ...["-subj", "/CN=www.youtube.com"],
      ...["-addext", "subjectAltName=DNS:www.youtube.com,DNS:*.googlevideo.com"],
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!success) throw new Error(`openssl: ${new TextDecoder().decode(stderr)}`);
  return {
    cert: await Deno.readTextFile(`${dir}/cert.pem`),
    key: await Deno.readTextFile(`${dir}/key.pem`),
  };
}

export async function startFakeYoutube(
  options: { mediaFile: string },
): Promise<FakeYoutube> {
  const dir = await Deno.makeTempDir({ prefix: "fake-youtube-" });
  const media = await Deno.readFile(options.mediaFile);
  const requests: FakeYoutubeRequest[] = [];
  const connects: string[] = [];
  const video = FAKE_YOUTUBE_VIDEO;

  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const host = request.headers.get("host") ?? "";
    const body = request.method === "POST" ? await request.json().catch(() => ({})) : undefined;
    const client: string | undefined = body?.context?.client?.clientName;
    requests.push({ method: request.method, host, path: url.pathname + url.search, client });
    if (host.endsWith(".googlevideo.com") && url.pathname === "/videoplayback") {
      const solved = url.searchParams.get("n") === video.solvedN &&
        url.searchParams.get("sig") === video.solvedSignature;
      if (!solved) return new Response("challenge not solved", { status: 403 });
      return new Response(media, {
        headers: { "content-type": "video/mp4", "content-length": String(media.byteLength) },
      });
    }
    if (host !== "www.youtube.com") return new Response("not here", { status: 404 });
    if (url.pathname === "/watch" || url.pathname === "/tv") {
      return new Response(watchPage(), { headers: { "content-type": "text/html" } });
    }
    if (url.pathname.startsWith(`/s/player/${PLAYER_ID}/`)) {
      return new Response(PLAYER_JS, { headers: { "content-type": "text/javascript" } });
    }
    if (url.pathname === "/youtubei/v1/player") {
      return Response.json(playerResponse(client ?? "", media.byteLength));
    }
    if (url.pathname === "/youtubei/v1/next") {
      return Response.json({ contents: { twoColumnWatchNextResults: { results: {} } } });
    }
    return new Response("not here", { status: 404 });
  };

  const tls = Deno.serve(
    { hostname: "127.0.0.1", port: 0, ...(await makeCertificate(dir)), onListen: () => {} },
    handle,
  );
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const tunnels = new Set<Promise<void>>();
  const tunnel = async (conn: Deno.Conn) => {
    try {
      const target = await readConnectTarget(conn);
      if (target) connects.push(target);
      if (!target || !HOSTS.test(target)) {
        await conn.write(new TextEncoder().encode("HTTP/1.1 403 Forbidden\r\n\r\n"));
        return;
      }
      await conn.write(new TextEncoder().encode("HTTP/1.1 200 Connection established\r\n\r\n"));
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: tls.addr.port });
      await Promise.all([
        conn.readable.pipeTo(upstream.writable).catch(() => {}),
        upstream.readable.pipeTo(conn.writable).catch(() => {}),
      ]);
    } catch {
      // the client went away
    } finally {
      try {
        conn.close();
      } catch {
        // closed by a pipe already
      }
    }
  };
  const accepting = (async () => {
    for await (const conn of listener) {
      const done = tunnel(conn);
      tunnels.add(done);
      done.finally(() => tunnels.delete(done));
    }
  })();

  const close = async () => {
    listener.close();
    await accepting.catch(() => {});
    await Promise.all(tunnels);
    await tls.shutdown();
    await Deno.remove(dir, { recursive: true });
  };
  const { port } = listener.addr as Deno.NetAddr;
  return {
    proxyUrl: `http://127.0.0.1:${port}`,
    watchUrl: `https://www.youtube.com/watch?v=${video.id}`,
    requests,
    connects,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** "CONNECT host:port HTTP/1.1" and its headers; the target, or undefined for anything else. */
async function readConnectTarget(conn: Deno.Conn): Promise<string | undefined> {
  const buffer = new Uint8Array(8192);
  let head = "";
  while (!head.includes("\r\n\r\n")) {
    const read = await conn.read(buffer);
    if (read === null || head.length > 16_384) return undefined;
    head += new TextDecoder().decode(buffer.subarray(0, read));
  }
  const match = /^CONNECT (\S+) HTTP\/1\.[01]\r\n/.exec(head);
  return match?.[1];
}
