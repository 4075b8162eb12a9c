// credential-hub web pages: everything goes through the JSON API under /api.
// Data is always put in the page as text (never as HTML).
'use strict';

// nav counts navigations: a page still loading when another one is asked for never draws itself
const state = { me: null, csrf: null, nav: 0 };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.substring(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

async function api(method, path, body) {
  const headers = { 'Accept': 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  const nav = state.nav;
  const r = await fetch(path, { method, headers, credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body) });
  const data = r.headers.get('Content-Type')?.includes('json') ? await r.json() : await r.text();
  // an answer for a page the user has already left: that page stops here (it would draw over the new one)
  if (method === 'GET' && nav !== state.nav) return new Promise(() => {});
  if (r.status === 401 && path !== '/api/login') { showLogin(); throw new Error('sign in first'); }
  if (!r.ok) throw new Error((data && data.error) || ('HTTP ' + r.status));
  return data;
}

function view(...children) {
  const v = document.getElementById('view');
  v.replaceChildren(...children.filter(c => c !== null && c !== undefined && c !== false));
  return v;
}

function flash(message, kind) {
  const f = el('p', { class: 'flash ' + (kind || 'ok'), role: 'status', id: 'flash', text: message });
  document.getElementById('flash')?.remove();
  document.getElementById('view').prepend(f);
}

// ---------- session ----------

function showLogin() {
  state.me = null;
  document.getElementById('login-view').hidden = false;
  document.getElementById('view').replaceChildren();
  document.getElementById('nav').replaceChildren();
  document.getElementById('who').textContent = '';
  document.getElementById('logout').hidden = true;
}

async function signedIn(me) {
  state.me = me;
  state.csrf = me.csrfToken;
  document.getElementById('login-view').hidden = true;
  document.getElementById('logout').hidden = false;
  document.getElementById('who').textContent = me.username + ' · ' + me.role + (me.district ? ' · district ' + me.district : '');
  const links = [];
  if (me.role === 'ops') links.push(['#/feeds', 'Feeds'], ['#/quarantine', 'Quarantine'], ['#/exceptions', 'Exceptions'],
    ['#/state-queue', 'State queue'], ['#/reports', 'Reports'], ['#/charts', 'Charts'], ['#/status', 'System'],
    ['#/audit', 'Audit'], ['#/acks', 'Acknowledgements']);
  else if (me.role === 'vendor') links.push(['#/acks', 'Acknowledgements']);
  else links.push(['#/exceptions', 'Exceptions'], ['#/entries', 'District entries'], ['#/audit', 'Audit']);
  document.getElementById('nav').replaceChildren(...links.map(([h, t]) => el('a', { href: h, text: t })));
  if (!location.hash || location.hash === '#/') location.hash = links[0][0];
  else route();
}

document.addEventListener('DOMContentLoaded', async () => {
  document.getElementById('login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const err = document.getElementById('login-error');
    err.textContent = '';
    try {
      const me = await api('POST', '/api/login', {
        username: document.getElementById('login-username').value,
        password: document.getElementById('login-password').value });
      document.getElementById('login-password').value = '';
      await signedIn(me);
    } catch (x) { err.textContent = x.message; }
  });
  document.getElementById('logout').addEventListener('click', async () => {
    await api('POST', '/api/logout', {}).catch(() => {});
    showLogin();
  });
  window.addEventListener('hashchange', route);
  // the skip link moves focus to the content without touching the page's address (the hash is the router's)
  document.getElementById('skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    const m = document.getElementById('main');
    m.focus();
    m.scrollIntoView();
  });
  try { await signedIn(await api('GET', '/api/me')); } catch (x) { showLogin(); }
});

function route() {
  if (!state.me) return;
  state.nav++;
  // "#/exceptions?kind=no_match" or "#/feed/certexam": the page and its argument come before the "?"
  const [, page, arg] = location.hash.split('?')[0].split('/');
  document.querySelectorAll('#nav a').forEach(a => a.classList.toggle('active', a.getAttribute('href') === '#/' + page));
  const pages = { exceptions: exceptionsPage, 'state-queue': exceptionsPage, audit: auditPage, feeds: feedsPage, feed: feedPage, delivery: deliveryPage,
    quarantine: quarantinePage, status: statusPage, charts: chartsPage, acks: acksPage, ack: ackPage,
    reports: reportsPage, entries: entriesPage };
  (pages[page] || (() => view(el('p', { text: 'Nothing here.' }))))(arg ? decodeURIComponent(arg) : undefined)
    .catch?.(x => flash(x.message, 'error'));
}

// "2026-11-19 22:13:29.806+00" or ISO -> "2026-11-19 22:13"
function when(ts) {
  if (!ts) return '';
  const m = String(ts).match(/^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2})/);
  return m ? m[1] + ' ' + m[2] + (String(ts).endsWith('Z') ? ' UTC' : '') : String(ts);
}

// A table in its own scrolling box (the page itself never scrolls sideways). A column is
// [header, cell, sortKey]; with sort = { key, dir, onSort(key) } headers with a sortKey are buttons
// that ask the server; with sort = 'here' every titled column sorts the rows shown, in the page.
function table(id, columns, rows, rowAttrs, sort) {
  if (sort === 'here') {
    const t = table(id, columns, rows, rowAttrs);
    t.querySelectorAll('thead th').forEach((h, i) => {
      if (!columns[i][0]) return;
      const b = el('button', { type: 'button', class: 'sort', 'data-sort': i, onclick: () => sortHere(t, i, h) }, columns[i][0]);
      h.replaceChildren(b);
    });
    return t;
  }
  const th = (c) => {
    const header = c[0];
    if (!sort || !c[2]) return el('th', { scope: 'col' }, header);
    const on = sort.key === c[2];
    return el('th', { scope: 'col', 'aria-sort': on ? (sort.dir === 'desc' ? 'descending' : 'ascending') : null },
      el('button', { type: 'button', class: 'sort', 'data-sort': c[2], onclick: () => sort.onSort(c[2]) },
        header, on ? (sort.dir === 'desc' ? ' ▼' : ' ▲') : ''));
  };
  // a box that scrolls sideways is reachable by keyboard (tab to it, then the arrow keys)
  return el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'table: ' + id.replaceAll('-', ' ') }, el('table', { id, class: 'data' },
    el('thead', {}, el('tr', {}, columns.map(th))),
    el('tbody', {}, rows.map(r => el('tr', rowAttrs ? rowAttrs(r) : {},
      columns.map(c => { const v = c[1](r); return el('td', {}, v instanceof Node ? v : (v ?? '')); }))))));
}

// Sorts a table's rows by one column, in the page: numbers as numbers, then text; again reverses.
function sortHere(wrap, col, th) {
  const dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
  wrap.querySelectorAll('thead th').forEach(h => h.removeAttribute('aria-sort'));
  th.setAttribute('aria-sort', dir);
  const body = wrap.querySelector('tbody');
  const key = (tr) => (tr.children[col]?.textContent || '').trim();
  const rows = [...body.children].sort((a, b) => {
    const x = key(a), y = key(b);
    const nx = parseFloat(x), ny = parseFloat(y);
    const c = (!isNaN(nx) && !isNaN(ny) && /^[\d.\-%]+$/.test(x) && /^[\d.\-%]+$/.test(y)) ? nx - ny
      : x.localeCompare(y, undefined, { numeric: true, sensitivity: 'base' });
    return dir === 'ascending' ? c : -c;
  });
  body.replaceChildren(...rows);
}

function hashParams() { return new URLSearchParams(location.hash.split('?')[1] || ''); }

