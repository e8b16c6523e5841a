// The door page's script: keeps the gallery current (a poll for changes
// since the version it holds), filters by name, shows a full photo on a tap
// and sends the incident form. Nothing is kept on the device: no storage,
// no cache; photos live only as blob URLs of this page.
'use strict';

(function () {
  const body = document.body;
  if (!body || !body.classList.contains('gallery')) return;
  const csrf = body.dataset.csrf;
  const lang = body.dataset.lang === 'en' ? 'en' : 'nl';
  const pollMs = Math.max(1, parseInt(body.dataset.poll, 10) || 60) * 1000;
  const T = lang === 'en' ? {
    loading: 'Loading the gallery…',
    updated: 'Updated at ',
    offline: 'No connection. Last updated at ',
    never: 'No connection yet.',
    photoLoading: 'Loading the photo…',
    photoFailed: 'The photo cannot be shown.',
    noPhoto: 'No photo',
    sending: 'Sending…',
    persons: function (n) { return n === 1 ? '1 person' : n + ' persons'; },
  } : {
    loading: 'De galerij wordt geladen…',
    updated: 'Bijgewerkt om ',
    offline: 'Geen verbinding. Laatst bijgewerkt om ',
    never: 'Nog geen verbinding.',
    photoLoading: 'De foto wordt geladen…',
    photoFailed: 'De foto kan niet worden getoond.',
    noPhoto: 'Geen foto',
    sending: 'Bezig met versturen…',
    persons: function (n) { return n === 1 ? '1 persoon' : n + ' personen'; },
  };
  const loginPath = lang === 'en' ? '/login?lang=en' : '/login';
  const tiles = document.getElementById('tiles');
  const empty = document.getElementById('empty');
  const status = document.getElementById('status');
  const search = document.getElementById('search');
  const viewer = document.getElementById('viewer');
  const viewerPhoto = document.getElementById('viewer-photo');
  const incident = document.getElementById('incident');
  const incidentForm = document.getElementById('incident-form');
  const incidentResult = document.getElementById('incident-result');
  const entries = new Map();  // entry id -> {data, li, thumbUrl}
  let version = 0;
  let lastUpdate = null;
  let openId = 0;
  let photoUrl = null;

  function api(path, options) {
    const opts = options || {};
    opts.headers = Object.assign({'X-CSRF-Token': csrf}, opts.headers || {});
    opts.credentials = 'same-origin';
    opts.cache = 'no-store';
    return fetch(path, opts).then(function (res) {
      if (res.status === 401) {
        location.replace(loginPath);
        throw new Error('session ended');
      }
      return res;
    });
  }

  function post(path, fields) {
    return api(path, {
      method: 'POST',
      headers: {'Content-Type': 'application/x-www-form-urlencoded'},
      body: new URLSearchParams(fields).toString(),
    });
  }

  function blobUrl(base64, type) {
    const bin = atob(base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return URL.createObjectURL(new Blob([bytes], {type: type}));
  }

  function time(d) {
    return d.toLocaleTimeString(lang === 'en' ? 'en-GB' : 'nl-NL',
                                {hour: '2-digit', minute: '2-digit'});
  }

  function element(tag, className, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function remove(id) {
    const e = entries.get(id);
    if (!e) return;
    e.li.remove();
    if (e.thumbUrl) URL.revokeObjectURL(e.thumbUrl);
    entries.delete(id);
    if (openId === id) {
      closeViewer();
      if (incident.open) incident.close();
    }
  }

  // The colour of a card: the shop's own ban apart from collective ones.
  function kindClass(d) {
    return d.own ? 'own' : (d.ban ? 'ban' : 'warning');
  }

  function add(d) {
    remove(d.id);
    const li = element('li', 'tile ' + kindClass(d));
    const button = element('button', 'tile-button');
    button.type = 'button';
    let thumbUrl = null;
    if (d.thumb) {
      thumbUrl = blobUrl(d.thumb, 'image/jpeg');
      const img = element('img', 'thumb');
      img.src = thumbUrl;
      img.alt = '';
      button.appendChild(img);
    } else {
      button.appendChild(element('span', 'thumb none', T.noPhoto));
    }
    const text = element('span', 'text');
    text.appendChild(element('span', 'card-label', d.card));
    text.appendChild(element('span', 'name', d.name));
    text.appendChild(element('span', 'until', d.until));
    if (d.description) {
      text.appendChild(element('span', 'description', d.description));
    }
    button.appendChild(text);
    button.addEventListener('click', function () { openViewer(d.id); });
    li.appendChild(button);
    entries.set(d.id, {data: d, li: li, thumbUrl: thumbUrl});
  }

  function arrange() {
    const sorted = Array.from(entries.values()).sort(function (a, b) {
      if (a.data.ban !== b.data.ban) return a.data.ban ? -1 : 1;
      return a.data.name.localeCompare(b.data.name, lang);
    });
    sorted.forEach(function (e) { tiles.appendChild(e.li); });
    filter();
  }

  function filter() {
    const q = search.value.trim().toLocaleLowerCase(lang);
    let shown = 0;
    entries.forEach(function (e) {
      const match = !q || e.data.name.toLocaleLowerCase(lang).includes(q);
      e.li.hidden = !match;
      if (match) shown++;
    });
    empty.hidden = entries.size !== 0;
    tiles.dataset.count = String(shown);
  }

  function showStatus(ok) {
    if (ok) {
      lastUpdate = new Date();
      status.textContent = T.updated + time(lastUpdate) + ' · ' +
                           T.persons(entries.size);
      status.classList.remove('offline');
    } else {
      status.textContent = lastUpdate ? T.offline + time(lastUpdate) : T.never;
      status.classList.add('offline');
    }
  }

  function poll() {
    api('/api/gallery?since=' + version + '&lang=' + lang)
        .then(function (res) {
          if (!res.ok) throw new Error('status ' + res.status);
          return res.json();
        })
        .then(function (sync) {
          if (sync.reset || version === 0) {
            Array.from(entries.keys()).forEach(remove);
          }
          sync.entries.forEach(add);
          sync.removed.forEach(remove);
          version = sync.version;
          arrange();
          showStatus(true);
          body.dataset.version = String(version);
        })
        .catch(function () { showStatus(false); })
        .finally(function () { setTimeout(poll, pollMs); });
  }

  function closeViewer() {
    if (viewer.open) viewer.close();
    viewerPhoto.removeAttribute('src');
    if (photoUrl) URL.revokeObjectURL(photoUrl);
    photoUrl = null;
  }

  function openViewer(id) {
    const e = entries.get(id);
    if (!e) return;
    closeViewer();
    openId = id;
    viewer.className = kindClass(e.data);
    document.getElementById('viewer-name').textContent = e.data.name;
    document.getElementById('viewer-card').textContent = e.data.card;
    document.getElementById('viewer-until').textContent = e.data.until;
    document.getElementById('viewer-description').textContent =
        e.data.description;
    viewerPhoto.alt = T.photoLoading;
    viewer.showModal();
    post('/api/photo', {entry: String(id)})
        .then(function (res) {
          if (!res.ok) throw new Error('status ' + res.status);
          return res.blob();
        })
        .then(function (blob) {
          if (openId !== id || !viewer.open) return;
          photoUrl = URL.createObjectURL(blob);
          viewerPhoto.src = photoUrl;
          viewerPhoto.alt = e.data.name;
        })
        .catch(function () { viewerPhoto.alt = T.photoFailed; });
  }

  function localNow() {
    const d = new Date();
    d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
    return d.toISOString().slice(0, 16);
  }

  document.getElementById('viewer-close').addEventListener('click',
                                                           closeViewer);
  document.getElementById('viewer-report').addEventListener('click', function () {
    const e = entries.get(openId);
    if (!e) return;
    closeViewer();
    incidentForm.reset();
    incidentResult.textContent = '';
    incidentResult.className = '';
    document.getElementById('incident-person-id').value = String(e.data.id);
    document.getElementById('incident-person').textContent = e.data.name;
    document.getElementById('incident-time').value = localNow();
    incident.showModal();
  });
  document.getElementById('incident-close').addEventListener('click',
      function () { incident.close(); });
  incidentForm.addEventListener('submit', function (event) {
    event.preventDefault();
    incidentResult.textContent = T.sending;
    incidentResult.className = '';
    const fields = new URLSearchParams(new FormData(incidentForm));
    api('/api/incident', {
      method: 'POST',
      headers: {'Content-Type': 'application/x-www-form-urlencoded'},
      body: fields.toString(),
    })
        .then(function (res) {
          return res.json().then(function (j) { return {ok: res.ok, j: j}; });
        })
        .then(function (r) {
          incidentResult.textContent = r.ok ? r.j.message : r.j.error;
          incidentResult.className = r.ok ? 'ok' : 'error';
        })
        .catch(function () {
          incidentResult.textContent = T.photoFailed;
          incidentResult.className = 'error';
        });
  });
  search.addEventListener('input', filter);
  status.textContent = T.loading;
  poll();
})();
