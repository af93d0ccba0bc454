// The drill-down (GET /reviews): the reviews behind a number, one page at a time, with
// the evidence of each mention highlighted. The drill-down parameters (indicator, typical
// opinion and, with either, the mentions' polarity) show as chips that remove themselves
// from the URL; the export link downloads the whole selection as an Excel file.

import {
  el, fetchJson, formatCount, hrefWith, loading, me, polarityLabel, sendJson, showStatus,
} from './common.js';
import { startPage } from './layout.js';
import { reviewItems } from './review-list.js';
import { t } from './i18n.js';

const DRILL_KEYS = ['indicator', 'typical'];
/** The most reviews one export holds (the export route answers 400 beyond it). */
const EXPORT_LIMIT = 100000;

const { params, filters } = startPage({
  page: 'reviews', path: '/reviews', keep: [...DRILL_KEYS, 'page_size'],
});
const indicator = params.get('indicator') ?? '';
const typical = params.get('typical') ?? '';
const polarity = params.get('polarity') ?? '';

function start() {
  renderChips();
  document.getElementById('export').setAttribute('href', exportHref());
  // Exports are for analysts and admins; a viewer does not get the button.
  me().then((user) => {
    if (user.role === 'viewer') document.getElementById('export').hidden = true;
  }).catch(() => {});
  loading(load);
}

/** Sends an analyst's correction of a mention, then shows the page again. */
function correctMention(body) {
  loading(async () => {
    await sendJson('POST', '/api/v1/corrections', body);
    await load();
  });
}

async function load() {
  const [page, user] = await Promise.all([
    fetchJson('/api/v1/reviews?' + params.toString()),
    me().catch(() => null),
  ]);
  const correct = user && ['analyst', 'admin'].includes(user.role) ? correctMention : null;
  document.getElementById('total').textContent =
    t('reviews.total', { count: formatCount(page.total) });
  if (page.total > EXPORT_LIMIT) disableExport();
  const focus = { indicator, polarity: indicator || typical ? polarity : '' };
  document.getElementById('reviews')
    .replaceChildren(...reviewItems(page.reviews, { filters, focus, correct }));
  renderPager(page);
  if (!page.reviews.length) showStatus(t('reviews.none'));
}

/** Turns the export link into a note: the selection is too large for one file. */
function disableExport() {
  const link = document.getElementById('export');
  link.removeAttribute('href');
  link.setAttribute('aria-disabled', 'true');
  link.classList.add('disabled');
  link.setAttribute('title', t('reviews.export_too_many', { limit: formatCount(EXPORT_LIMIT) }));
}

/** The export route with the page's selection, without paging. */
function exportHref() {
  const selection = new URLSearchParams(params);
  selection.delete('page');
  selection.delete('page_size');
  return hrefWith('/api/v1/reviews/export', selection);
}

function renderChips() {
  const chips = [];
  if (indicator) chips.push(chip('indicator', t('reviews.chip_indicator', { value: indicator })));
  if (typical) chips.push(chip('typical', t('reviews.chip_typical', { value: typical })));
  if (polarity && (indicator || typical)) {
    const text = t('reviews.chip_mention_polarity', { value: polarityLabel(polarity) });
    chips.push(chip('polarity', text));
  }
  document.getElementById('chips').replaceChildren(...chips);
}

/** A chip for the parameter `key`: its text, and a link to this page without it. */
function chip(key, text) {
  const without = new URLSearchParams(params);
  without.delete(key);
  without.delete('page');
  return el('li', { class: 'chip', 'data-key': key },
    el('span', { text }),
    el('a', {
      class: 'remove',
      href: hrefWith('/reviews', without),
      'aria-label': t('reviews.chip_remove', { value: text }),
      title: t('reviews.chip_remove', { value: text }),
      text: '×',
    }));
}

function renderPager(page) {
  const pages = Math.max(1, Math.ceil(page.total / page.page_size));
  const link = (n, label) => {
    if (n < 1 || n > pages || n === page.page) {
      return el('span', { class: 'disabled', text: label });
    }
    return el('a', { href: hrefWith('/reviews', params, { page: String(n) }), text: label });
  };
  document.getElementById('pager').replaceChildren(
    link(page.page - 1, t('reviews.prev')),
    el('span', { class: 'where', text: t('reviews.page', { page: page.page, pages }) }),
    link(page.page + 1, t('reviews.next')),
  );
}

start();
