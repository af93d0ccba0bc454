// The admin page (GET /admin): accounts, API tokens, deleting reviews and the audit log. Every change goes
// through the API with the session's CSRF token; a new token's secret is shown once.

import { el, emptyNote, fetchJson, loading, me, sendJson, shortTime } from './common.js';
import { startPage } from './layout.js';
import { t } from './i18n.js';

startPage({ page: 'admin', path: '/admin' });

function table(node, heads, rows) {
  node.replaceChildren(
    el('thead', {}, el('tr', {}, ...heads.map((h) => el('th', { text: t(h) })))),
    el('tbody', {}, ...rows.map((cells) => el('tr', {}, ...cells.map((c) =>
      (c instanceof Node ? el('td', {}, c) : el('td', { text: c ?? '' })))))));
}

function roleLabel(role) {
  return t('role.' + role);
}

/**
 * A button that acts on its second click: the first turns it into "confirm?", so that a
 * stray click removes nothing. It goes back after a few seconds.
 */
function removeButton(label, work) {
  const button = el('button', { type: 'button', class: 'button', text: t(label) });
  let armed = false;
  button.addEventListener('click', () => {
    if (!armed) {
      armed = true;
      button.textContent = t('admin.confirm');
      button.classList.add('danger');
      setTimeout(() => {
        armed = false;
        button.textContent = t(label);
        button.classList.remove('danger');
      }, 5000);
      return;
    }
    loading(async () => {
      await work();
      await load();
    });
  });
  return button;
}

async function loadUsers() {
  const [{ users }, self] = await Promise.all([fetchJson('/api/v1/users'), me()]);
  table(document.getElementById('users'),
    ['admin.username', 'admin.role', 'admin.state', ''],
    users.map((u) => [
      u.username,
      roleLabel(u.role),
      u.locked_until ? t('admin.locked_until', { time: shortTime(u.locked_until) }) : '',
      // Nobody removes their own account here (the server refuses it too).
      u.username === self.username ? '' : removeButton('admin.remove', () =>
        sendJson('DELETE', '/api/v1/users/' + encodeURIComponent(u.username))),
    ]));
}

async function loadTokens() {
  const { tokens } = await fetchJson('/api/v1/tokens');
  const node = document.getElementById('tokens');
  if (!tokens.length) {
    node.replaceChildren(el('caption', {}, emptyNote()));
    return;
  }
  table(node,
    ['admin.token_name', 'admin.role', 'admin.created', 'admin.state', ''],
    tokens.map((k) => [
      k.name,
      roleLabel(k.role),
      shortTime(k.created_at),
      k.valid ? (k.expires_at ? t('admin.expires', { time: shortTime(k.expires_at) }) : t('admin.valid'))
        : t('admin.invalid'),
      k.revoked_at ? '' : removeButton('admin.revoke', () =>
        sendJson('DELETE', '/api/v1/tokens/' + encodeURIComponent(k.id))),
    ]));
}

async function loadAudit() {
  const { entries } = await fetchJson('/api/v1/audit?limit=200');
  table(document.getElementById('audit'),
    ['admin.at', 'admin.actor', 'admin.action', 'admin.detail'],
    entries.map((e) => [shortTime(e.at), e.actor, e.action, e.detail]));
}

async function load() {
  await Promise.all([loadUsers(), loadTokens(), loadAudit()]);
}

document.getElementById('add-user').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  loading(async () => {
    await sendJson('POST', '/api/v1/users', {
      username: data.get('username'),
      role: data.get('role'),
      password: data.get('password'),
    });
    form.reset();
    await load();
  });
});

document.getElementById('add-token').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const data = new FormData(form);
  const days = data.get('expires_days');
  loading(async () => {
    const created = await sendJson('POST', '/api/v1/tokens', {
      name: data.get('name'),
      role: data.get('role'),
      expires_days: days ? Number(days) : null,
    });
    form.reset();
    const shown = document.getElementById('new-secret');
    shown.replaceChildren(t('admin.secret_once'), el('code', { text: created.secret }));
    shown.hidden = false;
    await load();
  });
});

/** The deletion form's fields as the API takes them; blanks are left out. */
function deletionOf(form) {
  const data = new FormData(form);
  const body = {};
  for (const name of ['author', 'channel', 'source_file', 'before']) {
    const value = String(data.get(name) ?? '').trim();
    if (value) body[name] = value;
  }
  const review = String(data.get('review') ?? '').trim();
  if (review) body.review = Number(review);
  return body;
}

// Counting first: the admin sees how many reviews the selection names (and the masked
// form of the nickname) before a second, deliberate click deletes them.
document.getElementById('delete-reviews').addEventListener('submit', (event) => {
  event.preventDefault();
  const form = event.target;
  const body = deletionOf(form);
  const result = document.getElementById('delete-result');
  loading(async () => {
    const counted = await sendJson('POST', '/api/v1/reviews/delete', body);
    const parts = [t('admin.delete_matched', { n: counted.matched })];
    if (counted.author) parts.push(t('admin.delete_as_stored', { author: counted.author }));
    const nodes = [parts.join(' ')];
    if (counted.matched > 0) {
      nodes.push(' ', removeButton('admin.delete_these', async () => {
        const done = await sendJson('POST', '/api/v1/reviews/delete', { ...body, confirm: true });
        result.replaceChildren(t('admin.deleted', { n: done.deleted }));
        form.reset();
      }));
    }
    result.replaceChildren(...nodes);
    result.hidden = false;
  });
});

loading(load);
