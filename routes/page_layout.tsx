/** The HTML shell of the server-rendered pages: no script of ours, styles inline with a nonce. */
import type { Child } from "hono/jsx";

export function PageLayout(props: {
  lang: string;
  title: string;
  nonce: string;
  css: string;
  head?: Child;
  children?: Child;
}) {
  return (
    <html lang={props.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <link rel="icon" href="data:," />
        <title>{props.title}</title>
        {props.head}
        <style nonce={props.nonce} dangerouslySetInnerHTML={{ __html: props.css }} />
      </head>
      <body>
        <main>{props.children}</main>
      </body>
    </html>
  );
}
