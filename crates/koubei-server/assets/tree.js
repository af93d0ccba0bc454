// The indicator tree (GET /indicators): every indicator with mentions in the period, its
// satisfaction and net sentiment, and the change against the previous period of equal
// length; expandable and sortable (see tree-table.js).

import { fetchJson, hrefWith, loading } from './common.js';
import { startPage } from './layout.js';
import { periodFilters, periodText, treeTable } from './tree-table.js';
import { t } from './i18n.js';

const { filters } = startPage({ page: 'indicators', path: '/indicators' });

async function load() {
  const data = await fetchJson(hrefWith('/api/v1/indicators/tree', filters));
  document.getElementById('period').textContent = periodText(data.period, data.previous);
  const table = treeTable(document.getElementById('tree'), data.indicators,
    periodFilters(filters, data.period));

  const button = document.getElementById('expand-all');
  let expanded = false;
  button.addEventListener('click', () => {
    expanded = !expanded;
    table.expandAll(expanded);
    button.textContent = t(expanded ? 'tree.collapse_all' : 'tree.expand_all');
    button.setAttribute('aria-pressed', String(expanded));
  });
}

loading(load);
