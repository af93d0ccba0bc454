// Walks the dashboard in headless Chromium as a user would: the overview with its chart,
// the indicator tree, one indicator, a number followed to the reviews behind it with the
// evidence highlighted, the drill-down chips, the Excel export opened and read, a filter
// that lands in the URL, the comparison, the customer-service view and the English switch.
// On every view: no script error, no Content-Security-Policy report, no dialog, and no
// element made from the hostile review or the brand named `<b>乙</b>`.
//
// Started by tests/browser.rs with the address of a server it filled; prints what failed
// and exits 1, or exits 0.
//
//   node dashboard.mjs http://127.0.0.1:PORT SCREENSHOT_DIR

import { readFile } from 'node:fs/promises';
import { inflateRawSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const HOSTILE = '吸力很强<script>alert(1)</script><img src=x onerror=alert(2)>';
const MARKUP_BRAND = '<b>乙</b>';
const SUCTION = '产品/清洁能力/吸力';

const [base, shots] = process.argv.slice(2);
const USER = process.env.KOUBEI_TEST_USER;
const PASSWORD = process.env.KOUBEI_TEST_PASSWORD;
const failures = [];
const check = (ok, what) => {
  if (!ok) failures.push(what);
};

/** Runs one part of the walk; an exception fails that part and the walk goes on. */
async function step(name, work) {
  try {
    await work();
  } catch (error) {
    failures.push(`${name}: ${error.message.split('\n')[0]}`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.KOUBEI_CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
  ],
});

/**
 * Nothing from data became an element: the dashboard itself makes no <img>, <b> or inline
 * <script>, so any of them came from a review, brand or model.
 */
async function checkNoInjection(page, view) {
  const injected = await page.evaluate(() =>
    document.querySelectorAll('img, b, script:not([src]), iframe, object').length);
  check(injected === 0, `${view}: ${injected} element(s) injected from data`);
}

/** Opens a chart's tooltip on one data item, as hovering it would. */
async function showTooltip(page, selector, seriesIndex, dataIndex) {
  await page.evaluate(([sel, series, index]) => {
    const chart = globalThis.echarts.getInstanceByDom(document.querySelector(sel));
    chart.dispatchAction({ type: 'showTip', seriesIndex: series, dataIndex: index });
  }, [selector, seriesIndex, dataIndex]);
  await page.waitForTimeout(200);
}

/** The page's body is not wider than its window (no sideways scrolling of the page). */
async function checkFits(page, view) {
  const [scroll, width] = await page.evaluate(() =>
    [document.documentElement.scrollWidth, window.innerWidth]);
  check(scroll <= width + 1, `${view}: the page is ${scroll}px wide in a ${width}px window`);
}

const texts = (page, selector) =>
  page.$$eval(selector, (found) => found.map((node) => node.textContent.trim()));

try {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  // A missing element fails its step in seconds, so that one broken view does not use up
  // the whole walk's time.
  page.setDefaultTimeout(8000);
  page.on('dialog', (dialog) => {
    failures.push('a dialog opened: ' + dialog.message());
    dialog.dismiss();
  });
  page.on('pageerror', (error) => failures.push('script error: ' + error.message));
  // Chromium reports a blocked script, style or eval both on the console and as an event.
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation',
    (event) => console.error('Content Security Policy violation: ' + event.violatedDirective)));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) {
      failures.push('CSP report: ' + message.text());
    }
  });

  await step('sign in', async () => {
    // Not signed in, a page sends to the sign-in page, which comes back to it afterwards.
    await page.goto(base + '/reviews?polarity=negative');
    await page.waitForURL(/\/login\?next=/);
    await page.screenshot({ path: shots + '/login.png' });
    await page.fill('input[name=username]', USER);
    await page.fill('input[name=password]', 'not the password');
    await page.click('#login button[type=submit]');
    await page.waitForSelector('#status.error');
    check(page.url().includes('/login'), 'a wrong password stays on the sign-in page');
    await page.fill('input[name=username]', USER);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('#login button[type=submit]');
    await page.waitForURL((url) => url.pathname === '/reviews');
    check(new URL(page.url()).searchParams.get('polarity') === 'negative',
      'back on the page asked for, filter kept: ' + page.url());
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'koubei_session');
    check(session && session.httpOnly && session.sameSite === 'Strict',
      'the session cookie is HttpOnly and SameSite=Strict');
    check(await page.evaluate(() => !document.cookie.includes('koubei_session')),
      'scripts cannot read the session cookie');
    await page.waitForSelector('#account .who');
  });

  await step('overview', async () => {
    await page.goto(base + '/');
    await page.waitForSelector('#trend-chart canvas');
    await page.waitForSelector('#most-mentioned a');
    const cards = await texts(page, '#summary .card-value');
    check(cards[0] === '62', 'the reviews card counts the 62 unflagged reviews: ' + cards[0]);
    const mentioned = await texts(page, '#most-mentioned td.indicator');
    check(mentioned.includes('吸力'), 'most mentioned lists 吸力: ' + mentioned.join(' '));
    check(await page.locator('#opinions li a').count() > 0, 'typical opinions are listed');
    check(await page.locator('#alerts li.empty').count() === 1, 'alerts show the empty state');
    await showTooltip(page, '#trend-chart', 0, 3);
    await checkNoInjection(page, 'overview');
    await page.screenshot({ path: shots + '/overview.png', fullPage: true });
  });

  await step('overview chart click', async () => {
    // A click in the middle of the plot opens the reviews of one bucket.
    const box = await page.locator('#trend-chart').boundingBox();
    await Promise.all([
      page.waitForURL(/\/reviews\?/),
      page.mouse.click(box.x + box.width / 2, box.y + box.height / 2),
    ]);
    const url = new URL(page.url()).searchParams;
    check(url.get('from') && url.get('to'), 'a bar leads to a date range: ' + page.url());
  });

  await step('indicator tree', async () => {
    await page.goto(base + '/');
    await Promise.all([page.waitForURL(/\/indicators/), page.click('nav a[data-page=indicators]')]);
    await page.waitForSelector('#tree tbody tr');
    const period = await page.textContent('#period');
    check(/\d{4}-\d\d-\d\d/.test(period), 'the tree names its period: ' + period);
    const suctionRow = `#tree tr[data-indicator="${SUCTION}"]`;
    check(await page.locator(suctionRow).count() === 0, 'depth-2 rows start collapsed');
    await page.click('#expand-all');
    await page.waitForSelector(suctionRow);
    const changes = await page.locator('#tree .change').count();
    check(changes > 0, 'the tree shows changes against the previous period');

    // Sorting by negative mentions keeps children under their parents.
    await page.click('#tree thead th:nth-child(5) button');
    const order = await page.$$eval('#tree tbody tr', (rows) => rows.map((r) => r.dataset.indicator));
    const parentFirst = order.every((path, i) =>
      !path.includes('/') || order.slice(0, i).includes(path.slice(0, path.lastIndexOf('/'))));
    check(parentFirst, 'sorted rows stay under their parents: ' + order.join(' '));
    check(await page.locator('#tree th[aria-sort=descending]').count() === 1,
      'the sorted column says so');
    await checkNoInjection(page, 'indicator tree');
    await page.screenshot({ path: shots + '/indicators.png', fullPage: true });

    await Promise.all([
      page.waitForURL(/\/indicator\?/),
      page.click(`${suctionRow} a.name`),
    ]);
    check(new URL(page.url()).searchParams.get('indicator') === SUCTION,
      'the tree opens the indicator: ' + page.url());
  });

  await step('indicator detail', async () => {
    await page.waitForSelector('#trend-chart canvas');
    await page.waitForSelector('#by-model td');
    check(await page.textContent('#name') === '吸力', 'the detail is headed 吸力');
    const positive = await texts(page, '#positive-opinions .typical');
    check(positive.includes('吸力大'), 'positive opinions list 吸力大: ' + positive.join(' '));
    const models = await texts(page, '#by-model td.indicator');
    check(models.includes('<b>乙</b> T1'), 'a model named in markup shows as text: ' + models);
    check(await page.locator('#reviews li.review').count() > 0, 'the latest reviews are shown');
    await checkNoInjection(page, 'indicator detail');
    await page.screenshot({ path: shots + '/indicator.png', fullPage: true });
  });

  await step('a number to its reviews', async () => {
    await Promise.all([page.waitForURL(/\/reviews\?/), page.click('#summary .card a')]);
    const url = new URL(page.url());
    check(url.searchParams.get('indicator') === SUCTION,
      'the drill-down URL carries the indicator: ' + page.url());
    await page.waitForSelector('#reviews li.review');
    const marks = await texts(page, '#reviews mark');
    check(marks.includes('吸力大'), 'the evidence 吸力大 is highlighted: ' + marks.join(' '));
    check(await page.locator('#reviews mark.focus').count() > 0, 'the opened mentions stand out');
    const chips = await texts(page, '#chips .chip span');
    check(chips.some((c) => c.includes(SUCTION)), 'the indicator shows as a chip: ' + chips);
    await page.screenshot({ path: shots + '/reviews.png' });
    const exportHref = new URL(await page.getAttribute('#export', 'href'), base);
    check(exportHref.pathname === '/api/v1/reviews/export'
      && exportHref.searchParams.get('indicator') === SUCTION,
    'the export link carries the selection: ' + exportHref);
    await Promise.all([
      page.waitForURL((next) => !next.searchParams.has('indicator')),
      page.click('#chips .chip[data-key=indicator] a.remove'),
    ]);
  });

  await step('hostile review', async () => {
    await page.goto(base + '/reviews?keyword=' + encodeURIComponent('<script>'));
    await page.waitForSelector('#reviews li.review');
    const shown = await texts(page, '#reviews li.review .text');
    check(shown.includes(HOSTILE), 'the hostile review shows its markup as text');
    await checkNoInjection(page, 'reviews');
    await page.screenshot({ path: shots + '/reviews-hostile.png', fullPage: true });
  });

  await step('export', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#export'),
    ]);
    check(download.suggestedFilename().endsWith('.xlsx'),
      'the export is an .xlsx file: ' + download.suggestedFilename());
    const file = await readFile(await download.path());
    check(file.subarray(0, 2).toString() === 'PK', 'the export is a zip (starts with PK)');
    const xml = Object.entries(unzip(file))
      .filter(([name]) => name.startsWith('xl/'))
      .map(([, data]) => data.toString('utf8'))
      .join('\n');
    check(xmlText(xml).includes(HOSTILE), 'the export holds the hostile review as text');
    check(!xml.includes('<script>'), 'the export escapes the markup');
  });

  await step('filter in the URL', async () => {
    await page.goto(base + '/');
    await page.waitForSelector('#filters[data-options=loaded]');
    await page.selectOption('#filters select[name=channel]', 'jd');
    await page.selectOption('#filters select[name=brand]', '甲');
    await Promise.all([page.waitForURL(/channel=jd/), page.click('#filters button[type=submit]')]);
    const filtered = new URL(page.url()).searchParams;
    check(filtered.get('channel') === 'jd' && filtered.get('brand') === '甲',
      'the filter is in the URL: ' + page.url());
    await page.waitForSelector('#filters[data-options=loaded]');
    check(await page.locator('select[name=channel]').inputValue() === 'jd',
      'the form shows the channel from the URL');
    check(await page.locator('select[name=brand]').inputValue() === '甲',
      'the form shows the brand from the URL');
    const treeLink = await page.getAttribute('nav a[data-page=indicators]', 'href');
    check(treeLink.includes('channel=jd'), 'navigation keeps the filter: ' + treeLink);
    const brands = await texts(page, '#filters select[name=brand] option');
    check(brands.includes(MARKUP_BRAND), 'the brand named in markup is an option as text');
    await checkNoInjection(page, 'filtered overview');
  });

  await step('compare', async () => {
    const values = ['甲', MARKUP_BRAND, '丙'].join(',');
    await page.goto(base + '/compare?dimension=brand&values=' + encodeURIComponent(values));
    await page.waitForSelector('#compare tbody tr');
    await page.waitForSelector('#interval-chart canvas');
    const heads = await texts(page, '#compare thead .value-name');
    check(heads.join('|') === ['甲', MARKUP_BRAND, '丙'].join('|'),
      'the compared brands head the columns in order: ' + heads.join('|'));
    const cells = await texts(page, '#compare tbody td.num');
    check(cells.some((c) => /\d+\.\d% \(\d+\.\d–\d+\.\d\)/.test(c)),
      'cells show satisfaction with its interval: ' + cells.slice(0, 3).join(' | '));
    await showTooltip(page, '#interval-chart', 2, 1);
    await checkNoInjection(page, 'compare with a tooltip on <b>乙</b>');
    await page.screenshot({ path: shots + '/compare.png', fullPage: true });
  });

  await step('customer service', async () => {
    await page.goto(base + '/service');
    await page.waitForSelector('#tree tbody tr');
    await page.waitForSelector('#trend-chart canvas');
    const complaints = await texts(page, '#complaints .typical');
    check(complaints.some((c) => ['不回复', '物流慢'].includes(c)),
      'typical complaints are listed: ' + complaints.join(' '));
    await checkNoInjection(page, 'service');
    await page.screenshot({ path: shots + '/service.png', fullPage: true });
  });

  await step('English', async () => {
    await page.goto(base + '/');
    await page.waitForSelector('#most-mentioned a');
    await Promise.all([page.waitForNavigation(), page.click('#lang-switch')]);
    await page.waitForSelector('#most-mentioned a');
    check(await page.getAttribute('html', 'lang') === 'en', '<html lang> becomes en');
    const headings = await texts(page, 'main h2');
    check(headings.includes('Most mentioned'), 'headings are in English: ' + headings.join(' | '));
    const nav = await texts(page, 'header nav a');
    check(nav.includes('Indicator tree'), 'navigation is in English: ' + nav.join(' | '));
    await page.screenshot({ path: shots + '/overview-en.png', fullPage: true });

    // The choice is remembered; ?lang= in the URL wins.
    await page.goto(base + '/indicators');
    await page.waitForSelector('#tree tbody tr');
    check(await page.textContent('main h1') === 'Indicator tree', 'English is remembered');
    await page.goto(base + '/indicators?lang=zh');
    await page.waitForSelector('#tree tbody tr');
    check(await page.textContent('main h1') === '指标树', '?lang=zh wins over the memory');
  });

  await step('narrow and wide screens', async () => {
    for (const width of [800, 2560]) {
      await page.setViewportSize({ width, height: 900 });
      const views = ['/', '/indicators', `/indicator?indicator=${SUCTION}`, '/reviews', '/compare',
        '/service'];
      for (const path of views) {
        await page.goto(base + path, { waitUntil: 'networkidle' });
        await checkFits(page, `${path} at ${width}px`);
      }
    }
    await page.goto(base + '/');
    await page.waitForSelector('#trend-chart canvas');
    await page.screenshot({ path: shots + '/overview-wall.png' });
  });

  await step('correct a mention', async () => {
    // An admin (as an analyst) sets a mention's polarity by hand; the page shows it as
    // corrected, with what the engine had said.
    await page.goto(base + '/reviews?lang=zh');
    await page.waitForSelector('.mentions select.correct');
    const select = page.locator('.mentions select.correct').first();
    const target = await select.locator('option[value]:not([value=""])').first().getAttribute('value');
    await select.selectOption(target);
    await page.waitForSelector('.mentions .corrected');
    const note = (await texts(page, '.mentions .corrected'))[0];
    check(note.includes('已人工更正'), 'the mention says it was corrected: ' + note);
    await page.screenshot({ path: shots + '/reviews-corrected.png' });
  });

  await step('admin', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(base + '/');
    await page.click('nav a[data-page=admin]');
    await page.waitForURL((url) => url.pathname === '/admin');
    await page.waitForSelector('#users tbody tr');
    // A name made of markup is shown as text.
    await page.fill('#add-user input[name=username]', '<img src=x onerror=alert(5)>');
    await page.fill('#add-user input[name=password]', 'a long enough password');
    await page.click('#add-user button[type=submit]');
    await page.waitForFunction(() => document.querySelector('#users').textContent
      .includes('<img src=x onerror=alert(5)>'));
    await page.fill('#add-token input[name=name]', 'ERP push');
    await page.click('#add-token button[type=submit]');
    await page.waitForSelector('#new-secret code');
    const secret = (await texts(page, '#new-secret code'))[0];
    check(/^kb_[A-Za-z0-9_-]{43}$/.test(secret), 'a new token is shown once: ' + secret);
    // A review deleted by its number: counted first, deleted on the second click.
    await page.fill('#delete-reviews input[name=review]', '1');
    await page.click('#delete-reviews button[type=submit]');
    await page.waitForSelector('#delete-result button');
    const counted = (await texts(page, '#delete-result'))[0];
    check(/\b1\b/.test(counted), 'the count comes first: ' + counted);
    await page.click('#delete-result button');
    await page.click('#delete-result button');
    await page.waitForFunction(() => !document.querySelector('#delete-result button'));
    const deleted = (await texts(page, '#delete-result'))[0];
    check(/已删除 1 条|1 reviews deleted/.test(deleted), 'the deletion is reported: ' + deleted);
    await page.waitForFunction(() => document.querySelector('#audit').textContent
      .includes('delete_reviews'));
    const audit = (await texts(page, '#audit tbody td')).join(' ');
    check(audit.includes('create_token') && audit.includes('create_user')
      && audit.includes('review=#1'), 'the audit log shows the changes');
    await checkNoInjection(page, 'admin');
    await page.screenshot({ path: shots + '/admin.png', fullPage: true });
  });

  await step('sign out', async () => {
    await page.click('#logout');
    await page.waitForURL(/\/login/);
    await page.goto(base + '/');
    await page.waitForURL(/\/login\?next=/);
    const answer = await page.evaluate(async () => (await fetch('/api/v1/overview')).status);
    check(answer === 401, 'signed out, the API answers 401: ' + answer);
  });

  await step('no way out through the sign-in page', async () => {
    for (const next of ['//evil.example/', '/..//evil.example/', '/\\evil.example/', '/\t/evil.example/',
      'https://evil.example/']) {
      await page.goto(base + '/login?next=' + encodeURIComponent(next));
      await page.fill('input[name=username]', USER);
      await page.fill('input[name=password]', PASSWORD);
      await page.click('#login button[type=submit]');
      await page.waitForURL((url) => url.pathname !== '/login');
      check(page.url().startsWith(base + '/'), `next=${JSON.stringify(next)} stays here: ${page.url()}`);
      await page.goto(base + '/');
      await page.click('#logout');
      await page.waitForURL(/\/login/);
    }
  });
} finally {
  await browser.close();
}

/** The entries of a zip file by name: a reader of the central directory, enough for xlsx. */
function unzip(buffer) {
  const end = buffer.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('no zip directory');
  const count = buffer.readUInt16LE(end + 10);
  let at = buffer.readUInt32LE(end + 16);
  const entries = {};
  for (let i = 0; i < count; i += 1) {
    const method = buffer.readUInt16LE(at + 10);
    const size = buffer.readUInt32LE(at + 20);
    const nameLength = buffer.readUInt16LE(at + 28);
    const extraLength = buffer.readUInt16LE(at + 30);
    const commentLength = buffer.readUInt16LE(at + 32);
    const local = buffer.readUInt32LE(at + 42);
    const name = buffer.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataAt = local + 30 + buffer.readUInt16LE(local + 26) + buffer.readUInt16LE(local + 28);
    const data = buffer.subarray(dataAt, dataAt + size);
    entries[name] = method === 8 ? inflateRawSync(data) : data;
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The text of an XML document: tags dropped, the five entities read back. */
function xmlText(xml) {
  return xml.replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

if (failures.length) {
  console.error(failures.map((f) => 'FAILED: ' + f).join('\n'));
  process.exit(1);
}
console.log('dashboard walk: all checks passed');
