// The drill-down (GET /reviews): the reviews behind a number, one page at a time, with
// the evidence of each mention highlighted in the text and in the follow-up (追评).
//
// Mention offsets are Unicode code points, JS strings are UTF-16: texts are split with
// Array.from before slicing so that characters outside the BMP do not shift highlights.

import {
  CHANNEL_LABELS, FLAG_LABELS, currentParams, el, fetchJson, fillForm, filterParams,
  formatCount, polarityClass, polarityLabel, reviewsHref, showStatus, submitCleanly,
} from './common.js';

const params = currentParams();
const filters = filterParams(params);
const indicator = params.get('indicator') ?? '';
const polarity = params.get('polarity') ?? '';
const typical = params.get('typical') ?? '';

function start() {
  const form = document.getElementById('filters');
  fillForm(form, params);
  submitCleanly(form);
  document.getElementById('back').setAttribute('href', '/?' + filters.toString());
  load();
}

async function load() {
  showStatus('加载中…');
  try {
    const page = await fetchJson('/api/v1/reviews?' + params.toString());
    renderContext(page);
    document.getElementById('reviews').replaceChildren(...page.reviews.map(reviewItem));
    renderPager(page);
    showStatus(page.reviews.length ? '' : '没有符合条件的评论');
  } catch (error) {
    showStatus(error.message, true);
  }
}

function renderContext(page) {
  const parts = [];
  if (indicator) parts.push('指标：' + indicator);
  if (typical) parts.push('典型观点：' + typical);
  if (polarity) parts.push((indicator || typical ? '提及情感：' : '整体情感：') + polarityLabel(polarity));
  parts.push(`共 ${formatCount(page.total)} 条评论`);
  document.getElementById('context').textContent = parts.join(' · ');
}

function reviewItem(review) {
  const textMentions = review.mentions.filter((m) => m.part === 'text');
  const followupMentions = review.mentions.filter((m) => m.part === 'followup');
  const item = el('li', { class: 'review' },
    reviewMeta(review),
    highlighted(review.text, textMentions),
    mentionList(textMentions));
  if (review.followup_text) {
    item.append(el('div', { class: 'followup' },
      el('h3', { text: '追评' + (review.followup_at ? ' · ' + shortTime(review.followup_at) : '') }),
      highlighted(review.followup_text, followupMentions),
      mentionList(followupMentions)));
  }
  return item;
}

function reviewMeta(review) {
  const bits = [
    '#' + review.id,
    review.created_at ? shortTime(review.created_at) : null,
    CHANNEL_LABELS[review.channel] ?? review.channel,
    review.brand,
    review.model,
    review.rating ? '★'.repeat(Math.min(review.rating, 5)) : null,
  ].filter(Boolean);
  const meta = el('div', { class: 'meta' }, ...bits.map((b) => el('span', { text: b })));
  if (review.polarity) {
    meta.append(el('span', {
      class: 'badge ' + polarityClass(review.polarity),
      text: '整体' + polarityLabel(review.polarity),
    }));
  }
  for (const flag of review.flags) {
    meta.append(el('span', { class: 'badge flag', text: FLAG_LABELS[flag] ?? flag }));
  }
  return meta;
}

/**
 * The text as a paragraph with each mention's evidence in a <mark>. Overlapping mentions
 * are clipped to what the previous one left; offsets past the end are ignored.
 */
function highlighted(text, mentions) {
  const chars = Array.from(text);
  const paragraph = el('p', { class: 'text' });
  const sorted = [...mentions].sort((a, b) => a.start - b.start || b.end - a.end);
  let at = 0;
  for (const mention of sorted) {
    const from = Math.max(mention.start, at);
    const to = Math.min(mention.end, chars.length);
    if (to <= from) continue;
    if (from > at) paragraph.append(chars.slice(at, from).join(''));
    paragraph.append(el('mark', {
      class: polarityClass(mention.polarity) + (isFocused(mention) ? ' focus' : ''),
      title: mention.indicator + ' · ' + polarityLabel(mention.polarity),
      text: chars.slice(from, to).join(''),
    }));
    at = to;
  }
  if (at < chars.length) paragraph.append(chars.slice(at).join(''));
  return paragraph;
}

/** Whether a mention is one of those the page was opened for. */
function isFocused(mention) {
  if (!indicator) return false;
  const inTree = mention.indicator === indicator || mention.indicator.startsWith(indicator + '/');
  return inTree && (!polarity || mention.polarity === polarity);
}

function mentionList(mentions) {
  if (!mentions.length) return null;
  return el('ul', { class: 'mentions' }, ...mentions.map((m) => el('li', {},
    el('span', { class: 'badge ' + polarityClass(m.polarity), text: polarityLabel(m.polarity) }),
    el('a', {
      class: 'path',
      href: reviewsHref(filters, { indicator: m.indicator, polarity: m.polarity }),
      text: m.indicator,
    }),
    el('span', { class: 'opinion', text: '“' + m.opinion + '”' }),
    typicalNote(m),
  )));
}

/** The canonical phrase a mention counts towards, when it differs from what was written. */
function typicalNote(mention) {
  if (!mention.typical || mention.typical === mention.opinion) return null;
  return el('span', { class: 'typical', text: '→ ' + mention.typical });
}

function renderPager(page) {
  const pages = Math.max(1, Math.ceil(page.total / page.page_size));
  const link = (n, label) => {
    if (n < 1 || n > pages || n === page.page) {
      return el('span', { class: 'disabled', text: label });
    }
    const target = new URLSearchParams(params);
    target.set('page', String(n));
    return el('a', { href: '/reviews?' + target.toString(), text: label });
  };
  document.getElementById('pager').replaceChildren(
    link(page.page - 1, '‹ 上一页'),
    el('span', { class: 'where', text: `第 ${page.page} / ${pages} 页` }),
    link(page.page + 1, '下一页 ›'),
  );
}

/** "2024-01-05T10:00:00" → "2024-01-05 10:00". */
function shortTime(time) {
  return String(time).replace('T', ' ').slice(0, 16);
}

start();
