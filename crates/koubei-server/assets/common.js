// Shared helpers of the dashboard pages: DOM building, the filter in the URL, links, the
// API and number formatting.
//
// Every element is made with createElement and filled with textContent or text nodes;
// no HTML string is ever parsed, because review text, brand and model names are written
// by strangers.

import { hasString, locale, t } from './i18n.js';

/** The query parameters that select reviews; every page passes them along. */
export const FILTER_KEYS = [
  'from', 'to', 'channel', 'brand', 'category', 'series', 'model', 'keyword', 'polarity',
  'include_flagged',
];

export const POLARITIES = ['positive', 'neutral', 'negative', 'mixed'];

export const CHANNELS = ['tmall', 'taobao', 'jd', 'suning', 'pdd', 'douyin', 'own_shop', 'other'];

/**
 * Makes an element. `props.text` becomes its text, `props.class` its class; any other
 * prop is set as an attribute. Children are nodes or strings (added as text nodes).
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = value;
    else node.setAttribute(key, String(value));
  }
  node.append(...children.filter((c) => c !== undefined && c !== null));
  return node;
}

/** The page's query string, with `q` read as `keyword`. */
export function currentParams() {
  const params = new URLSearchParams(window.location.search);
  if (params.get('q') && !params.get('keyword')) params.set('keyword', params.get('q'));
  params.delete('q');
  return params;
}

/** Only the filter parameters of `params`, without empty values. */
export function filterParams(params) {
  const out = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = params.get(key);
    if (value) out.set(key, value);
  }
  return out;
}

/** `path` with the filters plus `extra` (empty values left out) as its query. */
export function hrefWith(path, filters, extra = {}) {
  const params = new URLSearchParams(filters);
  for (const [key, value] of Object.entries(extra)) {
    if (value) params.set(key, value);
    else params.delete(key);
  }
  const query = params.toString();
  return query ? path + '?' + query : path;
}

/** A link target on the drill-down page: the filters plus `extra` (indicator, polarity). */
export function reviewsHref(filters, extra = {}) {
  return hrefWith('/reviews', filters, extra);
}

/** The detail page of an indicator, filters kept. */
export function indicatorHref(filters, indicator) {
  return hrefWith('/indicator', filters, { indicator });
}

/**
 * Where to go after signing in: a page of this site only, read the way the browser will
 * read it (so `//host`, `/\\host` or a tab inside the slashes cannot lead elsewhere);
 * otherwise the overview.
 */
export function safeNext(value) {
  if (typeof value !== 'string' || !value.startsWith('/')) return '/';
  let url;
  try {
    url = new URL(value, window.location.origin);
  } catch {
    return '/';
  }
  if (url.origin !== window.location.origin) return '/';
  // The whole address, not its path: a path such as `//host` (from `/..//host`) would be
  // read as another host if given alone.
  return url.href;
}

/** The sign-in page, coming back to this page afterwards. */
export function loginHref() {
  const here = window.location.pathname + window.location.search;
  return '/login?next=' + encodeURIComponent(here);
}

let meRequest = null;

/** Who is signed in (`{username, role, csrf}`), asked once per page. */
export function me() {
  if (!meRequest) meRequest = fetchJson('/api/v1/me');
  return meRequest;
}

/**
 * Sends a JSON body with `method` and the session's CSRF token, as every state-changing
 * request made with the session cookie must; answers like `fetchJson`.
 */
export async function sendJson(method, url, body) {
  const { csrf } = await me();
  const headers = { Accept: 'application/json', 'X-CSRF-Token': csrf };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return readAnswer(response);
}

/** GETs JSON from the API; a failure becomes an Error carrying the server's message. */
export async function fetchJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  return readAnswer(response);
}

/**
 * The JSON of an answer, or an Error with the server's message. A 401 means the session
 * ended: the page goes to the sign-in page, which comes back here.
 */
async function readAnswer(response) {
  if (response.status === 401 && window.location.pathname !== '/login') {
    window.location.assign(loginHref());
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = body && typeof body.error === 'string' ? body.error : response.statusText;
    throw new Error(t('status.failed', { status: response.status, message }));
  }
  return body;
}

/** Shows a message in the page's status line; an empty message hides it. */
export function showStatus(message, isError = false) {
  const node = document.getElementById('status');
  if (!node) return;
  node.textContent = message;
  node.hidden = !message;
  node.classList.toggle('error', isError);
}

