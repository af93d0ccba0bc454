// One review as a list item: its facts, its text with the evidence of each mention
// highlighted, the mentions under it, and the follow-up (追评) likewise. Shared by the
// drill-down and the indicator detail's latest reviews.
//
// Mention offsets are Unicode code points, JS strings are UTF-16: texts are split with
// Array.from before slicing so that characters outside the BMP do not shift highlights.

import {
  badge, channelLabel, el, flagLabel, polarityClass, polarityLabel, reviewsHref, shortTime,
} from './common.js';
import { t } from './i18n.js';

/**
 * Renders reviews. `focus` ({indicator, polarity}) outlines the mentions the page was
 * opened for; `filters` go into the mention links. With `correct` (for analysts and
 * admins), each mention gets a control that sends a corrected polarity to it.
 */
export function reviewItems(reviews, { filters, focus = {}, correct = null }) {
  return reviews.map((review) => reviewItem(review, filters, focus, correct));
}

function reviewItem(review, filters, focus, correct) {
  const textMentions = review.mentions.filter((m) => m.part === 'text');
  const followupMentions = review.mentions.filter((m) => m.part === 'followup');
  const item = el('li', { class: 'review' },
    reviewMeta(review),
    highlighted(review.text, textMentions, focus),
    mentionList(review, textMentions, filters, correct));
  if (review.followup_text) {
    const when = review.followup_at ? ' · ' + shortTime(review.followup_at) : '';
    item.append(el('div', { class: 'followup' },
      el('h3', { text: t('reviews.followup') + when }),
      highlighted(review.followup_text, followupMentions, focus),
      mentionList(review, followupMentions, filters, correct)));
  }
  return item;
}

function reviewMeta(review) {
  const bits = [
    '#' + review.id,
    review.created_at ? shortTime(review.created_at) : null,
    review.channel ? channelLabel(review.channel) : null,
    review.brand,
    review.series,
    review.model,
    review.rating ? '★'.repeat(Math.min(review.rating, 5)) : null,
  ].filter(Boolean);
  const meta = el('div', { class: 'meta' }, ...bits.map((b) => el('span', { text: b })));
  if (review.polarity) {
    meta.append(badge(review.polarity,
      t('reviews.overall', { value: polarityLabel(review.polarity) })));
  }
  for (const flag of review.flags ?? []) {
    meta.append(el('span', { class: 'badge flag', text: flagLabel(flag) }));
  }
  return meta;
}

/**
 * The text as a paragraph with each mention's evidence in a <mark>. Overlapping mentions
 * are clipped to what the previous one left; offsets past the end are ignored.
 */
function highlighted(text, mentions, focus) {
  const chars = Array.from(text ?? '');
  const paragraph = el('p', { class: 'text' });
  const sorted = [...mentions].sort((a, b) => a.start - b.start || b.end - a.end);
  let at = 0;
  for (const mention of sorted) {
    const from = Math.max(mention.start, at);
    const to = Math.min(mention.end, chars.length);
    if (to <= from) continue;
    if (from > at) paragraph.append(chars.slice(at, from).join(''));
    paragraph.append(el('mark', {
      class: polarityClass(mention.polarity) + (isFocused(mention, focus) ? ' focus' : ''),
      title: mention.indicator + ' · ' + polarityLabel(mention.polarity),
      text: chars.slice(from, to).join(''),
    }));
    at = to;
  }
  if (at < chars.length) paragraph.append(chars.slice(at).join(''));
  return paragraph;
}

/** Whether a mention is one of those the page was opened for. */
function isFocused(mention, { indicator, polarity }) {
  if (!indicator) return false;
  const inTree = mention.indicator === indicator || mention.indicator.startsWith(indicator + '/');
  return inTree && (!polarity || mention.polarity === polarity);
}

function mentionList(review, mentions, filters, correct) {
  if (!mentions.length) return null;
  return el('ul', { class: 'mentions' }, ...mentions.map((m) => el('li', {},
    badge(m.polarity),
    el('a', {
      class: 'path',
      href: reviewsHref(filters, { indicator: m.indicator, polarity: m.polarity }),
      text: m.indicator,
    }),
    el('span', { class: 'opinion', text: '“' + m.opinion + '”' }),
    typicalNote(m),
    correctedNote(m),
    correct ? correctionControl(review, m, correct) : null,
  )));
}

/** Says that an analyst corrected the polarity, and what the engine had said. */
function correctedNote(mention) {
  if (!mention.engine_polarity) return null;
  return el('span', {
    class: 'corrected',
    text: t('reviews.corrected', { engine: polarityLabel(mention.engine_polarity) }),
  });
}

/** A menu of the other polarities; choosing one sends the correction. */
function correctionControl(review, mention, correct) {
  const others = ['positive', 'neutral', 'negative'].filter((p) => p !== mention.polarity);
  const select = el('select', { class: 'correct', 'aria-label': t('reviews.correct_label') },
    el('option', { value: '', text: t('reviews.correct') }),
    ...others.map((p) => el('option', { value: p, text: polarityLabel(p) })));
  select.addEventListener('change', () => {
    if (!select.value) return;
    correct({
      review: review.id,
      part: mention.part,
      indicator: mention.indicator,
      start: mention.start,
      end: mention.end,
      polarity: select.value,
    });
  });
  return select;
}

/** The canonical phrase a mention counts towards, when it differs from what was written. */
function typicalNote(mention) {
  if (!mention.typical || mention.typical === mention.opinion) return null;
  return el('span', { class: 'typical', text: '→ ' + mention.typical });
}
