// The indicator tree as an expandable, sortable table, with the change against the
// previous period. Used by the indicator tree view and the customer-service view.
//
// Rows come from the API in tree order (a parent before its children). Sorting orders
// siblings only, so children always stay under their parent; a row whose parent is not in
// the answer is shown as a top-level row. Top-level rows start expanded, deeper parents
// collapsed.

import {
  countLink, el, formatPercent, formatPoints, indicatorHref, reviewsHref,
} from './common.js';
import { t } from './i18n.js';

const MAX_DEPTH_CLASS = 6;

/** The columns: a heading key, how to sort by it, how to fill a cell. */
const COLUMNS = [
  { key: 'col.indicator', sort: (r) => r.name ?? leaf(r.indicator), cell: nameCell, text: true },
  { key: 'col.mentions', sort: (r) => r.mentions, cell: countCell('mentions') },
  { key: 'col.positive', sort: (r) => r.positive, cell: countCell('positive', 'positive') },
  { key: 'col.neutral', sort: (r) => r.neutral, cell: countCell('neutral', 'neutral') },
  { key: 'col.negative', sort: (r) => r.negative, cell: countCell('negative', 'negative') },
  {
    key: 'col.satisfaction',
    hint: 'col.satisfaction_hint',
    sort: (r) => r.satisfaction,
    cell: (r) => formatPercent(r.satisfaction),
  },
  {
    key: 'col.net_sentiment',
    hint: 'col.net_sentiment_hint',
    sort: (r) => r.net_sentiment,
    cell: (r) => formatPercent(r.net_sentiment, true),
  },
  {
    key: 'col.change_mentions',
    sort: (r) => r.change?.mentions,
    cell: (r) => changeMark(r.change?.mentions, formatPercent(r.change?.mentions, true), false),
  },
  {
    key: 'col.change_satisfaction',
    sort: (r) => r.change?.satisfaction,
    cell: (r) => changeMark(r.change?.satisfaction, formatPoints(r.change?.satisfaction), true),
  },
  {
    key: 'col.change_net',
    sort: (r) => r.change?.net_sentiment,
    cell: (r) => changeMark(r.change?.net_sentiment, formatPoints(r.change?.net_sentiment), true),
  },
];

const leaf = (path) => path.split('/').pop();

/**
 * Fills `table` with `rows`. `filters` go into every link (with the period's dates, so a
 * count leads to the reviews it counts). Returns `expandAll(flag)` for a toggle button.
 */
export function treeTable(table, rows, filters) {
  const state = {
    filters,
    roots: buildTree(rows),
    expanded: new Set(),
    sortBy: null,
    descending: true,
  };
  for (const root of state.roots) state.expanded.add(root.row.indicator);

  const render = () => {
    table.replaceChildren(head(state, render), body(state, render));
  };
  render();
  return {
    expandAll(flag) {
      state.expanded.clear();
      walk(state.roots, (node) => {
        if (flag || !node.parent) state.expanded.add(node.row.indicator);
      });
      render();
    },
  };
}

/** Nodes {row, parent, children, order} for `rows`, returning the top-level ones. */
function buildTree(rows) {
  const nodes = new Map();
  rows.forEach((row, order) => {
    nodes.set(row.indicator, { row, order, parent: null, children: [] });
  });
  const roots = [];
  for (const node of nodes.values()) {
    const parent = node.row.parent ? nodes.get(node.row.parent) : undefined;
    if (parent) {
      node.parent = parent;
      parent.children.push(node);
    } else {
      roots.push(node);
    }
  }
  return roots;
}

function walk(nodes, visit, level = 0) {
  for (const node of nodes) {
    visit(node, level);
    walk(node.children, visit, level + 1);
  }
}

function head(state, render) {
  const cells = COLUMNS.map((column, index) => {
    const active = state.sortBy === index;
    const button = el('button', {
      type: 'button',
      class: 'sort',
      title: column.hint ? t(column.hint) : null,
      text: t(column.key) + (active ? (state.descending ? ' ▼' : ' ▲') : ''),
    });
    button.addEventListener('click', () => {
      if (active) state.descending = !state.descending;
      else {
        state.sortBy = index;
        state.descending = !column.text;
      }
      render();
    });
    let ariaSort = 'none';
    if (active) ariaSort = state.descending ? 'descending' : 'ascending';
    return el('th', { class: index ? 'num' : null, 'aria-sort': ariaSort, scope: 'col' }, button);
  });
  return el('thead', {}, el('tr', {}, ...cells));
}

