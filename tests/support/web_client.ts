/**
 * A browser's side of the web pages over real HTTP: it keeps the cookies the app sets (by name,
 * as one site) and follows no redirect, so tests see each answer.
 */
export class WebClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0 && !headers.has("cookie")) {
      headers.set(
        "cookie",
        [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "),
      );
    }
    const response = await fetch(`${this.baseUrl}${path}`, {
      ...init,
      headers,
      redirect: "manual",
    });
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
