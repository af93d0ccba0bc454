// What every view shares: the header with its navigation and language switch, and the
// global filter bar. Both are built here rather than repeated in each HTML shell.
//
// The filter lives in the URL. Submitting the bar loads the same page with the new query;
// the navigation links carry the current filter, so moving between views keeps it. A
// page's own parameters (the indicator of the detail page, say) ride along as hidden
// fields and survive a new filter.

import {
  CHANNELS, POLARITIES, channelLabel, currentParams, el, fetchJson, filterParams, hrefWith, me,
  polarityLabel, sendJson,
} from './common.js';
import { lang, switchLanguage, t, translatePage } from './i18n.js';

const NAV = [
  { page: 'overview', path: '/', key: 'nav.overview' },
  { page: 'indicators', path: '/indicators', key: 'nav.indicators' },
  { page: 'reviews', path: '/reviews', key: 'nav.reviews' },
  { page: 'compare', path: '/compare', key: 'nav.compare' },
  { page: 'service', path: '/service', key: 'nav.service' },
];

/** The drop-downs filled from `/api/v1/options`, by parameter and answer field. */
const OPTION_SELECTS = [
  { name: 'brand', field: 'brands' },
  { name: 'category', field: 'categories' },
  { name: 'series', field: 'series' },
  { name: 'model', field: 'models' },
];

/**
 * Sets up the shared parts of a page and returns its parameters and filter.
 *
 * `page` names the view (for the navigation), `path` is where the filter bar submits to,
 * and `keep` lists the page's own parameters that a new filter keeps.
 */
export function startPage({ page, path, keep = [] }) {
  translatePage();
  const params = currentParams();
  const filters = filterParams(params);
  document.body.prepend(header(page, filters));
  const form = document.getElementById('filters');
  if (form) buildFilterBar(form, path, params, keep);
  document.body.append(footer());
  return { params, filters };
}

function header(page, filters) {
  const current = page === 'indicator' ? 'indicators' : page;
  const nav = el('nav', { 'aria-label': t('app.name') }, ...NAV.map((item) => el('a', {
    href: hrefWith(item.path, filters),
    'aria-current': item.page === current ? 'page' : null,
    'data-page': item.page,
    text: t(item.key),
  })));
  const switcher = el('button', {
    type: 'button',
    id: 'lang-switch',
    class: 'button lang-switch',
    lang: lang === 'en' ? 'zh-CN' : 'en',
    title: t('nav.switch_title'),
    text: t('nav.switch'),
  });
  switcher.addEventListener('click', switchLanguage);
  const account = el('div', { class: 'account', id: 'account' });
  fillAccount(account, nav);
  return el('header', { class: 'top' },
    el('a', { class: 'brand', href: hrefWith('/', filters), text: t('app.name') }),
    nav,
    switcher,
    account);
}

/** Who is signed in, a link to the admin page for admins, and the sign-out button. */
async function fillAccount(account, nav) {
  let user;
  try {
    user = await me();
  } catch {
    return;
  }
  if (user.role === 'admin') {
    nav.append(el('a', {
      href: '/admin',
      'data-page': 'admin',
      'aria-current': window.location.pathname === '/admin' ? 'page' : null,
      text: t('nav.admin'),
    }));
  }
  const out = el('button', { type: 'button', class: 'button', id: 'logout', text: t('nav.logout') });
  out.addEventListener('click', async () => {
    try {
      await sendJson('POST', '/api/v1/logout');
    } finally {
      window.location.assign('/login');
    }
  });
  account.append(
    el('span', { class: 'who', text: user.username + ' · ' + t('role.' + user.role) }),
    out);
}

function footer() {
  return el('footer', { class: 'bottom' },
    el('a', { href: '/assets/vendor/LICENSE', text: t('footer.licence') }));
}

