// The first-start page (GET /setup#<secret>): creates the first admin account with the
// one-time secret `koubei serve` printed. The secret rides in the URL's fragment, which
// browsers never send to a server or put in a Referer, and is posted once.

import { showStatus } from './common.js';
import { t, translatePage } from './i18n.js';

translatePage();
const form = document.getElementById('setup');
const secret = decodeURIComponent(window.location.hash.slice(1));

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = new FormData(form);
  if (data.get('password') !== data.get('repeat')) {
    showStatus(t('setup.mismatch'), true);
    return;
  }
  showStatus(t('status.loading'));
  const response = await fetch('/api/v1/setup', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({
      secret,
      username: data.get('username'),
      password: data.get('password'),
    }),
  });
  if (response.ok) {
    window.location.assign('/');
    return;
  }
  let message = response.statusText;
  try {
    const body = await response.json();
    if (typeof body.error === 'string') message = body.error;
  } catch {
    // keep the status text
  }
  showStatus(t('status.failed', { status: response.status, message }), true);
});
