/**
 * A browser's side of the web pages: it keeps the cookies the app sets (by name, as one site)
 * and follows no redirect, so tests see each answer. Over real HTTP, or straight into a Hono
 * app's `request`.
 */
export type Send = (path: string, init: RequestInit) => Response | Promise<Response>;

export class WebClient {
  readonly cookies = new Map<string, string>();

  constructor(private readonly send: Send) {}

  static overHttp(baseUrl: string): WebClient {
    return new WebClient((path, init) => fetch(`${baseUrl}${path}`, init));
  }

  /** The Cookie header this browser sends. */
  get cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && !headers.has("cookie")) headers.set("cookie", this.cookieHeader);
    const response = await this.send(path, { ...init, headers, redirect: "manual" });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const split = pair.indexOf("=");
      const name = pair.slice(0, split).trim();
      const value = pair.slice(split + 1).trim();
      if (/max-age=0\b/i.test(line) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** GET, returning the status and the page's text. */
  async page(path: string): Promise<{ status: number; html: string; response: Response }> {
    const response = await this.request(path);
    return { status: response.status, html: await response.text(), response };
  }

  /** POST of a form, url-encoded as a browser sends it; the answer's body is dropped. */
  async postForm(path: string, fields: Record<string, string>): Promise<Response> {
    const response = await this.request(path, {
      method: "POST",
      body: new URLSearchParams(fields),
    });
    await response.body?.cancel();
    return response;
  }
}

/** The value of a hidden field of a page's form, if the page has it. */
export function hiddenField(html: string, name: string): string | undefined {
  return new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ??
    new RegExp(`value="([^"]+)" name="${name}"`).exec(html)?.[1];
}

/** Where a Login Widget page sends the browser back after Telegram signs the user in. */
export function widgetAuthUrl(html: string): string | undefined {
  return /data-auth-url="([^"]+)"/.exec(html)?.[1]?.replaceAll("&amp;", "&");
}

/**
 * The Mini App's sign-in as its page does it: open /app, post the launch data with its nonce.
 * The answer's body is the caller's to read or cancel.
 */
export async function signInFromMiniApp(
  browser: WebClient,
  shareToken: string,
  initData: string,
): Promise<Response> {
  const entry = await browser.page(`/p/${shareToken}/app`);
  const nonce = hiddenField(entry.html, "nonce") ?? "";
  return await browser.request(`/p/${shareToken}/session`, {
    method: "POST",
    body: new URLSearchParams({ initData, nonce }),
  });
}

/**
 * The Login Widget's sign-in: open the page that shows the widget, then come back to its auth
 * URL with the signed fields, as Telegram redirects the browser. The answer's body is the
 * caller's to read or cancel.
 */
export async function signInWithWidget(
  browser: WebClient,
  widgetPagePath: string,
  signed: Record<string, string>,
): Promise<Response> {
  const page = await browser.page(widgetPagePath);
  const authUrl = widgetAuthUrl(page.html);
  if (!authUrl) throw new Error(`no Login Widget on ${widgetPagePath}`);
  return await browser.request(`${new URL(authUrl).pathname}?${new URLSearchParams(signed)}`);
}