function buildFilterBar(form, path, params, keep) {
  form.setAttribute('action', path);
  form.setAttribute('method', 'get');
  form.setAttribute('aria-label', t('filter.label'));

  const field = (key, control) => el('label', {}, t('filter.' + key), control);
  const date = (name) => el('input', { type: 'date', name });
  const choice = (name, values, label) => select(name, values.map((v) => [v, label(v)]));

  form.replaceChildren(
    field('from', date('from')),
    field('to', date('to')),
    field('channel', choice('channel', CHANNELS, channelLabel)),
    ...OPTION_SELECTS.map(({ name }) => field(name, select(name, []))),
    field('keyword', el('input', {
      type: 'search', name: 'keyword', placeholder: t('filter.keyword_hint'),
    })),
    el('label', {}, polarityCaption(path, params), choice('polarity', POLARITIES, polarityLabel)),
    el('label', { class: 'check' },
      el('input', { type: 'checkbox', name: 'include_flagged', value: '1' }),
      t('filter.include_flagged')),
    ...keep.map((name) => el('input', { type: 'hidden', name })),
    el('div', { class: 'actions' },
      el('button', { type: 'submit', text: t('filter.apply') }),
      el('a', { href: hrefWith(path, keptOnly(params, keep)), text: t('filter.reset') })),
  );
  for (const name of ['brand', 'category', 'series', 'model']) {
    ensureOption(form.elements[name], params.get(name));
  }
  fillForm(form, params);
  submitCleanly(form);
  form.elements.brand.addEventListener('change', () => narrowModels(form));
  fillOptions(form, params);
}

/**
 * With an indicator or typical opinion, the drill-down reads `polarity` as the polarity
 * of those mentions rather than of the whole review; the caption says which.
 */
function polarityCaption(path, params) {
  const isMention = path === '/reviews' && (params.get('indicator') || params.get('typical'));
  return t(isMention ? 'filter.mention_polarity' : 'filter.polarity');
}

/** A drop-down with "all" first; `entries` are [value, label] pairs. */
function select(name, entries) {
  return el('select', { name },
    el('option', { value: '', text: t('filter.all') }),
    ...entries.map(([value, label]) => el('option', { value, text: label })));
}

/** Adds `value` to a drop-down that lacks it, so that a value from a link is not lost. */
function ensureOption(selectNode, value) {
  if (!value) return;
  const present = Array.from(selectNode.options).some((o) => o.value === value);
  if (!present) selectNode.append(el('option', { value, text: value }));
}

/** Fills the brand, category, series and model drop-downs from the workspace's values. */
async function fillOptions(form, params) {
  let options;
  try {
    options = await fetchJson('/api/v1/options');
  } catch {
    // Without options the drop-downs still offer "all" and the value from the URL.
    return;
  }
  for (const { name, field } of OPTION_SELECTS) {
    const node = form.elements[name];
    const entries = (options[field] ?? []).map((o) => {
      const option = el('option', { value: o.value, text: o.value });
      if (o.brand) option.dataset.brand = o.brand;
      return option;
    });
    node.replaceChildren(el('option', { value: '', text: t('filter.all') }), ...entries);
    ensureOption(node, params.get(name));
    node.value = params.get(name) ?? '';
  }
  for (const name of ['from', 'to']) {
    if (options.first_day) form.elements[name].min = options.first_day;
    if (options.last_day) form.elements[name].max = options.last_day;
  }
  narrowModels(form);
  form.dataset.options = 'loaded';
}

/** Hides the models of other brands while a brand is chosen. */
function narrowModels(form) {
  const brand = form.elements.brand.value;
  const model = form.elements.model;
  for (const option of model.options) {
    option.hidden = Boolean(brand && option.dataset.brand && option.dataset.brand !== brand);
  }
  if (model.selectedOptions[0]?.hidden) model.value = '';
}

function keptOnly(params, keep) {
  const out = new URLSearchParams();
  for (const name of keep) {
    if (params.get(name)) out.set(name, params.get(name));
  }
  return out;
}

/** Puts the values of `params` into the form's fields of the same name. */
function fillForm(form, params) {
  for (const node of form.elements) {
    if (!node.name) continue;
    const value = params.get(node.name) ?? '';
    if (node.type === 'checkbox') node.checked = ['1', 'true', 'on', 'yes'].includes(value);
    else node.value = value;
  }
}

/** Submits the form as a clean URL (no `brand=` for empty fields). */
function submitCleanly(form) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (String(value).trim()) params.set(key, String(value).trim());
    }
    window.location.assign(hrefWith(form.getAttribute('action'), params));
  });
}