// The same page with some parameters changed (null removes one).
function withParams(changes) {
  const p = hashParams();
  for (const [k, v] of Object.entries(changes)) { if (v === null || v === '' || v === undefined) p.delete(k); else p.set(k, v); }
  const page = location.hash.split('?')[0] || '#/';
  return page + (p.toString() ? '?' + p.toString() : '');
}

// ---------- district exception queue ----------

const KINDS = { no_match: 'No match', ambiguous: 'Two or more candidates', not_enrolled: 'Not enrolled in an aligned course',
  unknown_exam_code: 'Unknown exam code', pending_entry: 'District entry to validate',
  unknown_agreement: 'Credit award: no such articulation agreement', credit_not_earned: 'Credit award: credential not earned' };

// The queue as last shown: its rows (for next/previous) and the exception open in the detail panel.
const queue = { items: [], current: null, detail: null };

// The state's queue (#/state-queue, operations): exceptions no district could be told for, e.g. badges of
// unknown earners, shown with the identifiers the vendor sent (record id, earner id, e-mail, name).
const stateQueue = () => location.hash.startsWith('#/state-queue');

// Where a row came from: an API record by its own id, a file by its name and row.
const sourceOf = (r) => r.source_ref ? 'record ' + r.source_ref : (r.source || '') + ' #' + r.row;

async function exceptionsPage(openId) {
  const params = hashParams();
  const base = location.hash.split('?')[0] || '#/exceptions';
  const stateQ = stateQueue();
  const filters = ['kind', 'feed', 'school', 'credential', 'minAgeDays', 'status', 'assignee', 'suggested'];
  const form = el('form', { id: 'exception-filters', class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const f of filters) {
      const e = form.elements[f];
      const v = e.type === 'checkbox' ? (e.checked ? 'true' : '') : e.value.trim();
      if (v) q.set(f, v);
    }
    for (const k of ['sort', 'dir']) if (params.get(k)) q.set(k, params.get(k));
    const target = base + (q.toString() ? '?' + q.toString() : '');
    if (location.hash === target) route(); else location.hash = target;
  } },
    el('label', {}, 'Kind ', el('select', { name: 'kind' }, el('option', { value: '', text: 'all' }),
      Object.entries(KINDS).map(([k, t]) => el('option', { value: k, text: t, selected: params.get('kind') === k })))),
    ['feed', 'school', 'credential'].map(f => el('label', {}, f[0].toUpperCase() + f.slice(1) + ' ',
      el('input', { name: f, value: params.get(f) || '', size: 10 }))),
    el('label', {}, 'Older than (days) ', el('input', { name: 'minAgeDays', type: 'number', min: 0, value: params.get('minAgeDays') || '', size: 4 })),
    el('label', {}, 'Status ', el('select', { name: 'status' }, ['open', 'resolved', 'all'].map(s =>
      el('option', { value: s, text: s, selected: (params.get('status') || 'open') === s })))),
    el('label', {}, 'Assigned ', el('select', { name: 'assignee' }, [['', 'anyone'], ['me', 'mine'], ['none', 'nobody']].map(([v, t]) =>
      el('option', { value: v, text: t, selected: (params.get('assignee') || '') === v })))),
    el('label', { class: 'inline' }, el('input', { type: 'checkbox', name: 'suggested', checked: params.get('suggested') === 'true' }),
      'Only clearly-ahead suggestions'),
    el('button', { type: 'submit', text: 'Filter' }));
  const apiParams = new URLSearchParams(params);
  if (stateQ) apiParams.set('district', 'none');
  const data = await api('GET', '/api/exceptions?' + apiParams.toString());
  queue.items = data.items;
  const counts = el('p', { id: 'exception-counts', class: 'counts' }, 'Total ', el('strong', { id: 'exception-total', text: data.total }),
    Object.entries(data.counts).map(([k, n]) => el('span', { class: 'badge', text: (KINDS[k] || k) + ': ' + n })));
  const selected = new Set();
  const noteFor = () => document.getElementById('bulk-note')?.value || '';
  const bulk = el('div', { class: 'bulk' },
    el('label', { class: 'inline' }, el('input', { type: 'checkbox', id: 'select-page', onclick: (e) => {
      document.querySelectorAll('#exceptions-table input.select-row').forEach(b => {
        b.checked = e.target.checked; const id = Number(b.dataset.id); e.target.checked ? selected.add(id) : selected.delete(id); });
    } }), 'Select all on this page'),
    el('button', { type: 'button', id: 'select-suggested', class: 'secondary', onclick: () => {
      document.querySelectorAll('#exceptions-table input.select-row').forEach(b => {
        const on = b.dataset.suggested === 'true'; b.checked = on; const id = Number(b.dataset.id); on ? selected.add(id) : selected.delete(id); });
    } }, 'Select the clearly-ahead suggestions'),
    el('button', { id: 'bulk-accept', onclick: () => previewAccept(selected, noteFor()) }, 'Accept suggestions of selected…'),
    el('button', { id: 'bulk-reject', class: 'danger', onclick: () => bulkDecide('reject', selected, noteFor()) }, 'Reject selected'),
    el('button', { id: 'bulk-defer', onclick: () => bulkDecide('defer', selected, noteFor()) }, 'Defer selected'),
    el('button', { id: 'bulk-take', class: 'secondary', onclick: () => bulkAssign(selected, true) }, 'Take selected (mine)'),
    el('input', { id: 'bulk-note', placeholder: 'note for the selected (optional)', 'aria-label': 'note for the selected exceptions', size: 24 }),
    el('a', { href: '/api/exceptions.csv?' + apiParams.toString(), id: 'export-csv', text: 'Export CSV' }));
  const offset = Number(data.offset || 0), limit = Number(data.limit || data.items.length || 100);
  const pager = (where) => el('nav', { class: 'pager', 'aria-label': 'pages of the queue (' + where + ')' },
    el('span', { class: 'range', id: where === 'top' ? 'exception-range' : null,
      text: data.total ? 'Showing ' + (offset + 1) + '–' + (offset + data.items.length) + ' of ' + data.total : 'Nothing to show' }),
    el('a', { class: 'button prev', href: withParams({ offset: offset - limit > 0 ? offset - limit : null }),
      'aria-disabled': offset <= 0 ? 'true' : null, hidden: offset <= 0 }, '← Previous ' + limit),
    el('a', { class: 'button next', href: withParams({ offset: offset + limit }),
      hidden: offset + data.items.length >= data.total }, 'Next ' + Math.min(limit, data.total - offset - data.items.length) + ' →'));
  const sortKey = params.get('sort'), dir = params.get('dir') || 'asc';
  const sort = { key: sortKey, dir, onSort: (k) => {
    location.hash = withParams({ sort: k, dir: k === sortKey && dir === 'asc' ? 'desc' : 'asc', offset: null }); } };
  const columns = [
    ['', r => el('input', { type: 'checkbox', class: 'select-row', 'data-id': r.id, 'data-suggested': r.suggested ? 'true' : 'false',
      'aria-label': 'select exception ' + r.id,
      onclick: (e) => { e.stopPropagation(); e.target.checked ? selected.add(r.id) : selected.delete(r.id); } })],
    ['Kind', r => KINDS[r.kind] || r.kind, 'kind'], ['Status', r => r.status + (r.resolution ? ' (' + r.resolution + ')' : ''), 'status'],
    stateQ ? null : ['District', r => r.district || 'state', 'district'],
    ['Feed', r => r.feed, 'feed'], [stateQ ? 'Record' : 'File / record', sourceOf, 'source'],
    stateQ ? ['Vendor candidate id', r => r.vendor_candidate_id] : null, stateQ ? ['E-mail sent', r => r.email] : null,
    ['Credential', r => r.credential_name || r.exam_code, 'credential'], ['Attempted', r => r.attempted_on, 'attempted'],
    ['Passed', r => r.passed ? 'yes' : 'no'], ['Name sent', r => [r.last_name, r.first_name].filter(Boolean).join(', '), 'name'],
    stateQ ? null : ['School sent', r => r.school_name, 'school'],
    ['Suggestion', r => r.suggested ? el('span', { class: 'suggested', title: 'match weight ' + Number(r.top_weight).toFixed(1)
      + (r.runner_up_weight == null ? ', no runner-up' : ' vs ' + Number(r.runner_up_weight).toFixed(1)) }, 'clearly ahead') : ''],
    ['Assigned', r => r.assigned_to || ''], ['Age (days)', r => r.age_days, 'age']].filter(Boolean);
  const tbl = table('exceptions-table', columns,
    data.items, r => ({ 'data-id': r.id, class: 'clickable', tabindex: 0,
      onclick: () => exceptionDetail(r.id), onkeydown: (e) => { if (e.key === 'Enter') exceptionDetail(r.id); } }), sort);
  view(el('h1', { text: stateQ ? 'State queue: exceptions no district could be told for' : 'Exceptions' }),
    stateQ ? el('p', { class: 'hint', text: 'Records whose earner no district could be told for (e.g. badges of unknown earners), '
      + 'with the identifiers the vendor sent. Link one to a student of any district, or reject it.' }) : null,
    form, counts, bulk, el('div', { id: 'accept-preview' }),
    el('p', { class: 'shortcuts', id: 'shortcuts' }, 'Keys: ', el('kbd', { text: 'j' }), ' / ', el('kbd', { text: 'k' }),
      ' next / previous exception, ', el('kbd', { text: '1' }), '–', el('kbd', { text: '3' }), ' link to candidate 1–3, ',
      el('kbd', { text: 'r' }), ' reject, ', el('kbd', { text: 'd' }), ' defer (then the next exception opens).'),
    pager('top'), el('div', { id: 'exception-detail' }), tbl, pager('bottom'));
  queue.current = null;
  if (openId) await exceptionDetail(Number(openId));
}

