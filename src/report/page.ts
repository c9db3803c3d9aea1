// The run view's page (page/app.js, page/style.css, uPlot from its npm package), as the
// live server's assets and as one self-contained HTML report with the state embedded.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RunView } from './view.ts';

const require = createRequire(import.meta.url);
const UPLOT_DIR = dirname(require.resolve('uplot/package.json'));
const read = (path: string | URL) => readFileSync(path, 'utf8');

/** uPlot's version, for the software list. */
export function uplotVersion(): string {
  return (JSON.parse(read(join(UPLOT_DIR, 'package.json'))) as { version: string }).version;
}

function parts() {
  return {
    app: read(new URL('./page/app.js', import.meta.url)),
    css: read(new URL('./page/style.css', import.meta.url)),
    uplotJs: read(join(UPLOT_DIR, 'dist/uPlot.iife.min.js')),
    uplotCss: read(join(UPLOT_DIR, 'dist/uPlot.min.css')),
  };
}

const shell = (mode: 'live' | 'report', head: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>galdecon run</title>
${head}
</head>
<body data-mode="${mode}">
<div id="app"></div>
${body}
</body>
</html>
`;

/** The live page's files, by URL path. */
export function liveAssets(): Record<string, { type: string; body: string }> {
  const p = parts();
  const html = shell('live',
    '<link rel="stylesheet" href="uplot.css">\n<link rel="stylesheet" href="style.css">',
    '<script src="uplot.js"></script>\n<script src="app.js"></script>');
  const page = { type: 'text/html; charset=utf-8', body: html };
  return {
    '/': page,
    '/index.html': page,
    '/app.js': { type: 'text/javascript; charset=utf-8', body: p.app },
    '/style.css': { type: 'text/css; charset=utf-8', body: p.css },
    '/uplot.js': { type: 'text/javascript; charset=utf-8', body: p.uplotJs },
    '/uplot.css': { type: 'text/css; charset=utf-8', body: p.uplotCss },
  };
}

/** Text safe inside <script> (no `</script`, no `<!--`, and JSON's line separators escaped). */
function scriptSafe(s: string): string {
  return s.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * One self-contained HTML file of a finished run: scripts, styles, the state and the
 * mosaic (a data URL) inline; its Content-Security-Policy forbids any network access.
 */
export function reportHtml(view: RunView): string {
  const p = parts();
  const csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";
  // Scripts are inlined as they are: they contain no `</script` (checked), unlike data.
  for (const [name, js] of [['app.js', p.app], ['uPlot', p.uplotJs]]) {
    if (/<\/script/i.test(js)) throw new Error(`${name} contains </script and cannot be inlined`);
  }
  return shell('report',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">\n<style>\n${p.uplotCss}\n</style>\n<style>\n${p.css}\n</style>`,
    `<script id="galdecon-state" type="application/json">${scriptSafe(JSON.stringify(view))}</script>\n<script>\n${p.uplotJs}\n</script>\n<script>\n${p.app}\n</script>`);
}
