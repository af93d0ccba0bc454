// One indicator (GET /indicator?indicator=…): headline figures, mentions over time,
// positive and negative typical opinions, the reasons for negative feeling, its child
// indicators, breakdowns by channel and by model, and its latest reviews.

import {
  badge, bucketRange, channelLabel, countLink, el, emptyNote, fetchJson, formatCount,
  formatPercent, hrefWith, indicatorHref, loading, opinionList, polarityBar, reviewsHref,
  showStatus,
} from './common.js';
import { mentionChart } from './charts.js';
import { startPage } from './layout.js';
import { reviewItems } from './review-list.js';
import { t } from './i18n.js';

const LATEST_REVIEWS = 5;

const { params, filters } = startPage({
  page: 'indicator', path: '/indicator', keep: ['indicator'],
});
const indicator = params.get('indicator') ?? '';

async function load() {
  const query = hrefWith('', filters, { indicator });
  const data = await fetchJson('/api/v1/indicators/detail' + query);
  const row = data.indicator;
  renderHeadline(row);
  renderTrend(data.trend);
  opinionList(document.getElementById('positive-opinions'), data.positive_opinions, filters);
  opinionList(document.getElementById('negative-opinions'), data.negative_opinions, filters);
  renderReasons(data.negative_reasons ?? []);
  renderChildren(data.children ?? []);
  breakdown(document.getElementById('by-channel'), data.by_channel ?? [], 'channel', channelLabel);
  breakdown(document.getElementById('by-model'), data.by_model ?? [], 'model', (v) => v);
  await renderLatest();
}

function renderHeadline(row) {
  const name = row.name ?? row.indicator.split('/').pop();
  document.getElementById('name').textContent = name;
  document.title = t('title.indicator') + ' · ' + name;

  // The path as links to each ancestor's own detail.
  const parts = row.indicator.split('/');
  const crumbs = parts.slice(0, -1).map((part, i) => el('a', {
    href: indicatorHref(filters, parts.slice(0, i + 1).join('/')), text: part,
  }));
  document.getElementById('crumbs').replaceChildren(
    ...crumbs.flatMap((link) => [link, el('span', { class: 'sep', text: ' / ' })]),
    el('span', { text: name }));

  const link = (extra) => reviewsHref(filters, { indicator, ...extra });
  const card = (key, content, className = '') => el('div', { class: 'card ' + className },
    el('div', { class: 'card-label', text: t(key) }),
    el('div', { class: 'card-value' }, content));
  document.getElementById('summary').replaceChildren(
    card('col.mentions', countLink(row.mentions, link({}))),
    card('polarity.positive', countLink(row.positive, link({ polarity: 'positive' })),
      'pol-positive'),
    card('polarity.neutral', countLink(row.neutral, link({ polarity: 'neutral' })),
      'pol-neutral'),
    card('polarity.negative', countLink(row.negative, link({ polarity: 'negative' })),
      'pol-negative'),
    card('col.satisfaction', el('a', { href: link({}), text: formatPercent(row.satisfaction) })),
    card('col.net_sentiment',
      el('a', { href: link({}), text: formatPercent(row.net_sentiment, true) })),
  );
}

function renderTrend(trend) {
  document.getElementById('granularity').textContent = t('granularity.' + trend.granularity);
  mentionChart(document.getElementById('trend-chart'), trend, (point) => {
    const range = bucketRange(point.period, trend.granularity);
    window.location.assign(reviewsHref(filters, { indicator, ...range }));
  });
}

/** Negative reasons: a child indicator or a typical opinion, its count and share. */
function renderReasons(reasons) {
  const table = document.getElementById('reasons');
  if (!reasons.length) {
    table.replaceChildren(el('tbody', {}, el('tr', {}, el('td', {}, emptyNote()))));
    return;
  }
  table.replaceChildren(el('tbody', {}, ...reasons.map((reason) => el('tr', {},
    el('td', { class: 'indicator' }, badge('negative', reason.reason)),
    el('td', { class: 'num' }, countLink(reason.count, reviewsHref(filters, {
      indicator: reason.indicator, polarity: 'negative', typical: reason.typical,
    }))),
    el('td', { class: 'num muted', text: formatPercent(reason.share) }),
  ))));
}

function renderChildren(children) {
  const section = document.getElementById('children-section');
  section.hidden = !children.length;
  if (!children.length) return;
  const head = el('tr', {}, ...['col.indicator', 'col.mentions', 'col.positive', 'col.neutral',
    'col.negative', 'col.satisfaction', 'col.net_sentiment']
    .map((key, i) => el('th', { class: i ? 'num' : null, scope: 'col', text: t(key) })));
  const rows = children.map((child) => {
    const link = (polarity) => reviewsHref(filters, { indicator: child.indicator, polarity });
    return el('tr', {},
      el('td', { class: 'indicator' }, el('a', {
        href: indicatorHref(filters, child.indicator), text: child.name,
      })),
      el('td', { class: 'num' }, countLink(child.mentions, link(''))),
      el('td', { class: 'num' }, countLink(child.positive, link('positive'))),
      el('td', { class: 'num' }, countLink(child.neutral, link('neutral'))),
      el('td', { class: 'num' }, countLink(child.negative, link('negative'))),
      el('td', { class: 'num', text: formatPercent(child.satisfaction) }),
      el('td', { class: 'num', text: formatPercent(child.net_sentiment, true) }));
  });
  document.getElementById('children').replaceChildren(
    el('thead', {}, head), el('tbody', {}, ...rows));
}

/**
 * A breakdown by `key` (channel or model): the value, its mentions (to the reviews of
 * this indicator with that value), the polarity split and the satisfaction.
 */
function breakdown(table, rows, key, label) {
  if (!rows.length) {
    table.replaceChildren(el('tbody', {}, el('tr', {}, el('td', {}, emptyNote()))));
    return;
  }
  table.replaceChildren(el('tbody', {}, ...rows.map((row) => el('tr', {},
    el('td', { class: 'indicator', text: label(row.value) }),
    el('td', { class: 'num' }, countLink(row.mentions, reviewsHref(filters, {
      indicator, [key]: row.value,
    }))),
    el('td', { class: 'bar' }, polarityBar(row)),
    el('td', { class: 'num', text: formatPercent(row.satisfaction) }),
  ))));
}

async function renderLatest() {
  const query = hrefWith('', filters, { indicator, page_size: String(LATEST_REVIEWS) });
  const page = await fetchJson('/api/v1/reviews' + query);
  const focus = { indicator };
  document.getElementById('reviews').replaceChildren(...reviewItems(page.reviews, { filters, focus }));
  document.getElementById('all-reviews').setAttribute('href', reviewsHref(filters, { indicator }));
  document.getElementById('all-reviews').textContent =
    t('detail.all_reviews', { count: formatCount(page.total) });
}

if (indicator) loading(load);
else showStatus(t('detail.missing'), true);