async function bulkDecide(action, selected, note) {
  if (!selected.size) { flash('Select exceptions first.', 'error'); return; }
  try {
    const r = await api('POST', '/api/exceptions/bulk', { ids: [...selected], action, note: note || undefined });
    await exceptionsPage();
    const verb = action === 'reject' ? 'rejected' : 'deferred';
    flash(r.decided.length + ' ' + verb + (r.failed.length ? '; ' + r.failed.length + ' not decided: '
      + r.failed.map(f => 'exception ' + f.id + ' (' + f.error + ')').join(', ') : '') + '.', r.failed.length ? 'error' : 'ok');
  } catch (x) { flash('Nothing was ' + (action === 'reject' ? 'rejected' : 'deferred') + ': ' + x.message, 'error'); }
}

// Bulk accept of suggestions: a preview of what would be linked (each selected exception whose top candidate is
// clearly ahead, and the skipped ones), then the links in one action.
async function previewAccept(selected, note) {
  const box = document.getElementById('accept-preview');
  if (!selected.size) { flash('Select exceptions first.', 'error'); return; }
  let p;
  try { p = await api('POST', '/api/exceptions/accept-suggestions', { ids: [...selected], preview: true }); }
  catch (x) { flash(x.message, 'error'); return; }
  const w = (v) => v == null ? '—' : Number(v).toFixed(1);
  box.replaceChildren(el('section', { class: 'card', id: 'accept-preview-card', 'aria-label': 'preview of the suggestions to accept' },
    el('h2', { text: 'Accept ' + p.suggestions.length + ' suggestion(s)?' }),
    p.skipped.length ? el('p', { id: 'accept-skipped', text: p.skipped.length + ' selected exception(s) have no clearly-ahead suggestion and stay as they are: '
      + p.skipped.join(', ') + '.' }) : null,
    p.suggestions.length ? table('accept-table', [['Exception', s => s.id],
      ['Name sent', s => [s.sent_last_name, s.sent_first_name].filter(Boolean).join(', ')],
      ['Link to', s => s.last_name + ', ' + s.first_name], ['Born', s => s.birth_date], ['School', s => s.school_name],
      ['Match weight', s => w(s.top_weight)], ['Runner-up', s => w(s.runner_up_weight)],
      ['Probability', s => Math.round(100 * Number(s.top_probability)) + '%']], p.suggestions) : null,
    el('div', { class: 'actions' },
      p.suggestions.length ? el('button', { id: 'accept-confirm', onclick: async () => {
        try {
          const r = await api('POST', '/api/exceptions/accept-suggestions', { ids: p.suggestions.map(s => s.id), note: note || undefined });
          await exceptionsPage();
          flash(r.decided.length + ' linked to the suggested student' + (r.failed.length ? '; ' + r.failed.length + ' not decided: '
            + r.failed.map(f => 'exception ' + f.id + ' (' + f.error + ')').join(', ') : '') + '.', r.failed.length ? 'error' : 'ok');
        } catch (x) { flash('Nothing was linked: ' + x.message, 'error'); }
      } }, 'Link ' + p.suggestions.length) : null,
      el('button', { class: 'secondary', id: 'accept-cancel', onclick: () => box.replaceChildren() }, 'Cancel'))));
  box.scrollIntoView({ block: 'start' });
}

async function bulkAssign(selected, take) {
  if (!selected.size) { flash('Select exceptions first.', 'error'); return; }
  try {
    const r = await api('POST', '/api/exceptions/assign', { ids: [...selected], take });
    await exceptionsPage();
    flash(r.changed.length + (take ? ' taken: they are yours now.' : ' given back.'));
  } catch (x) { flash(x.message, 'error'); }
}

// The matcher's reasons ("birth_date: different (−4.1)") in plain words, with the weight kept.
const FIELD_WORDS = { first_name: 'first name', last_name: 'last name', birth_date: 'birth date', school: 'school', state_id: 'state ID' };
function plainReason(reason) {
  const m = String(reason).match(/^(\w+): (.*?)(?: \(([+\u2212-])([\d.]+)\))?$/);
  if (!m) return { text: String(reason), weight: null };
  const [, field, level, sign, w] = m;
  const name = FIELD_WORDS[field] || field.replaceAll('_', ' ');
  const swapped = level.includes('first/last names swapped') ? ' (first and last names swapped)' : '';
  const base = level.split(',')[0].trim();
  const words = {
    'exact': name + ' same', 'nickname': 'first name is a nickname', 'different': name + ' differs',
    'missing': name + ' not sent', 'jaro-winkler ≥ 0.92': name + ' nearly the same', 'jaro-winkler ≥ 0.80': name + ' similar',
    'day/month swapped': 'birth date with day and month swapped', 'one digit differs': name + ' one digit off',
    'one digit off': name + ' one digit off', 'same year only': 'birth date: same year only',
    'same school': 'same school', 'same district, other school': 'other school, same district' };
  const text = (words[base] || name + ': ' + base) + swapped;
  return { text, weight: w ? (sign === '+' ? '+' : '−') + w : null, against: sign && sign !== '+' };
}

const norm = (v) => String(v ?? '').trim().toLowerCase();

function decisionText(x) {
  if (x.action === 'assign') return (x.assigned_to ? 'Taken by ' + x.assigned_to : 'Given back by ' + x.by) + ' on ' + when(x.at);
  const verb = { link: 'Linked', reject: 'Rejected', defer: 'Deferred', reopen: 'Undone (reopened)' }[x.action] || x.action;
  return verb + ' by ' + x.by + ' on ' + when(x.at) + (x.note ? ' — note: ' + x.note : '');
}

