/**
 * The dashboard page the daemon serves at `/`: one HTML document with its stylesheet and script
 * inline (nothing from a CDN, nothing else to fetch), and the strict Content-Security-Policy that
 * goes with it: only that script and that stylesheet (by SHA-256 hash) may run or apply, requests
 * only to the daemon itself, no framing, no forms, no base URI. The page holds no cluster data:
 * everything comes from the API with the user's token (see assets/dashboard.js).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface DashboardPage {
  readonly html: string;
  /** Response headers to send with it (CSP and friends). */
  readonly headers: Readonly<Record<string, string>>;
}

let page: DashboardPage | undefined;

const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** The page (built once per process). */
export function dashboardPage(): DashboardPage {
  if (page) return page;
  const js = readFileSync(new URL('./assets/dashboard.js', import.meta.url), 'utf8');
  const css = readFileSync(new URL('./assets/dashboard.css', import.meta.url), 'utf8');
  const csp = [
    "default-src 'none'",
    `script-src ${sha256(js)}`,
    `style-src ${sha256(css)}`,
    "connect-src 'self'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Slipway</title>
<link rel="icon" href="data:,">
<style>${css}</style>
</head>
<body>
<header><h1>Slipway</h1><span id="conn">connecting</span><span id="summary"></span><span id="lastevent" class="labels"></span></header>
<main>
<section id="login"><h2>Token</h2><p id="loginwhy"></p>
<form id="loginform"><input id="token" type="password" autocomplete="off" placeholder="bearer token" size="48"> <button type="submit">connect</button></form></section>
<p id="error"></p>
<section><h2>Nodes</h2>
<table><thead><tr><th>node</th><th>status</th><th>cpu</th><th>memory</th><th>instances</th><th>labels</th></tr></thead><tbody id="nodes"></tbody></table></section>
<section><h2>Workloads</h2>
<table><thead><tr><th>workload</th><th>kind</th><th>images</th><th>desired</th><th>running</th><th>pending</th><th>state</th></tr></thead><tbody id="workloads"></tbody></table></section>
<section id="why"><h2>Why is <span id="whyname"></span> pending? <button id="whyclose">close</button></h2><div id="whybody"></div></section>
</main>
<script>${js}</script>
</body>
</html>
`;
  page = {
    html,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      'cache-control': 'no-store',
    },
  };
  return page;
}