function body(state, render) {
  const tbody = el('tbody');
  if (!state.roots.length) {
    const empty = el('td', { colspan: COLUMNS.length, class: 'empty', text: t('status.empty') });
    tbody.append(el('tr', {}, empty));
    return tbody;
  }
  const visit = (nodes, level) => {
    for (const node of sorted(nodes, state)) {
      tbody.append(row(node, level, state, render));
      if (state.expanded.has(node.row.indicator)) visit(node.children, level + 1);
    }
  };
  visit(state.roots, 0);
  return tbody;
}

/** Siblings in the chosen order; empty values last whichever way, ties in API order. */
function sorted(nodes, state) {
  if (state.sortBy === null) return [...nodes].sort((a, b) => a.order - b.order);
  const key = COLUMNS[state.sortBy].sort;
  const sign = state.descending ? -1 : 1;
  return [...nodes].sort((a, b) => {
    const x = key(a.row);
    const y = key(b.row);
    const xEmpty = x === null || x === undefined;
    const yEmpty = y === null || y === undefined;
    if (xEmpty || yEmpty) return (xEmpty - yEmpty) || a.order - b.order;
    const order = typeof x === 'string' ? x.localeCompare(y) : x - y;
    return sign * order || a.order - b.order;
  });
}

function row(node, level, state, render) {
  const cells = COLUMNS.map((column, index) => {
    const content = column.cell(node.row, state.filters, { node, level, state, render });
    return el('td', { class: index ? 'num' : 'indicator' }, content);
  });
  return el('tr', {
    class: 'depth-' + Math.min(level, MAX_DEPTH_CLASS),
    'data-indicator': node.row.indicator,
  }, ...cells);
}

function nameCell(row, filters, { node, state, render }) {
  const name = row.name ?? leaf(row.indicator);
  const parts = [];
  if (node.children.length) {
    const open = state.expanded.has(row.indicator);
    const toggle = el('button', {
      type: 'button',
      class: 'toggle',
      'aria-expanded': open ? 'true' : 'false',
      'aria-label': t('tree.toggle', { name }),
      text: open ? '▾' : '▸',
    });
    toggle.addEventListener('click', () => {
      if (open) state.expanded.delete(row.indicator);
      else state.expanded.add(row.indicator);
      render();
    });
    parts.push(toggle);
  } else {
    parts.push(el('span', { class: 'toggle-space' }));
  }
  parts.push(el('a', {
    class: 'name', href: indicatorHref(filters, row.indicator), title: row.indicator, text: name,
  }));
  return el('span', { class: 'cell-name' }, ...parts);
}

function countCell(field, polarity) {
  return (row, filters) => countLink(row[field], reviewsHref(filters, {
    indicator: row.indicator, polarity,
  }));
}

/**
 * A change with an arrow: up or down, coloured good or bad when `higherIsBetter`, muted
 * otherwise (more mentions are neither).
 */
function changeMark(value, text, higherIsBetter) {
  if (value === null || value === undefined) return el('span', { class: 'zero', text: '—' });
  if (value === 0) return el('span', { class: 'change flat', text: '0' });
  const up = value > 0;
  let tone = 'muted';
  if (higherIsBetter) tone = up ? 'good' : 'bad';
  return el('span', {
    class: 'change ' + tone,
    title: t(up ? 'change.up' : 'change.down'),
  }, (up ? '▲ ' : '▼ ') + text);
}

/** "本期 … 对比上期 …" for the answer's `period` and `previous`. */
export function periodText(period, previous) {
  if (!period) return '';
  const basis = period.basis === 'latest_30_days' ? t('tree.basis_latest') : t('tree.basis_selected');
  return t('tree.period', {
    from: period.from ?? '…',
    to: period.to ?? '…',
    basis,
    pfrom: previous?.from ?? '…',
    pto: previous?.to ?? '…',
  });
}

/** The filters with the period's dates, so that counts and the reviews behind them agree. */
export function periodFilters(filters, period) {
  const out = new URLSearchParams(filters);
  if (period?.from) out.set('from', period.from);
  if (period?.to) out.set('to', period.to);
  return out;
}
