// The dashboard's charts, drawn by the vendored Apache ECharts (see vendor/SOURCE.md).
//
// Every chart uses the canvas renderer and text-only tooltips (`renderMode: 'richText'`,
// formatters that return plain strings), so a brand, model or indicator name is painted
// as text and never parsed as HTML; nothing here needs more than the page's strict
// Content-Security-Policy allows.

import './vendor/echarts.min.js';
import { formatCount, formatPercent, polarityLabel } from './common.js';
import { lang, t } from './i18n.js';

const { echarts } = globalThis;

export const COLORS = {
  accent: '#1f6feb',
  positive: '#2da44e',
  neutral: '#afb8c1',
  negative: '#cf222e',
  line: '#8250df',
  band: 'rgba(31, 111, 235, 0.25)',
};

const TOOLTIP = {
  trigger: 'axis',
  renderMode: 'richText',
  confine: true,
};

/**
 * Starts a chart in `container` that follows the container's size. Returns the ECharts
 * instance; a second call on the same container replaces the old chart.
 */
export function mountChart(container) {
  echarts.getInstanceByDom(container)?.dispose();
  const chart = echarts.init(container, null, {
    renderer: 'canvas',
    locale: lang === 'en' ? 'EN' : 'ZH',
  });
  new ResizeObserver(() => chart.resize()).observe(container);
  // The canvas says nothing to a screen reader; the section's heading names the chart.
  const heading = container.closest('section')?.querySelector('h2');
  container.setAttribute('role', 'img');
  if (heading) container.setAttribute('aria-label', heading.textContent.trim());
  return chart;
}

/**
 * Calls `onPick(index)` when the user clicks anywhere in the plot over a category, not
 * only on a bar: thin bars of a long period are hard to hit.
 */
function onCategoryClick(chart, onPick) {
  const zr = chart.getZr();
  zr.on('click', (event) => {
    const point = [event.offsetX, event.offsetY];
    if (!chart.containPixel('grid', point)) return;
    // In the grid's data coordinates a category axis gives the category's index.
    const [index] = chart.convertFromPixel({ gridIndex: 0 }, point);
    if (Number.isInteger(index) && index >= 0) onPick(index);
  });
  zr.on('mousemove', (event) => {
    const inside = chart.containPixel('grid', [event.offsetX, event.offsetY]);
    zr.setCursorStyle(inside ? 'pointer' : 'default');
  });
}

/** Tooltip text: the period, then one "name: value" line per series. */
function axisTooltip(format) {
  return (items) => {
    const list = Array.isArray(items) ? items : [items];
    const head = list.length ? String(list[0].axisValueLabel ?? list[0].name) : '';
    const lines = list.map((item) => item.seriesName + ': ' + format(item));
    return [head, ...lines].join('\n');
  };
}

const percentAxis = (min, max) => ({
  type: 'value',
  min,
  max,
  splitLine: { show: false },
  axisLabel: { formatter: (v) => Math.round(v * 100) + '%' },
});

/** A ratio over time as a line on the right-hand axis; empty buckets are bridged. */
const rightLine = (name, data) => ({
  name, type: 'line', yAxisIndex: 1, data, connectNulls: true, symbolSize: 5,
});

const grid = { left: 56, right: 56, top: 40, bottom: 32, containLabel: false };

/**
 * Review volume (bars) and net sentiment (line, right axis) over time. `onPick(point)`
 * gets the clicked bucket.
 */
export function volumeChart(container, trend, onPick) {
  const chart = mountChart(container);
  const points = trend.points ?? [];
  const reviewsName = t('chart.reviews');
  const netName = t('chart.net_sentiment');
  chart.setOption({
    color: [COLORS.accent, COLORS.line],
    grid,
    legend: { top: 4 },
    tooltip: {
      ...TOOLTIP,
      formatter: axisTooltip((item) => item.seriesName === netName
        ? formatPercent(item.value, true)
        : formatCount(item.value)),
    },
    xAxis: { type: 'category', data: points.map((p) => p.period) },
    yAxis: [{ type: 'value', minInterval: 1 }, percentAxis(-1, 1)],
    series: [
      { name: reviewsName, type: 'bar', data: points.map((p) => p.reviews), barMaxWidth: 28 },
      rightLine(netName, points.map((p) => p.net_sentiment)),
    ],
  });
  if (onPick) onCategoryClick(chart, (i) => points[i] && onPick(points[i]));
  return chart;
}