// The caller's own latest decision on the exception, when it can still be undone.
function undoable(d) {
  const last = [...(d.decisions || [])].reverse().find(x => x.action !== 'assign');
  return last && ['link', 'reject', 'defer'].includes(last.action) && last.by === state.me.username
    && Number(last.minutes_ago) < Number(d.undo_minutes) ? last : null;
}

async function exceptionDetail(id) {
  const d = await api('GET', '/api/exceptions/' + id);
  queue.current = id;
  document.querySelectorAll('#exceptions-table tr.current').forEach(t => t.classList.remove('current'));
  document.querySelector('#exceptions-table tr[data-id="' + id + '"]')?.classList.add('current');
  const open = d.status !== 'resolved';
  const note = el('input', { id: 'decision-note', placeholder: 'note (optional)', 'aria-label': 'note on the decision', size: 30 });
  const decide = async (body) => {
    body.note = note.value || undefined;
    const at = queue.items.findIndex(i => i.id === id);
    const after = queue.items.slice(at + 1).map(i => i.id).concat(queue.items.slice(0, Math.max(at, 0)).map(i => i.id));
    try {
      await api('POST', '/api/exceptions/' + id + '/decision', body);
    } catch (x) { flash(x.message, 'error'); return; }
    await exceptionsPage();
    const next = after.find(n => n !== id && queue.items.some(i => i.id === n));
    if (next) await exceptionDetail(next);
    flash('Decision saved for exception ' + id + '.' + (next ? ' Next: exception ' + next + '.' : ' No more exceptions on this page.'));
  };
  const linkButton = (s, i) => el('button', { class: 'link-student', 'data-student': s.student_id,
    onclick: () => decide({ action: 'link', studentId: s.student_id }) }, i === undefined ? 'Link' : 'Link candidate ' + (i + 1));
  const results = el('div', { id: 'roster-results' });
  const search = el('form', { id: 'roster-search', role: 'search', onsubmit: async (e) => {
    e.preventDefault();
    try {
      const r = await api('GET', '/api/roster/search?q=' + encodeURIComponent(search.elements.q.value));
      results.replaceChildren(r.students.length ? table('roster-table', [['Name', s => s.last_name + ', ' + s.first_name],
        ['Born', s => s.birth_date], ['School', s => s.school_name || s.school_code], ['', s => linkButton(s)]], r.students)
        : el('p', { id: 'roster-none', text: 'No student of your district by that name or state ID.' }));
    } catch (x) { flash(x.message, 'error'); }
  } }, el('label', { class: 'inline' }, 'Search the roster ',
    el('input', { name: 'q', placeholder: 'Last, First · First Last · state ID', size: 28 })),
    el('button', { type: 'submit', text: 'Search roster' }));
  // side by side: what the vendor sent, and each candidate, differing fields marked
  const cands = d.candidates.slice(0, 3);
  const fields = [['Last name', 'last_name', 'last_name'], ['First name', 'first_name', 'first_name'],
    ['Birth date', 'birth_date', 'birth_date'], ['School', 'school_name', 'school_name']];
  const cell = (sent, got) => {
    if (!norm(sent) || !norm(got)) return el('td', {}, got ?? '');
    const same = norm(sent) === norm(got);
    return el('td', { class: same ? 'same' : 'differs' }, got, same ? '' : el('span', { class: 'tag', text: ' differs' }));
  };
  const compare = cands.length ? el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'sent and candidates side by side' }, el('table', { id: 'compare-table', class: 'data compare' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: '' }), el('th', { scope: 'col', text: 'Sent by the vendor' }),
      cands.map((s, i) => el('th', { scope: 'col', text: 'Candidate ' + (i + 1) })))),
    el('tbody', {},
      fields.map(([label, sentKey, candKey]) => el('tr', {}, el('th', { scope: 'row', text: label }), el('td', { text: d[sentKey] ?? '' }),
        cands.map(s => cell(d[sentKey], s[candKey] ?? (candKey === 'school_name' ? s.school_code : ''))))),
      el('tr', {}, el('th', { scope: 'row', text: 'Match weight' }), el('td', { text: '' }),
        cands.map(s => el('td', { class: 'weight', text: Number(s.score).toFixed(1) }))),
      el('tr', {}, el('th', { scope: 'row', text: 'Why' }), el('td', { text: '' }),
        cands.map(s => el('td', {}, el('ul', { class: 'reasons' }, (s.reasons || []).map(plainReason).map(r =>
          el('li', { class: r.weight === null ? 'note' : r.against ? 'against' : 'for' }, r.text, r.weight ? el('span', { class: 'w', text: ' (' + r.weight + ')' }) : '')))))),
      open ? el('tr', {}, el('th', { scope: 'row', text: '' }), el('td', { text: '' }),
        cands.map((s, i) => el('td', {}, linkButton(s, i), ' ', el('kbd', { text: String(i + 1) })))) : null)))
    : el('p', { text: 'The matcher found no candidate in this district.' });
  const mine = undoable(d);
  const undo = mine ? el('button', { type: 'button', id: 'undo-decision', class: 'secondary', onclick: async () => {
    try { await api('POST', '/api/exceptions/' + id + '/reopen', {}); }
    catch (x) { flash(x.message, 'error'); return; }
    await exceptionsPage();
    await exceptionDetail(id);
    flash('Your decision (' + mine.action + ') is undone: exception ' + id + ' is open again.');
  } }, 'Undo my decision (' + mine.action + ')') : null;
  const history = d.decisions && d.decisions.length ? el('section', { id: 'decision', class: 'decision' },
    el('h3', { text: open ? 'History' : 'Decision and history' }),
    el('ul', { id: 'decision-history' }, d.decisions.map(x => el('li', { text: decisionText(x) }))), undo) : (!open ? el('section', { id: 'decision', class: 'decision' },
      el('h3', { text: 'Decision' }), el('p', { text: (d.resolution || 'resolved') + (d.resolved_by ? ' by ' + d.resolved_by : '')
        + (d.resolved_at ? ' on ' + when(d.resolved_at) : '') })) : null);
  const at = queue.items.findIndex(i => i.id === id);
  const panel = el('section', { class: 'card detail', id: 'detail-' + id, tabindex: -1, 'aria-label': 'exception ' + id },
    el('div', { class: 'detail-head' },
      el('h2', { text: (KINDS[d.kind] || d.kind) + ' — exception ' + d.id + (open ? '' : ' (resolved: ' + (d.resolution || '') + ')') }),
      el('span', { class: 'position', text: at >= 0 ? (at + 1) + ' of ' + queue.items.length + ' on this page' : '' }),
      el('button', { type: 'button', class: 'secondary', id: 'prev-exception', onclick: () => step(-1), disabled: at <= 0 }, '← Previous (k)'),
      el('button', { type: 'button', class: 'secondary', id: 'next-exception', onclick: () => step(1), disabled: at < 0 || at >= queue.items.length - 1 }, 'Next (j) →'),
      open ? el('button', { type: 'button', class: 'secondary', id: 'take-exception', onclick: async () => {
        try { await api('POST', '/api/exceptions/assign', { ids: [id], take: d.assigned_to !== state.me.username }); }
        catch (x) { flash(x.message, 'error'); return; }
        await exceptionsPage(); await exceptionDetail(id);
      } }, d.assigned_to === state.me.username ? 'Give back' : (d.assigned_to ? 'Take (from ' + d.assigned_to + ')' : 'Take (mine)')) : null,
      el('button', { type: 'button', class: 'secondary', id: 'close-detail', onclick: () => {
        queue.current = null; document.getElementById('exception-detail').replaceChildren(); } }, 'Close')),
    history,
    el('dl', { class: 'facts' }, [['Feed', d.feed], [d.source_ref ? 'Record' : 'File / record', sourceOf(d)],
      ['Assigned to', d.assigned_to || 'nobody'], ['Vendor candidate', d.vendor_candidate_id], ['Exam code', d.exam_code], ['Credential', d.credential_name],
      ['Attempted', d.attempted_on], ['Passed', d.passed ? 'yes' : 'no'], ['Exam score', d.score],
      ['E-mail sent', d.email]].map(([k, v]) => [el('dt', { text: k }), el('dd', { text: v ?? '' })])),
    el('h3', { text: 'Sent by the vendor and the candidate students' }),
    cands.length ? compare : el('div', {}, el('table', { id: 'compare-table', class: 'data compare' },
      el('tbody', {}, fields.map(([label, sentKey]) => el('tr', {}, el('th', { scope: 'row', text: label }), el('td', { text: d[sentKey] ?? '' }))))),
      compare),
    open ? [el('h3', { text: 'Find the student' }), search, results,
      el('div', { class: 'actions' }, note,
        el('button', { id: 'reject', class: 'danger', onclick: () => decide({ action: 'reject' }) }, 'Reject (not our student / invalid) (r)'),
        el('button', { id: 'defer', onclick: () => decide({ action: 'defer' }) }, 'Defer (d)'))] : null);
  queue.detail = { id, decide, candidates: cands, open };
  document.getElementById('exception-detail').replaceChildren(panel);
  panel.scrollIntoView({ block: 'start' });
  panel.focus({ preventScroll: true });
}

