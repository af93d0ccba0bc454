// The indicator table (GET /): summary, indicators in tree order, typical opinions and
// negative reasons, each number a link to the reviews behind it.

import {
  countLink, currentParams, el, fetchJson, fillForm, filterParams, formatCount, formatPercent,
  polarityClass, polarityLabel, reviewsHref, showStatus, submitCleanly,
} from './common.js';

const MAX_DEPTH_CLASS = 6;

const filters = filterParams(currentParams());

function start() {
  const form = document.getElementById('filters');
  fillForm(form, filters);
  submitCleanly(form);
  load();
}

async function load() {
  showStatus('加载中…');
  try {
    const data = await fetchJson('/api/v1/indicators/stats?' + filters.toString());
    renderSummary(data.summary);
    renderIndicators(data.indicators);
    renderOpinions(document.getElementById('opinions'), data.typical_opinions);
    renderOpinions(document.getElementById('reasons'), data.negative_reasons);
    showStatus('');
  } catch (error) {
    showStatus(error.message, true);
  }
}

const EXCLUDED_HINT =
  '被标记（默认好评、返现、广告等）而未计入统计的评论；勾选“包含已标记评论”即可计入';

function renderSummary(summary) {
  // A summary number links to the reviews it counts; `extra` narrows the filter.
  const card = (label, value, extra, className = '') => el('div', { class: 'card ' + className },
    el('div', { class: 'card-label', text: label }),
    el('div', { class: 'card-value' }, countLink(value, reviewsHref(filters, extra))));

  // Flagged reviews cannot be listed on their own, so this number is not a link.
  const excluded = el('div', { class: 'card muted', title: EXCLUDED_HINT },
    el('div', { class: 'card-label', text: '已排除' }),
    el('div', { class: 'card-value', text: formatCount(summary.excluded) }));

  document.getElementById('summary').replaceChildren(
    card('评论', summary.reviews, {}),
    card('正面', summary.positive, { polarity: 'positive' }, 'pol-positive'),
    card('中性', summary.neutral, { polarity: 'neutral' }, 'pol-neutral'),
    card('负面', summary.negative, { polarity: 'negative' }, 'pol-negative'),
    card('混合', summary.mixed, { polarity: 'mixed' }, 'pol-mixed'),
    card('观点提及', summary.mentions, {}),
    excluded,
  );
}

function renderIndicators(indicators) {
  const body = document.querySelector('#indicators tbody');
  if (!indicators.length) {
    const empty = el('td', { colspan: 7, class: 'empty', text: '没有符合条件的数据' });
    body.replaceChildren(el('tr', {}, empty));
    return;
  }
  body.replaceChildren(...indicators.map(indicatorRow));
}

function indicatorRow(row) {
  const depth = Math.min(row.depth, MAX_DEPTH_CLASS);
  const name = row.indicator.split('/').pop();
  const link = (extra) => reviewsHref(filters, { indicator: row.indicator, ...extra });
  const cell = (content, className) => el('td', { class: className ?? 'num' }, content);

  return el('tr', { class: 'depth-' + depth },
    cell(el('span', { class: 'name', title: row.indicator, text: name }), 'indicator'),
    cell(countLink(row.mentions, link({}))),
    cell(countLink(row.positive, link({ polarity: 'positive' }))),
    cell(countLink(row.neutral, link({ polarity: 'neutral' }))),
    cell(countLink(row.negative, link({ polarity: 'negative' }))),
    cell(countLink(row.mentions, link({ polarity: 'positive' }), formatPercent(row.satisfaction))),
    cell(countLink(row.mentions, link({}), formatPercent(row.net_sentiment, true))),
  );
}

function renderOpinions(list, opinions) {
  if (!opinions.length) {
    list.replaceChildren(el('li', { class: 'empty', text: '暂无' }));
    return;
  }
  list.replaceChildren(...opinions.map((o) => el('li', {},
    el('span', { class: 'badge ' + polarityClass(o.polarity), text: polarityLabel(o.polarity) }),
    el('span', { class: 'typical', text: o.typical }),
    el('span', { class: 'path', text: o.indicator }),
    countLink(o.count, reviewsHref(filters, { indicator: o.indicator, polarity: o.polarity, typical: o.typical })),
  )));
}

start();