/**
 * Runs `work` with the status line saying it loads, then clears it or shows the error.
 * The page stays usable (filters, navigation) whatever the API answers.
 */
export async function loading(work) {
  showStatus(t('status.loading'));
  try {
    await work();
    showStatus('');
  } catch (error) {
    showStatus(error.message, true);
  }
}

/** A label from the dictionary under `prefix.code`, or the code itself if unknown. */
function labelOf(prefix, code) {
  const key = prefix + '.' + code;
  return hasString(key) ? t(key) : String(code);
}

export const polarityLabel = (polarity) => labelOf('polarity', polarity);
export const channelLabel = (channel) => labelOf('channel', channel);
export const flagLabel = (flag) => labelOf('flag', flag);

/** A CSS class for a polarity, from a fixed set whatever the input. */
export function polarityClass(polarity) {
  return 'pol-' + (POLARITIES.includes(polarity) ? polarity : 'unknown');
}

export function formatCount(n) {
  return Number(n ?? 0).toLocaleString(locale);
}

/** 0.753 → "75.3%"; with `signed`, positive values get a "+". `null` → "—". */
export function formatPercent(ratio, signed = false) {
  if (ratio === null || ratio === undefined) return '—';
  const text = (ratio * 100).toFixed(1) + '%';
  return signed && ratio > 0 ? '+' + text : text;
}

/** A difference of two ratios in percentage points: 0.052 → "+5.2". `null` → "—". */
export function formatPoints(diff) {
  if (diff === null || diff === undefined) return '—';
  const text = (diff * 100).toFixed(1);
  return diff > 0 ? '+' + text : text;
}

/** A count as a link to the reviews behind it; zero stays plain text. */
export function countLink(count, href, text = formatCount(count)) {
  if (!count) return el('span', { class: 'zero', text });
  return el('a', { href, text });
}

/** A polarity badge. */
export function badge(polarity, text = polarityLabel(polarity)) {
  return el('span', { class: 'badge ' + polarityClass(polarity), text });
}

/** A section's placeholder line for an empty list. */
export function emptyNote(text = t('status.none')) {
  return el('p', { class: 'empty', text });
}

/**
 * A thin bar of the positive, neutral and negative shares of `row`, widths set through
 * the CSS object model (allowed by the page's style-src policy, unlike style attributes).
 */
export function polarityBar(row) {
  const total = row.mentions || 0;
  const bar = el('span', { class: 'split', role: 'img' });
  const parts = [
    ['positive', row.positive || 0],
    ['neutral', row.neutral || 0],
    ['negative', row.negative || 0],
  ];
  for (const [polarity, count] of parts) {
    if (!total || !count) continue;
    const part = el('span', { class: 'split-' + polarity });
    part.style.width = ((count / total) * 100).toFixed(2) + '%';
    bar.append(part);
  }
  bar.setAttribute('aria-label', parts
    .map(([polarity, count]) => polarityLabel(polarity) + ' ' + formatCount(count))
    .join(', '));
  return bar;
}

/** The list of typical opinions, each count a link to the reviews that hold it. */
export function opinionList(list, opinions, filters) {
  if (!opinions || !opinions.length) {
    list.replaceChildren(el('li', { class: 'empty', text: t('status.none') }));
    return;
  }
  list.replaceChildren(...opinions.map((o) => el('li', {},
    badge(o.polarity),
    el('span', { class: 'typical', text: o.typical }),
    el('a', { class: 'path', href: indicatorHref(filters, o.indicator), text: o.indicator }),
    countLink(o.count, reviewsHref(filters, {
      indicator: o.indicator, polarity: o.polarity, typical: o.typical,
    })),
  )));
}

/** "2024-01-05T10:00:00" → "2024-01-05 10:00". */
export function shortTime(time) {
  return String(time).replace('T', ' ').slice(0, 16);
}

/**
 * The dates a trend bucket covers: `period` is its first day, the bucket a day, a week
 * (Monday to Sunday) or a calendar month.
 */
export function bucketRange(period, granularity) {
  const start = new Date(period + 'T00:00:00Z');
  const end = new Date(start);
  if (granularity === 'week') end.setUTCDate(end.getUTCDate() + 6);
  if (granularity === 'month') end.setUTCMonth(end.getUTCMonth() + 1, 0);
  return { from: period, to: end.toISOString().slice(0, 10) };
}