function step(delta) {
  const at = queue.items.findIndex(i => i.id === queue.current);
  const next = queue.items[at < 0 ? 0 : at + delta];
  if (next) exceptionDetail(next.id).catch(x => flash(x.message, 'error'));
}

// Keys on the exception queue (not while typing in a field).
document.addEventListener('keydown', (e) => {
  if (!document.getElementById('exceptions-table') || e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
  const d = queue.detail && queue.detail.id === queue.current ? queue.detail : null;
  if (e.key === 'j') { step(1); e.preventDefault(); }
  else if (e.key === 'k') { step(-1); e.preventDefault(); }
  else if (d && d.open && ['1', '2', '3'].includes(e.key) && d.candidates[Number(e.key) - 1]) {
    e.preventDefault(); d.decide({ action: 'link', studentId: d.candidates[Number(e.key) - 1].student_id });
  } else if (d && d.open && e.key === 'r') { e.preventDefault(); d.decide({ action: 'reject' }); }
  else if (d && d.open && e.key === 'd') { e.preventDefault(); d.decide({ action: 'defer' }); }
});

// ---------- operations console ----------

// What a feed's state means to the person on duty (see GET /api/feeds, field state).
function feedState(f) {
  const st = f.state || (f.late ? 'late' : 'on_time');
  if (st === 'late') return el('span', { class: 'flag late-flag', text: 'LATE (due ' + when(f.due_by) + ')' });
  if (st === 'never_delivered') return el('span', { class: 'flag late-flag', text: 'never delivered' });
  if (st === 'not_pulled') return el('span', { class: 'flag late-flag', text: 'not pulled (no secret)' });
  if (st === 'on_time') return el('span', { class: 'flag ok-flag', text: 'on time' });
  return el('span', { class: 'flag', text: '—' });
}

async function feedsPage() {
  const data = await api('GET', '/api/feeds');
  view(el('h1', { text: 'Feeds' }),
    table('feeds-table', [['Feed', f => el('a', { href: '#/feed/' + f.feed, text: f.feed })], ['Kind', f => f.kind],
      ['Last delivery', f => f.last_source ? f.last_source + ' (' + f.last_status + ')' : 'none yet'],
      ['When', f => when(f.last_received)], ['Cadence', f => f.cadence],
      ['Status', feedState],
      ['Deliveries', f => f.deliveries], ['Rows accepted', f => f.rows_accepted], ['Rows rejected', f => f.rows_rejected],
      ['Quarantined', f => f.quarantined], ['Match rate', f => f.match_rate == null ? '' : f.match_rate + '%'],
      ['Open exceptions', f => f.open_exceptions]],
      data.feeds, f => ({ 'data-feed': f.feed, 'data-state': f.state || '',
        class: ['late', 'never_delivered', 'not_pulled'].includes(f.state) ? 'late' : '' }), 'here'));
}

async function feedPage(feed) {
  const data = await api('GET', '/api/feeds/' + encodeURIComponent(feed) + '/deliveries');
  view(el('h1', { text: 'Feed ' + feed }),
    table('deliveries-table', [['Delivery', d => el('a', { href: '#/delivery/' + d.id, text: d.id })], ['File', d => d.source],
      ['Status', d => d.status], ['Received', d => when(d.received)], ['Read', d => d.rows_read], ['Accepted', d => d.rows_accepted],
      ['Rejected', d => d.rows_rejected], ['Reason', d => d.reason]], data.deliveries, null, 'here'),
    el('p', { class: 'counts', text: data.deliveries.length + ' deliveries shown' + (data.deliveries.length >= 500 ? ' (the latest 500)' : '') }));
}

async function deliveryPage(id) {
  const d = await api('GET', '/api/deliveries/' + id);
  const sum = d.summary || {};
  const fact = (id, label, n) => el('div', { class: 'stat', id }, el('span', { class: 'n', text: n ?? 0 }), el('span', { class: 'l', text: label }));
  view(el('h1', { text: 'Delivery ' + d.id + ': ' + d.source }),
    el('p', { text: d.feed + ' · ' + d.status + ' · received ' + when(d.received) + (d.reason ? ' · ' + d.reason : '') }),
    el('h2', { text: 'Import summary' }),
    el('div', { class: 'stats', id: 'delivery-summary' }, fact('sum-read', 'rows read', d.rows_read),
      fact('sum-accepted', 'rows accepted', d.rows_accepted), fact('sum-rejected', 'rows rejected', d.rows_rejected),
      fact('sum-matched', 'results matched to a student', sum.matched), fact('sum-review', 'results to review (open exceptions)', sum.to_review)),
    Number(d.rows_rejected) > 0 || d.rejections.length ? el('p', {}, el('a', { class: 'button', id: 'rejected-csv', download: '',
      href: '/api/deliveries/' + d.id + '/rejected.csv' }, 'Download the rejected rows and reasons (CSV)')) : null,
    el('h2', { text: 'Rows and what became of them' }),
    table('lineage-table', [['Row', r => r.row], ['Result', r => r.result], ['Exam', r => r.exam_code],
      ['Credential', r => r.credential], ['Passed', r => r.passed ? 'yes' : 'no'], ['Match', r => r.match_decision],
      ['Tier', r => r.match_tier], ['Exceptions', r => r.exceptions], ['Superseded later', r => r.superseded ? 'yes' : '']], d.rows),
    el('h2', { text: 'Rejected rows' }),
    table('rejections-table', [['Row', r => r.row], ['Field', r => r.field], ['Reason', r => r.reason]], d.rejections));
}

async function quarantinePage() {
  const data = await api('GET', '/api/quarantine');
  const reprocess = async (d) => {
    let r;
    try { r = await api('POST', '/api/deliveries/' + d.id + '/reprocess', {}); }
    catch (x) { flash(x.message, 'error'); return; }
    await quarantinePage();
    if (r.status === 'quarantined') {
      flash('Re-processed as delivery ' + r.delivery + ', and it was quarantined again' + (r.reason ? ': ' + r.reason : '')
        + '. Fix the feed or its mapping, or upload a corrected file.', 'error');
    } else flash('Re-processed as delivery ' + r.delivery + ': ' + r.status + '.');
  };
  const corrected = (d) => {
    const form = el('form', { class: 'corrected', 'data-delivery': d.id, onsubmit: async (e) => {
      e.preventDefault();
      const file = form.elements.file.files[0];
      if (!file) { flash('Choose the corrected file first.', 'error'); return; }
      try {
        const r = await api('POST', '/api/deliveries/' + d.id + '/corrected', { fileName: file.name, content: await fileBase64(file) });
        await quarantinePage();
        flash('Corrected file ' + r.file + ' is in the ' + r.feed + ' inbox; it becomes a new delivery of the feed.');
      } catch (x) { flash(x.message, 'error'); }
    } }, el('label', { class: 'inline' }, 'Corrected file ', el('input', { type: 'file', name: 'file' })),
      el('button', { type: 'submit', class: 'secondary' }, 'Upload corrected file'));
    return form;
  };
  view(el('h1', { text: 'Quarantine' }),
    table('quarantine-table', [['Delivery', d => el('a', { href: '#/delivery/' + d.id, text: d.id })], ['Feed', d => d.feed],
      ['File', d => d.source], ['Received', d => when(d.received)], ['Reason', d => d.reason],
      ['What was done', d => el('div', { class: 'done' },
        d.reprocessed_as ? el('p', { class: 'reprocessed', text: 're-processed as delivery ' + d.reprocessed_as + ' (' + d.reprocessed_status + ')' }) : null,
        d.corrected_file ? el('p', { class: 'corrected-sent', text: 'corrected file ' + d.corrected_file + ' sent ' + when(d.corrected_at) }) : null,
        d.reprocessed_as || d.reprocessed ? null : el('button', { class: 'reprocess', onclick: () => reprocess(d) }, 'Re-process'),
        d.corrected_file || d.reprocessed_as ? null : corrected(d))]], data.deliveries, d => ({ 'data-delivery': d.id }), 'here'),
    el('p', { class: 'counts', text: data.deliveries.length + ' quarantined deliveries' + (data.deliveries.length >= 500 ? ' shown (the latest 500)' : '') }));
}

async function statusPage() {
  const s = await api('GET', '/api/status');
  const alarms = (await api('GET', '/api/guards/alarms')).alarms;   // the operational guards (docs/guards.md)
  view(el('h1', { text: 'System' }),
    el('p', {}, 'Overall ', el('strong', { id: 'system-status', text: s.status })),
    el('h2', { text: 'Guards' }),
    el('p', { id: 'guards-status', text: s.guards ? s.guards.open_alarms + ' open alarm(s), ' + s.guards.sis_bundles_held
      + ' SIS bundle(s) held for approval (GET /api/sis/holds)' : 'unknown' }),
    table('alarms-table', [['Alarm', a => a.kind], ['Feed', a => a.feed], ['Delivery', a => a.delivery],
      ['What', a => a.message], ['Raised', a => when(a.raised_at)]], alarms),
    el('h2', { text: 'Database' }), el('p', { text: s.database.status + (s.database.version ? ' (PostgreSQL ' + s.database.version + ')' : '') }),
    el('h2', { text: 'SFTP drop box' }), el('p', { text: s.sftp.status + (s.sftp.port ? ' on port ' + s.sftp.port + ', ' + s.sftp.accounts + ' vendor account(s)' : '') }),
    el('h2', { text: 'Routes' }), table('routes-table', [['Route', r => r.id], ['State', r => r.status]], s.routes),
    el('h2', { text: 'Scheduler' }), el('p', { text: (s.scheduler.running ? 'running' : 'stopped') + (s.scheduler.clustered ? ', clustered' : '') }),
    table('triggers-table', [['Job', t => t.job], ['Next', t => when(t.next)], ['Previous', t => when(t.previous)], ['State', t => t.state]], s.scheduler.triggers || []),
    el('h2', { text: 'Reporting loads' }),
    el('button', { id: 'load-now', onclick: async () => {
      try { const r = await api('POST', '/api/reporting/load', {}); await statusPage(); flash('Reporting load done: ' + r.rows + ' fact rows.'); }
      catch (x) { flash(x.message, 'error'); } } }, 'Load now'),
    table('loads-table', [['Load', l => l.id], ['Trigger', l => l.trigger], ['Status', l => l.status], ['Started', l => when(l.started)],
      ['Finished', l => when(l.finished)], ['Rows', l => l.rows_written]], s.loads));
}

// ---------- charts (Apache ECharts, served from the hub's jar; each with its table) ----------

let echartsLoading = null;
// ECharts is loaded on the first page that draws a chart (it is large; most pages need none).
function loadECharts() {
  if (window.echarts) return Promise.resolve(window.echarts);
  echartsLoading ||= new Promise((resolve, reject) => {
    const sc = document.createElement('script');
    sc.src = '/ui/lib/echarts.min.js';
    sc.onload = () => resolve(window.echarts);
    sc.onerror = () => { echartsLoading = null; reject(new Error('the chart library could not be loaded')); };
    document.head.append(sc);
  });
  return echartsLoading;
}

const charts = [];
window.addEventListener('resize', () => charts.forEach(c => c.isDisposed() || c.resize()));
const COLORS = ['#1f5fa8', '#b3261e', '#1e7a3c', '#8a5a00', '#6b3fa0', '#00707a', '#5b6675', '#c2410c'];

// A chart with its title, the same numbers as a table below it (for screen readers, keyboards and copying).
function chartFigure(id, title, height, option, tableEl) {
  const box = el('div', { id, class: 'echart', role: 'img', 'aria-label': title + ' (the table below has the same numbers)' });
  box.style.height = height + 'px';
  const fig = el('figure', { class: 'chart-figure' }, el('figcaption', { text: title }), box,
    el('details', { class: 'chart-table' }, el('summary', { text: 'Table of ' + title.toLowerCase() }), tableEl));
  requestAnimationFrame(async () => {
    const ec = await loadECharts();
    const c = ec.init(box, null, { renderer: 'canvas' });
    c.setOption(Object.assign({ color: COLORS, animation: false, textStyle: { fontSize: 12, color: '#1d2733' },
      tooltip: { renderMode: 'richText' } }, option));
    charts.push(c);
  });
  return fig;
}

// Horizontal bars, largest first, labels kept readable (long names cut with an ellipsis, the whole name in the table).
function barChart(id, title, bars, unit) {
  const sorted = [...bars].sort((a, b) => b.value - a.value || String(a.label).localeCompare(String(b.label)));
  const tbl = table(id + '-table', [['Name', b => b.label], [unit || 'Value', b => b.value]], sorted, null, 'here');
  const shown = sorted.slice().reverse();
  return chartFigure(id, title, Math.max(120, 26 * sorted.length + 50), {
    grid: { left: 8, right: 48, top: 8, bottom: 24, containLabel: true },
    xAxis: { type: 'value', name: unit || '', nameLocation: 'end', axisLabel: { color: '#1d2733' } },
    yAxis: { type: 'category', data: shown.map(b => b.label),
      axisLabel: { color: '#1d2733', width: 200, overflow: 'truncate', interval: 0 } },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    series: [{ type: 'bar', data: shown.map(b => b.value), label: { show: true, position: 'right', color: '#1d2733' } }]
  }, tbl);
}

// One line per series over weeks, 0–100 %.
function lineChart(id, title, series) {
  const weeks = [...new Set(series.flatMap(s => s.points.map(p => p.x)))].sort();
  const rows = series.flatMap(s => s.points.map(p => ({ feed: s.name, week: p.x, rate: p.y, results: p.n })));
  const tbl = table(id + '-table', [['Feed', r => r.feed], ['Week of', r => r.week], ['Match rate (%)', r => r.rate],
    ['Results', r => r.results]], rows, null, 'here');
  return chartFigure(id, title, 320, {
    grid: { left: 8, right: 24, top: 40, bottom: 24, containLabel: true },
    legend: { type: 'scroll', top: 0, textStyle: { color: '#1d2733' } },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: { type: 'category', data: weeks, axisLabel: { color: '#1d2733', hideOverlap: true } },
    yAxis: { type: 'value', min: 0, max: 100, name: '%', axisLabel: { color: '#1d2733' } },
    series: series.map(s => ({ name: s.name, type: 'line', symbolSize: 6, connectNulls: false,
      data: weeks.map(w => { const p = s.points.find(q => q.x === w); return p ? p.y : null; }) }))
  }, tbl);
}

async function chartsPage() {
  charts.splice(0).forEach(c => c.dispose());
  const [mr, ex, at] = await Promise.all([api('GET', '/api/charts/match-rate'),
    api('GET', '/api/charts/exceptions-by-district'), api('GET', '/api/charts/attainment-by-district')]);
  const byFeed = {};
  mr.series.forEach(p => (byFeed[p.feed] ||= []).push({ x: p.week, y: Number(p.rate), n: Number(p.results) }));
  const exByDistrict = {};
  ex.bars.forEach(b => exByDistrict[b.name] = (exByDistrict[b.name] || 0) + Number(b.open));
  const years = [...new Set(at.bars.map(b => b.school_year))].sort().reverse();
  const year = years[0];
  view(el('h1', { text: 'Charts' }),
    lineChart('chart-match-rate', 'Match rate per feed, by week of delivery', Object.entries(byFeed).sort().map(([name, points]) => ({ name, points }))),
    barChart('chart-exceptions', 'Open exceptions per district', Object.entries(exByDistrict).map(([label, value]) => ({ label, value })), 'open exceptions'),
    year ? barChart('chart-attainment', 'Credentials earned per district, ' + year + ' (last reporting load)',
      at.bars.filter(b => b.school_year === year).map(b => ({ label: b.name, value: Number(b.earned) })), 'credentials earned')
      : el('p', { id: 'chart-attainment-none', text: 'No reporting load has counted a credential yet.' }));
}

// ---------- district-entered results ----------

function fileBase64(file) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(',')[1] || '');
    r.onerror = reject;
    r.readAsDataURL(file);
  });
}

