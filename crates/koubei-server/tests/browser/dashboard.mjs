// Walks the dashboard in headless Chromium as a user would: the indicator table, a number
// followed to the reviews behind it with the evidence highlighted, a hostile review shown
// as text, and a filter that lands in the URL. Started by tests/browser.rs with the
// address of a server it filled; prints what failed and exits 1, or exits 0.
//
//   node dashboard.mjs http://127.0.0.1:PORT SCREENSHOT_DIR

import { chromium } from 'playwright-core';

const [base, shots] = process.argv.slice(2);
const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};

const browser = await chromium.launch({
  executablePath: process.env.KOUBEI_CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('dialog', (dialog) => {
    failures.push('a dialog opened: ' + dialog.message());
    dialog.dismiss();
  });
  page.on('pageerror', (error) => failures.push('script error: ' + error.message));

  // The overview: the indicator table fills from the API.
  await page.goto(base + '/');
  await page.waitForSelector('#indicators tbody td.indicator');
  const names = await page.$$eval('#indicators td.indicator .name', (cells) =>
    cells.map((c) => c.textContent));
  check(names.includes('吸力'), 'the indicator table lists 吸力: ' + names.join(' '));
  await page.screenshot({ path: shots + '/overview.png', fullPage: true });

  // A number leads to the reviews behind it, evidence highlighted.
  const row = page.locator('#indicators tbody tr', { hasText: '吸力' }).first();
  await row.locator('td.num a').first().click();
  await page.waitForURL(/\/reviews\?/);
  const url = new URL(page.url());
  check(url.searchParams.get('indicator') === '产品/清洁能力/吸力',
    'the drill-down URL carries the indicator: ' + page.url());
  await page.waitForSelector('#reviews li.review');
  const marks = await page.$$eval('#reviews mark', (found) => found.map((m) => m.textContent));
  check(marks.includes('吸力大'), 'the evidence 吸力大 is highlighted: ' + marks.join(' '));

  // Review text is data: the hostile review shows its markup as text.
  const texts = await page.$$eval('#reviews li.review', (items) =>
    items.map((i) => i.textContent));
  check(texts.some((t) => t.includes('<script>alert(1)</script>')),
    'the hostile review shows its markup as text');
  check(await page.locator('#reviews img').count() === 0, 'no <img> came from review text');
  await page.screenshot({ path: shots + '/reviews.png', fullPage: true });

  // A filter lands in the URL, so a link reproduces the view.
  await page.goto(base + '/');
  await page.waitForSelector('#indicators tbody td.indicator');
  await page.selectOption('#filters select[name=channel]', 'jd');
  await page.fill('#filters input[name=brand]', '甲');
  await Promise.all([page.waitForURL(/channel=jd/), page.click('#filters button[type=submit]')]);
  const filtered = new URL(page.url()).searchParams;
  check(filtered.get('channel') === 'jd' && filtered.get('brand') === '甲',
    'the filter is in the URL: ' + page.url());
  await page.waitForSelector('#indicators tbody td');
  check(await page.locator('select[name=channel]').inputValue() === 'jd',
    'the form shows the filter from the URL');
} finally {
  await browser.close();
}

if (failures.length) {
  console.error(failures.map((f) => 'FAILED: ' + f).join('\n'));
  process.exit(1);
}
console.log('dashboard walk: all checks passed');
