// Customer service (GET /service): the service indicators (客服, 售后, 物流, 安装 …) with
// their change against the previous period, the trend of service mentions and the
// typical complaints, for the service team's daily check.

import { bucketRange, fetchJson, hrefWith, loading, opinionList, reviewsHref } from './common.js';
import { mentionChart } from './charts.js';
import { startPage } from './layout.js';
import { periodFilters, periodText, treeTable } from './tree-table.js';
import { t } from './i18n.js';

const { filters } = startPage({ page: 'service', path: '/service' });

async function load() {
  const data = await fetchJson(hrefWith('/api/v1/service', filters));
  const inPeriod = periodFilters(filters, data.period);
  document.getElementById('period').textContent = periodText(data.period, data.previous);
  document.getElementById('granularity').textContent =
    t('granularity.' + data.trend.granularity);

  // A bar opens the bucket's reviews of the service indicator when there is one root
  // (服务); the drill-down takes one indicator, so with several it opens all reviews.
  const roots = data.indicators.filter((row) => !row.parent);
  const indicator = roots.length === 1 ? roots[0].indicator : '';
  mentionChart(document.getElementById('trend-chart'), data.trend, (point) => {
    const range = bucketRange(point.period, data.trend.granularity);
    window.location.assign(reviewsHref(filters, { ...range, indicator }));
  });
  opinionList(document.getElementById('complaints'), data.complaints, inPeriod);
  treeTable(document.getElementById('tree'), data.indicators, inPeriod);
}

loading(load);