async function entriesPage() {
  const [data, creds] = await Promise.all([api('GET', '/api/district-entries/pending'), api('GET', '/api/district-entries/credentials')]);
  const byYear = {};
  creds.credentials.forEach(c => (byYear[c.school_year] ||= []).push(c));
  const picker = el('select', { name: 'credentialCode', required: true, id: 'credential-picker' },
    el('option', { value: '', text: creds.credentials.length ? 'choose a credential' : 'no district-entered credential in the catalog' }),
    Object.keys(byYear).sort().reverse().map(y => el('optgroup', { label: 'School year ' + y },
      byYear[y].map(c => el('option', { value: c.code, text: c.name + ' (' + c.code + ')' })))));
  const admin = state.me.role === 'district-admin' || state.me.role === 'ops';
  const decide = async (id, action) => {
    const body = action === 'reject' ? { reason: prompt('Why is it rejected?') || '' } : {};
    try { await api('POST', '/api/district-entries/' + id + '/' + action, body); await entriesPage(); flash('Entry ' + id + ' ' + action + 'd.'); }
    catch (x) { flash(x.message, 'error'); }
  };
  const single = el('form', { id: 'entry-form', class: 'filters', onsubmit: async (e) => {
    e.preventDefault();
    const f = single.elements;
    try {
      const ack = await api('POST', '/api/district-entries', { stateId: f.stateId.value, firstName: f.firstName.value,
        lastName: f.lastName.value, birthDate: f.birthDate.value || null, credentialCode: f.credentialCode.value,
        earnedOn: f.earnedOn.value, score: f.score.value || null,
        evidence: { fileName: f.evidence.files[0]?.name || 'evidence', content: f.evidence.files[0] ? await fileBase64(f.evidence.files[0]) : '' } });
      flash('Entered: ' + ack.status + (ack.rejections?.length ? ' — ' + ack.rejections.map(r => r.field + ': ' + r.reason).join('; ') : ''),
        ack.rows_rejected ? 'error' : 'ok');
      await entriesPage();
    } catch (x) { flash(x.message, 'error'); }
  } },
    [['stateId', 'State ID'], ['firstName', 'First name'], ['lastName', 'Last name']].map(([n, t]) => el('label', {}, t + ' ', el('input', { name: n }))),
    el('label', {}, 'Born ', el('input', { name: 'birthDate', type: 'date' })),
    el('label', {}, 'Credential ', picker),
    el('label', {}, 'Earned on ', el('input', { name: 'earnedOn', type: 'date', required: true })),
    el('label', {}, 'Score ', el('input', { name: 'score', size: 5 })),
    el('label', {}, 'Evidence (PDF, PNG, JPEG) ', el('input', { name: 'evidence', type: 'file', accept: '.pdf,.png,.jpg,.jpeg', required: true })),
    el('button', { type: 'submit', text: 'Enter result' }));
  const upload = el('form', { id: 'entry-upload', class: 'filters', onsubmit: async (e) => {
    e.preventDefault();
    const f = upload.elements;
    try {
      const evidence = [];
      for (const file of f.evidence.files) evidence.push({ fileName: file.name, content: await fileBase64(file) });
      const ack = await api('POST', '/api/district-entries/upload', { fileName: f.csv.files[0].name,
        csv: await fileBase64(f.csv.files[0]), evidence });
      flash('Uploaded: ' + ack.status + ', ' + ack.rows_accepted + ' accepted, ' + ack.rows_rejected + ' rejected', ack.rows_rejected ? 'error' : 'ok');
      await entriesPage();
    } catch (x) { flash(x.message, 'error'); }
  } },
    el('p', { class: 'hint' }, 'Columns: district_code, state_id, first_name, last_name, birth_date, credential_code, earned_on, score, evidence_file. ',
      el('a', { href: '/api/district-entries/template.csv', id: 'entries-template', download: '' }, 'Download the CSV template')),
    el('label', {}, 'CSV file ', el('input', { name: 'csv', type: 'file', accept: '.csv', required: true })),
    el('label', {}, 'Evidence files ', el('input', { name: 'evidence', type: 'file', multiple: true })),
    el('button', { type: 'submit', text: 'Upload' }));
  view(el('h1', { text: 'District-entered results' }),
    el('h2', { text: 'Awaiting validation by a district administrator' }),
    table('entries-table', [['Result', p => p.result], ['District', p => p.district], ['Credential', p => p.credential],
      ['Earned on', p => p.earned_on], ['Entered by', p => p.entered_by], ['File / row', p => p.source + ' #' + p.row],
      ['Student matched', p => p.matched ? 'yes' : 'no'],
      ['Evidence', p => el('a', { href: '/api/district-entries/' + p.result + '/evidence', text: p.evidence_file + ' (' + p.media_type + ')' })],
      ['', p => admin ? el('span', {}, el('button', { class: 'validate', onclick: () => decide(p.result, 'validate') }, 'Validate'), ' ',
        el('button', { class: 'danger', onclick: () => decide(p.result, 'reject') }, 'Reject')) : '']], data.pending),
    el('h2', { text: 'Enter one result' }), single,
    el('h2', { text: 'Upload a CSV of results' }), upload);
}