/**
 * Mentions stacked by polarity (bars) and satisfaction (line, right axis) over time.
 * `onPick(point)` gets the clicked bucket.
 */
export function mentionChart(container, trend, onPick) {
  const chart = mountChart(container);
  const points = trend.points ?? [];
  const neutral = (p) => Math.max(0, p.mentions - p.mention_positive - p.mention_negative);
  const satisfactionName = t('chart.satisfaction');
  const stacked = (polarity, values) => ({
    name: polarityLabel(polarity),
    type: 'bar',
    stack: 'mentions',
    barMaxWidth: 28,
    data: values,
  });
  chart.setOption({
    color: [COLORS.positive, COLORS.neutral, COLORS.negative, COLORS.line],
    grid,
    legend: { top: 4 },
    tooltip: {
      ...TOOLTIP,
      formatter: axisTooltip((item) => item.seriesName === satisfactionName
        ? formatPercent(item.value)
        : formatCount(item.value)),
    },
    xAxis: { type: 'category', data: points.map((p) => p.period) },
    yAxis: [{ type: 'value', minInterval: 1 }, percentAxis(0, 1)],
    series: [
      stacked('positive', points.map((p) => p.mention_positive)),
      stacked('neutral', points.map(neutral)),
      stacked('negative', points.map((p) => p.mention_negative)),
      rightLine(satisfactionName, points.map((p) => p.satisfaction)),
    ],
  });
  if (onPick) onCategoryClick(chart, (i) => points[i] && onPick(points[i]));
  return chart;
}

/**
 * One indicator's satisfaction per compared value: a band from the interval's low to its
 * high end and a dot at the estimate. `cells` are the compare answer's cells, reference
 * first (drawn at the top).
 */
export function intervalChart(container, cells) {
  const chart = mountChart(container);
  const ordered = [...cells].reverse();
  const names = ordered.map((c) => c.value);
  const low = ordered.map((c) => c.ci_low ?? null);
  const width = ordered.map((c) => (c.ci_high ?? null) === null || c.ci_low === null
    ? null
    : c.ci_high - c.ci_low);
  const intervalName = t('compare.interval');
  const satisfactionName = t('chart.satisfaction');
  const byName = new Map(cells.map((c) => [c.value, c]));
  chart.setOption({
    grid: { left: 16, right: 32, top: 32, bottom: 28, containLabel: true },
    legend: { top: 0, data: [satisfactionName, intervalName] },
    tooltip: {
      trigger: 'item',
      renderMode: 'richText',
      confine: true,
      formatter: (item) => {
        const cell = byName.get(item.name);
        if (!cell) return item.name;
        return [
          item.name,
          satisfactionName + ': ' + formatPercent(cell.satisfaction),
          '95%: ' + formatPercent(cell.ci_low) + ' – ' + formatPercent(cell.ci_high),
          t('col.mentions') + ': ' + formatCount(cell.mentions),
        ].join('\n');
      },
    },
    xAxis: percentAxis(0, 1),
    yAxis: { type: 'category', data: names, axisLabel: { width: 160, overflow: 'truncate' } },
    series: [
      {
        name: 'base',
        type: 'bar',
        stack: 'interval',
        data: low,
        itemStyle: { color: 'transparent' },
        emphasis: { disabled: true },
        tooltip: { show: false },
        barWidth: 14,
      },
      {
        name: intervalName,
        type: 'bar',
        stack: 'interval',
        data: width,
        itemStyle: { color: COLORS.band, borderRadius: 3 },
        barWidth: 14,
      },
      {
        name: satisfactionName,
        type: 'scatter',
        data: ordered.map((c) => c.satisfaction),
        symbolSize: 12,
        itemStyle: { color: COLORS.accent },
        z: 3,
      },
    ],
  });
  return chart;
}
