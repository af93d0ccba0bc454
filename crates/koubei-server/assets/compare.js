// Compare (GET /compare?dimension=brand&values=甲,乙): two or more brands, series, models
// or channels side by side per indicator, with satisfaction, its 95 % confidence interval
// and a mark where a value differs significantly from the first one, the reference.
//
// The choice lives in the URL (`dimension`, `values` in order); every change of it loads
// the page anew, so a link reproduces the comparison.

import {
  CHANNELS, channelLabel, countLink, el, fetchJson, formatCount, formatPercent, formatPoints,
  hrefWith, indicatorHref, loading, reviewsHref,
} from './common.js';
import { intervalChart } from './charts.js';
import { startPage } from './layout.js';
import { t } from './i18n.js';

const DIMENSIONS = ['brand', 'series', 'model', 'channel'];
const OPTION_FIELDS = { brand: 'brands', series: 'series', model: 'models', channel: 'channels' };
const MAX_DEPTH_CLASS = 6;

const { params, filters } = startPage({
  page: 'compare', path: '/compare', keep: ['dimension', 'values'],
});
const dimension = DIMENSIONS.includes(params.get('dimension')) ? params.get('dimension') : 'brand';
const label = (value) => (dimension === 'channel' ? channelLabel(value) : value);

/** This page with another dimension or list of values, filters kept. */
function compareHref(nextDimension, values) {
  return hrefWith('/compare', filters, {
    dimension: nextDimension, values: values.length ? values.join(',') : '',
  });
}

async function load() {
  const query = hrefWith('', filters, { dimension, values: params.get('values') ?? '' });
  const [data, options] = await Promise.all([
    fetchJson('/api/v1/compare' + query),
    fetchJson('/api/v1/options').catch(() => null),
  ]);
  const values = data.values.map((v) => v.value);
  renderPicker(values, options);
  if (!data.indicators.length) {
    document.getElementById('compare').replaceChildren(
      el('tbody', {}, el('tr', {}, el('td', { class: 'empty', text: t('status.empty') }))));
    return;
  }
  renderTable(data);
  chartIndicator(data.indicators[0]);
}

function renderPicker(values, options) {
  const dimensionSelect = el('select', { name: 'dimension' }, ...DIMENSIONS.map((d) =>
    el('option', { value: d, text: t('compare.dim.' + d) })));
  dimensionSelect.value = dimension;
  dimensionSelect.addEventListener('change', () => {
    window.location.assign(compareHref(dimensionSelect.value, []));
  });

  const chips = values.map((value, index) => el('li', { class: 'chip' + (index ? '' : ' reference') },
    index ? null : el('span', { class: 'tag', text: t('compare.reference') }),
    el('span', { text: label(value) }),
    values.length > 2 ? el('a', {
      class: 'remove',
      href: compareHref(dimension, values.filter((v) => v !== value)),
      'aria-label': t('compare.remove', { value: label(value) }),
      title: t('compare.remove', { value: label(value) }),
      text: '×',
    }) : null));

  const candidates = dimensionValues(options).filter((v) => !values.includes(v));
  const adder = el('select', { name: 'add', 'aria-label': t('compare.add') },
    el('option', { value: '', text: t('compare.add') }),
    ...candidates.map((v) => el('option', { value: v, text: label(v) })));
  adder.addEventListener('change', () => {
    if (adder.value) window.location.assign(compareHref(dimension, [...values, adder.value]));
  });

  document.getElementById('picker').replaceChildren(
    el('label', {}, t('compare.dimension'), dimensionSelect),
    el('div', { class: 'values' },
      el('span', { class: 'picker-label', text: t('compare.values') }),
      el('ul', { class: 'chips' }, ...chips),
      adder));
}

/** The values the chosen dimension can take, most frequent first. */
function dimensionValues(options) {
  if (!options) return dimension === 'channel' ? CHANNELS : [];
  return (options[OPTION_FIELDS[dimension]] ?? []).map((o) => o.value);
}

function renderTable(data) {
  const head = el('tr', {},
    el('th', { scope: 'col', text: t('col.indicator') }),
    ...data.values.map((v, index) => el('th', { scope: 'col', class: 'num' },
      el('span', { class: 'value-name', text: label(v.value) }),
      index ? null : el('span', { class: 'tag', text: t('compare.reference') }),
      el('br'),
      countLink(v.reviews, reviewsHref(filters, { [dimension]: v.value }),
        t('reviews.total', { count: formatCount(v.reviews) })))));
  const rows = data.indicators.map((row) => el('tr', {
    class: 'depth-' + Math.min(row.depth ?? 0, MAX_DEPTH_CLASS),
    'data-indicator': row.indicator,
  },
  el('td', { class: 'indicator' }, nameButton(row)),
  ...row.cells.map((cell, index) => compareCell(row, cell, index === 0))));
  document.getElementById('compare').replaceChildren(
    el('thead', {}, head), el('tbody', {}, ...rows));
}

/** The indicator's name: a button that charts it, and a link to its detail. */
function nameButton(row) {
  const button = el('button', { type: 'button', class: 'link', text: row.name });
  button.addEventListener('click', () => chartIndicator(row));
  return el('span', { class: 'cell-name' },
    button,
    el('a', { class: 'path', href: indicatorHref(filters, row.indicator), text: '›',
      title: row.indicator }));
}

/**
 * "72.1% (68.0–75.9)", the mentions behind it (to their reviews), and ▲ or ▼ where
 * the difference from the reference is significant.
 */
function compareCell(row, cell, isReference) {
  const interval = cell.ci_low === null || cell.ci_low === undefined
    ? ''
    : ` (${bare(cell.ci_low)}–${bare(cell.ci_high)})`;
  const td = el('td', { class: 'num' },
    el('span', { class: 'satisfaction', text: formatPercent(cell.satisfaction) }),
    el('span', { class: 'interval', text: interval }),
    el('br'),
    countLink(cell.mentions, reviewsHref(filters, {
      indicator: row.indicator, [dimension]: cell.value,
    }), 'n=' + formatCount(cell.mentions)));
  if (isReference || cell.diff === null || cell.diff === undefined) return td;

  const vars = { diff: formatPoints(cell.diff), p: formatP(cell.p_value) };
  if (cell.significant) {
    const up = cell.diff > 0;
    td.classList.add('significant', up ? 'good' : 'bad');
    td.prepend(el('span', { class: 'mark', text: up ? '▲ ' : '▼ ' }));
    td.setAttribute('title', t(up ? 'compare.significant_up' : 'compare.significant_down', vars));
  } else {
    td.setAttribute('title', t('compare.not_significant', vars));
  }
  return td;
}

/** A ratio as a percentage without the sign: 0.68 → "68.0". */
function bare(ratio) {
  return formatPercent(ratio).replace('%', '');
}

function formatP(p) {
  if (p === null || p === undefined) return '—';
  return p < 0.001 ? '< 0.001' : p.toFixed(3);
}

function chartIndicator(row) {
  document.getElementById('chart-title').textContent = t('compare.chart', { name: row.name });
  const cells = row.cells.map((cell) => ({ ...cell, value: label(cell.value) }));
  intervalChart(document.getElementById('interval-chart'), cells);
  for (const tr of document.querySelectorAll('#compare tbody tr')) {
    tr.classList.toggle('charted', tr.dataset.indicator === row.indicator);
  }
}

loading(load);