// ---------- the audit page: who did what, when (district accounts: their district's) ----------

const AUDIT_ACTIONS = { 'decide-link': 'linked', 'decide-reject': 'rejected', 'decide-defer': 'deferred', reopen: 'undid a decision',
  assign: 'assigned', 'upload-corrected': 'uploaded a corrected file' };

async function auditPage() {
  const params = hashParams();
  const data = await api('GET', '/api/audit?' + params.toString());
  const form = el('form', { id: 'audit-filters', class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const f of ['user', 'action']) { const v = form.elements[f].value.trim(); if (v) q.set(f, v); }
    const target = '#/audit' + (q.toString() ? '?' + q.toString() : '');
    if (location.hash === target) route(); else location.hash = target;
  } },
    el('label', {}, 'User ', el('input', { name: 'user', value: params.get('user') || '', size: 14 })),
    el('label', {}, 'Action ', el('select', { name: 'action' }, el('option', { value: '', text: 'all' }),
      Object.entries(AUDIT_ACTIONS).map(([k, t]) => el('option', { value: k, text: t, selected: params.get('action') === k })))),
    el('button', { type: 'submit', text: 'Filter' }));
  const offset = Number(data.offset || 0), limit = Number(data.limit || 100);
  const what = (a) => [a.decision ? 'decision: ' + a.decision : null, a.undone ? 'undid: ' + a.undone : null,
    a.assigned_to ? 'to ' + a.assigned_to : (a.action === 'assign' ? 'given back' : null), a.file ? 'file ' + a.file : null,
    a.note ? 'note: ' + a.note : null].filter(Boolean).join(' · ');
  view(el('h1', { text: 'Audit' + (state.me.district ? ': district ' + state.me.district : '') }), form,
    el('nav', { class: 'pager', 'aria-label': 'pages of the audit trail' },
      el('span', { class: 'range', id: 'audit-range', text: data.total ? 'Showing ' + (offset + 1) + '–' + (offset + data.entries.length) + ' of ' + data.total : 'Nothing to show' }),
      el('a', { class: 'button prev', href: withParams({ offset: offset - limit > 0 ? offset - limit : null }), hidden: offset <= 0 }, '← Newer'),
      el('a', { class: 'button next', href: withParams({ offset: offset + limit }), hidden: offset + data.entries.length >= data.total }, 'Older →')),
    table('audit-table', [['When', a => when(a.at)], ['Who', a => a.by], ['Action', a => AUDIT_ACTIONS[a.action] || a.action],
      ['On', a => a.exception ? el('a', { href: '#/exceptions/' + a.exception + '?status=all', text: 'exception ' + a.exception })
        : (a.object_type || '') + ' ' + (a.object_id || '')],
      ['District', a => a.district || ''], ['What', what]], data.entries, a => ({ 'data-audit': a.id })));
}

