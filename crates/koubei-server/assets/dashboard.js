// The overview (GET /): summary cards, review volume and net sentiment over time, the
// most mentioned, praised and criticised indicators, typical opinions, negative reasons
// and recent alerts. Every number links to the reviews behind it.

import {
  bucketRange, countLink, el, emptyNote, fetchJson, formatCount, formatPercent, hrefWith,
  indicatorHref, loading, opinionList, polarityBar, reviewsHref,
} from './common.js';
import { volumeChart } from './charts.js';
import { startPage } from './layout.js';
import { t } from './i18n.js';

const { filters } = startPage({ page: 'overview', path: '/' });

async function load() {
  const data = await fetchJson(hrefWith('/api/v1/overview', filters));
  renderSummary(data.summary);
  renderTrend(data.trend);
  ranking(document.getElementById('most-mentioned'), data.most_mentioned, 'mentions', '');
  ranking(document.getElementById('most-praised'), data.most_praised, 'positive', 'positive');
  ranking(document.getElementById('most-criticised'), data.most_criticised, 'negative',
    'negative');
  opinionList(document.getElementById('opinions'), data.typical_opinions, filters);
  opinionList(document.getElementById('reasons'), data.negative_reasons, filters);
  renderAlerts(data.alerts ?? []);
}

function renderSummary(summary) {
  // A number links to the reviews it counts; `extra` narrows the filter.
  const card = (key, content, className = '') => el('div', { class: 'card ' + className },
    el('div', { class: 'card-label', text: t(key) }),
    el('div', { class: 'card-value' }, content));
  const count = (value, extra) => countLink(value, reviewsHref(filters, extra));
  const ratio = (value, signed) => el('a', {
    href: reviewsHref(filters), text: formatPercent(value, signed),
  });

  // Flagged reviews cannot be listed on their own, so this number is not a link.
  const excluded = card('card.excluded', formatCount(summary.excluded), 'muted');
  excluded.setAttribute('title', t('card.excluded_hint'));

  document.getElementById('summary').replaceChildren(
    card('card.reviews', count(summary.reviews, {})),
    card('polarity.positive', count(summary.positive, { polarity: 'positive' }), 'pol-positive'),
    card('polarity.neutral', count(summary.neutral, { polarity: 'neutral' }), 'pol-neutral'),
    card('polarity.negative', count(summary.negative, { polarity: 'negative' }), 'pol-negative'),
    card('polarity.mixed', count(summary.mixed, { polarity: 'mixed' }), 'pol-mixed'),
    card('card.mentions', count(summary.mentions, {})),
    card('card.satisfaction', ratio(summary.satisfaction, false)),
    card('card.net_sentiment', ratio(summary.net_sentiment, true)),
    excluded,
  );
}

function renderTrend(trend) {
  document.getElementById('granularity').textContent = t('granularity.' + trend.granularity);
  volumeChart(document.getElementById('trend-chart'), trend, (point) => {
    window.location.assign(reviewsHref(filters, bucketRange(point.period, trend.granularity)));
  });
}

/**
 * A top-ten table: the indicator (to its detail), the count in `field` (to its reviews
 * with `polarity`), and the polarity split as a bar.
 */
function ranking(table, rows, field, polarity) {
  if (!rows || !rows.length) {
    table.replaceChildren(el('tbody', {}, el('tr', {}, el('td', {}, emptyNote()))));
    return;
  }
  table.replaceChildren(el('tbody', {}, ...rows.map((row) => el('tr', {},
    el('td', { class: 'indicator' }, el('a', {
      href: indicatorHref(filters, row.indicator), title: row.indicator, text: row.name,
    })),
    el('td', { class: 'num' },
      countLink(row[field], reviewsHref(filters, { indicator: row.indicator, polarity }))),
    el('td', { class: 'bar' }, polarityBar(row)),
  ))));
}

function renderAlerts(alerts) {
  const list = document.getElementById('alerts');
  if (!alerts.length) {
    list.replaceChildren(el('li', { class: 'empty', text: t('overview.no_alerts') }));
    return;
  }
  list.replaceChildren(...alerts.map((alert) => el('li', { class: 'alert-' + severity(alert) },
    el('span', { class: 'badge severity', text: t('severity.' + severity(alert)) }),
    el('span', { class: 'when', text: String(alert.at ?? '').replace('T', ' ').slice(0, 16) }),
    isLocal(alert.link)
      ? el('a', { href: alert.link, text: alert.title })
      : el('span', { text: alert.title }),
    alert.what ? el('div', { class: 'what', text: alert.what }) : null,
  )));
}

/** Whether `link` is a path on this server (not `//elsewhere` or `javascript:`). */
function isLocal(link) {
  return typeof link === 'string' && link.startsWith('/') && !link.startsWith('//');
}

/** A CSS class suffix from a fixed set, whatever the severity says. */
function severity(alert) {
  return ['low', 'medium', 'high', 'critical'].includes(alert.severity) ? alert.severity : 'low';
}

loading(load);
