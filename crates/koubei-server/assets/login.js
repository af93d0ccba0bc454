// The sign-in page (GET /login): posts the name and password to /api/v1/login, whose
// answer sets the session cookie, then goes back to the page that sent the user here.

import { safeNext, showStatus } from './common.js';
import { t, translatePage } from './i18n.js';

translatePage();
const form = document.getElementById('login');
const next = safeNext(new URLSearchParams(window.location.search).get('next'));

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  showStatus(t('status.loading'));
  const data = new FormData(form);
  let response;
  try {
    response = await fetch('/api/v1/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username: data.get('username'), password: data.get('password') }),
    });
  } catch (error) {
    showStatus(error.message, true);
    return;
  }
  if (response.ok) {
    window.location.assign(next);
    return;
  }
  const key = response.status === 429 ? 'login.locked' : 'login.wrong';
  showStatus(t(key), true);
  form.elements.password.value = '';
  form.elements.password.focus();
});