// ---------- published reports ----------

const TRACEABLE = ['attainment-by-district', 'attainment-by-course-credential', 'attainment-by-tier',
  'attainment-by-region', 'attempts-vs-earned', 'data-source-by-credential'];

async function reportsPage() {
  const params = new URLSearchParams(location.hash.split('?')[1] || '');
  const meta = await api('GET', '/api/reports');
  const name = params.get('table') || meta.reports[0].name;
  const year = params.get('year') || meta.years[0] || '';
  const pub = params.get('public') === 'true';
  const form = el('form', { id: 'report-form', class: 'filters', onsubmit: (e) => {
    e.preventDefault();
    location.hash = '#/reports?' + new URLSearchParams({ table: form.elements.table.value, year: form.elements.year.value,
      public: form.elements.pub.checked }).toString();
  } },
    el('label', {}, 'Report ', el('select', { name: 'table' }, meta.reports.map(r =>
      el('option', { value: r.name, text: r.title, selected: r.name === name })))),
    el('label', {}, 'School year ', el('select', { name: 'year' }, meta.years.map(y =>
      el('option', { value: y, text: y, selected: y === year })))),
    el('label', {}, 'As the public sees it ', el('input', { type: 'checkbox', name: 'pub', checked: pub })),
    el('button', { type: 'submit', text: 'Show' }));
  const publication = '/api/publication?' + new URLSearchParams({ year }).toString();
  const parts = [el('h1', { text: 'Reports' }), form, el('p', { id: 'publication' },
    el('a', { href: publication, target: '_blank', text: 'The whole ' + year + ' report (public form)' }), ' · ',
    el('a', { href: publication + '&download=true', text: 'download' }))];
  if (!year && !meta.reports.find(r => r.name === name).allYears) {
    view(...parts, el('p', { text: 'No reporting load has counted anything yet.' }));
    return;
  }
  const t = await api('GET', '/api/reports/' + name + '?' + new URLSearchParams({ year, public: pub }).toString());
  const traceBox = el('div', { id: 'trace' });
  const keyOf = (r) => name === 'attainment-by-course-credential' ? r[0] + '/' + r[2] : r[0];
  const rows = t.rows.concat(t.total ? [t.total] : []);
  const tbl = el('table', { id: 'report-table', class: 'data' },
    el('thead', {}, el('tr', {}, t.columns.map(c => el('th', { text: c.replaceAll('_', ' ') })))),
    el('tbody', {}, rows.map(r => el('tr', {
      class: TRACEABLE.includes(name) && r !== t.total ? 'clickable' : '',
      onclick: TRACEABLE.includes(name) && r !== t.total ? async () => {
        const tr = await api('GET', '/api/reports/' + name + '/trace?' + new URLSearchParams({ year, key: keyOf(r) }).toString());
        traceBox.replaceChildren(el('h2', { text: 'Behind ' + keyOf(r) + ': ' + tr.results.length + ' result(s)' }),
          table('trace-table', [['Result', x => x.result_id], ['Feed', x => x.feed], ['File', x => x.source],
            ['Record', x => x.record], ['Row', x => x.row], ['Received', x => x.received], ['Attempted', x => x.attempted_on],
            ['Matched by', x => x.matched_by]], tr.results));
        traceBox.scrollIntoView();
      } : null }, r.map(v => el('td', { text: v ?? '' }))))));
  const rateCol = t.columns.findIndex(c => c.endsWith('rate'));
  const chart = rateCol > 0 && !pub && t.rows.length <= 60 ? barChart('report-chart', t.title + ' — ' + t.columns[rateCol].replaceAll('_', ' '),
    t.rows.filter(r => r[rateCol]).map(r => ({ label: String(r[1] ?? r[0]), value: parseFloat(r[rateCol]) })), t.columns[rateCol].replaceAll('_', ' ')) : null;
  view(...parts, el('h2', { text: t.title + (year ? ', ' + year : '') + (pub ? ' (public: small cells suppressed)' : '') }),
    chart, el('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'report table' }, tbl), traceBox);
}

// ---------- vendor acknowledgements ----------

async function acksPage() {
  const data = await api('GET', '/api/acknowledgements');
  view(el('h1', { text: 'Acknowledgements' }),
    table('acks-table', [['File', a => el('a', { href: '#/ack/' + a.id, text: a.file })], ['Feed', a => a.feed],
      ['Status', a => a.status], ['Received', a => when(a.received)], ['Rows read', a => a.rows_read],
      ['Accepted', a => a.rows_accepted], ['Rejected', a => a.rows_rejected], ['Reason', a => a.reason]], data.acknowledgements, null, 'here'));
}

async function ackPage(id) {
  const a = await api('GET', '/api/acknowledgements/' + id);
  view(el('h1', { text: a.file }), el('p', { text: a.status + ' · ' + a.rows_accepted + ' of ' + a.rows_read + ' rows accepted' + (a.reason ? ' · ' + a.reason : '') }),
    table('ack-rejections', [['Row', r => r.row], ['Field', r => r.field], ['Reason', r => r.reason]], a.rejections));
}
