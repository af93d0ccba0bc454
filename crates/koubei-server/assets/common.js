// Shared helpers of the dashboard pages: DOM building, the filter form and the API.
//
// Every element is made with createElement and filled with textContent or text nodes;
// no HTML string is ever parsed, because review text is written by strangers.

/** The query parameters that select reviews; every page passes them along. */
export const FILTER_KEYS = [
  'from', 'to', 'channel', 'brand', 'category', 'series', 'model', 'keyword', 'include_flagged',
];

export const POLARITY_LABELS = {
  positive: '正面',
  neutral: '中性',
  negative: '负面',
  mixed: '混合',
};

export const CHANNEL_LABELS = {
  tmall: '天猫',
  taobao: '淘宝',
  jd: '京东',
  suning: '苏宁',
  pdd: '拼多多',
  douyin: '抖音',
  own_shop: '官网',
  other: '其他',
};

export const FLAG_LABELS = {
  empty: '空评论',
  default_review: '默认好评',
  no_experience: '未使用',
  low_information: '信息量低',
  incentivized: '好评返现',
  spam_contact: '引流广告',
  template_cluster: '模板评论',
  very_long: '超长',
};

const TRUE_WORDS = ['1', 'true', 'on', 'yes'];

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

/** A link target on the drill-down page: the filters plus `extra` (indicator, polarity). */
export function reviewsHref(filters, extra = {}) {
  const params = new URLSearchParams(filters);
  for (const [key, value] of Object.entries(extra)) {
    if (value) params.set(key, value);
  }
  return '/reviews?' + params.toString();
}

/** Puts the values of `params` into the form's fields of the same name. */
export function fillForm(form, params) {
  for (const field of form.elements) {
    if (!field.name) continue;
    const value = params.get(field.name) ?? '';
    if (field.type === 'checkbox') field.checked = TRUE_WORDS.includes(value.toLowerCase());
    else field.value = value;
  }
}

/**
 * Submits the form as a clean URL (no `brand=` for empty fields). Without JS the form
 * still works as a plain GET form; the server treats empty values as absent.
 */
export function submitCleanly(form) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (String(value).trim()) params.set(key, String(value).trim());
    }
    const query = params.toString();
    window.location.assign(form.getAttribute('action') + (query ? '?' + query : ''));
  });
}

/** GETs JSON from the API; a failure becomes an Error carrying the server's message. */
export async function fetchJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = body && typeof body.error === 'string' ? body.error : response.statusText;
    throw new Error(`请求失败（${response.status}）：${message}`);
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

export function polarityLabel(polarity) {
  return POLARITY_LABELS[polarity] ?? String(polarity);
}

/** A CSS class for a polarity, from a fixed set whatever the input. */
export function polarityClass(polarity) {
  return 'pol-' + (polarity in POLARITY_LABELS ? polarity : 'unknown');
}

export function formatCount(n) {
  return Number(n).toLocaleString('zh-CN');
}

/** 0.753 → "75.3%"; with `signed`, positive values get a "+". `null` → "—". */
export function formatPercent(ratio, signed = false) {
  if (ratio === null || ratio === undefined) return '—';
  const text = (ratio * 100).toFixed(1) + '%';
  return signed && ratio > 0 ? '+' + text : text;
}

/** A count as a link to the reviews behind it; zero stays plain text. */
export function countLink(count, href, text = formatCount(count)) {
  if (!count) return el('span', { class: 'zero', text });
  return el('a', { href, text });
}
