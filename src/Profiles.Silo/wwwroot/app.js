// The clienteling page: find a customer, show the unified profile and the omnichannel journey, and follow
// them live. Data is only ever set with textContent (never innerHTML): journey properties and traits are
// whatever clients sent.

import { ApiError } from './api.js';
import { $, el } from './dom.js';
import { apiWithKeyForm } from './keys.js';
import { follow } from './live.js';
import {
  channelKind, channelLabel, compareJourney, dayKey, formatDateTime, formatDay, formatRelative, formatTime,
  humanise, identifierLabel, valueText,
} from './format.js';

const PAGE_SIZE = 50;
const MAX_PROPERTIES = 8;
const NEW_HIGHLIGHT_MS = 6000;
const LOOK_AGAIN_MS = 3000;

// ---- the API key form (keys.js) -------------------------------------------------------------------

const api = apiWithKeyForm(message => setStatus(message));

// ---- state -----------------------------------------------------------------------------------------

const state = {
  search: null,          // { type, value, label }: kept in memory only, never in the URL
  profile: null,
  items: new Map(),      // journey items by id
  nextCursor: null,
  journeyLoaded: false,
  loadingMore: false,
  newIds: new Set(),
  controller: null,      // aborts everything of the current search
  refreshQueued: false,
  refreshing: null,
  erased: false,         // the live stream said the profile was erased
  selected: new Set(),   // keys of the identifiers ticked for an unlink
  correcting: false,     // an unlink or relink is on its way
  unlinked: null,        // { profileId, pair }: the last unlink, which "Relink" undoes
};

function setStatus(text, kind = 'info') {
  const status = $('status');
  status.textContent = text ?? '';
  status.dataset.kind = kind;
}

function setLive(liveState, message) {
  const live = $('live-state');
  live.dataset.state = liveState;
  const labels = {
    idle: 'Not watching', waiting: 'Waiting…', connecting: 'Connecting…', connected: 'Live', reconnecting: 'Reconnecting…',
    offline: 'Offline',
  };
  live.querySelector('.live-text').textContent = labels[liveState] ?? liveState;
  live.title = message || (liveState === 'connected' ? 'Updates appear as they happen.' : labels[liveState]);
}

// ---- search ----------------------------------------------------------------------------------------

const PLACEHOLDERS = {
  email: ['customer@example.com', 'email', 'email'],
  phone: ['06 12 34 56 78', 'tel', 'tel'],
  loyalty_id: ['Loyalty card number', 'text', 'text'],
  crm_id: ['CRM id', 'text', 'text'],
};

function updateInputForType() {
  const [placeholder, type, inputMode] = PLACEHOLDERS[$('search-type').value] ?? ['', 'text', 'text'];
  const input = $('search-value');
  input.placeholder = placeholder;
  input.type = type;
  input.inputMode = inputMode;
}

$('search-type').addEventListener('change', updateInputForType);
updateInputForType();

$('search').addEventListener('submit', event => {
  event.preventDefault();
  const type = $('search-type').value;
  const value = $('search-value').value.trim();
  if (!value) {
    setStatus('Type a value to look for.', 'error');
    return;
  }
  startSearch(type, value);
});

async function startSearch(type, value) {
  state.controller?.abort();
  const controller = new AbortController();
  const label = $('search-type').selectedOptions[0]?.textContent ?? identifierLabel(type);
  Object.assign(state, {
    search: { type, value, label }, profile: null, items: new Map(), nextCursor: null, journeyLoaded: false,
    loadingMore: false, newIds: new Set(), controller, refreshQueued: false, refreshing: null, erased: false,
    selected: new Set(), unlinked: null,
  });
  $('correction').hidden = true;
  $('correction').replaceChildren();
  setStatus('Looking the customer up…');
  $('search-button').disabled = true;
  try {
    const profile = await api.lookup(type, value, { signal: controller.signal });
    if (controller.signal.aborted) return;
    if (profile) {
      await showFound(profile, controller);
    } else {
      showNoCustomer();
      waitForCustomer(controller);
    }
  } catch (error) {
    if (controller.signal.aborted || error.name === 'AbortError') return;
    showError(error);
  } finally {
    if (state.controller === controller) $('search-button').disabled = false;
  }
}

async function showFound(profile, controller) {
  showProfile(profile);
  setStatus('');
  followLive(controller, profile.profileId);
  await refreshJourney();
}

/**
 * A customer nobody has seen yet has no profile id to follow: the page looks them up again (by body, as the search
 * did) every few seconds, and follows them live from the moment they appear.
 */
async function waitForCustomer(controller) {
  const { type, value } = state.search;
  setLive('waiting', 'The page looks again every few seconds and shows the customer as soon as one appears.');
  while (!controller.signal.aborted) {
    await pause(LOOK_AGAIN_MS, controller.signal);
    try {
      const profile = await api.lookup(type, value, { signal: controller.signal });
      if (profile && !controller.signal.aborted) {
        await showFound(profile, controller);
        return;
      }
    } catch (error) {
      if (controller.signal.aborted || error.name === 'AbortError') return;
      // A node restarting or a connection lost: the next round asks again.
    }
  }
}

function pause(ms, signal) {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

function showNoCustomer() {
  $('customer').hidden = true;
  $('welcome').hidden = false;
  setStatus(`No customer has this ${state.search.label.toLowerCase()} yet. The page will show them as soon as one appears.`, 'warning');
}

function showError(error) {
  if (error instanceof ApiError) {
    if (error.status === 401) setStatus('An API key is needed to look customers up.', 'error');
    else if (error.status === 403) setStatus(`This API key may not read profiles: ${error.message}`, 'error');
    else setStatus(error.message, 'error');
  } else {
    setStatus('The node could not be reached. Check the connection and try again.', 'error');
  }
}

// ---- live ------------------------------------------------------------------------------------------

/** Follows the profile by its id (no identifier in any address): into the profile it merges into, and on a split the
 * part that keeps the id, until the customer is erased. */
function followLive(controller, profileId) {
  follow({
    api,
    url: api.liveUrl(profileId),
    signal: controller.signal,
    onState: (liveState, message) => { if (!controller.signal.aborted) setLive(liveState, message); },
    onEvent: (name, data) => { if (!controller.signal.aborted) onLiveEvent(name, data); },
    onGone: () => { if (!controller.signal.aborted) showErased(); },
  }).finally(() => {
    if (controller.signal.aborted && state.controller === controller) setLive('idle');
  });
}

/** The customer was erased (the stream said so, or their id is no longer known): their id never comes back, so the
 * page stops following it. */
function showErased() {
  state.erased = true;
  state.profile = null;
  state.items = new Map();
  $('customer').hidden = true;
  $('welcome').hidden = false;
  setStatus('This customer was erased: their profile and journey no longer exist.', 'warning');
  state.controller?.abort();
}

function onLiveEvent(name, data) {
  if (name === 'deleted') {
    showErased();
    return;
  }
  if (name !== 'profile') return;
  let profile;
  try {
    profile = JSON.parse(data);
  } catch {
    return;
  }
  if (!profile?.profileId) return;
  const current = state.profile;
  if (current && current.profileId === profile.profileId && (profile.version ?? 0) < (current.version ?? 0)) return;
  const switched = !current || current.profileId !== profile.profileId;
  if (switched) {
    // A first appearance, or a merge into another profile: start the journey over.
    state.items = new Map();
    state.nextCursor = null;
    state.journeyLoaded = false;
  }
  showProfile(profile);
  setStatus('');
  refreshJourney();
}

// ---- the profile -----------------------------------------------------------------------------------

function showProfile(profile) {
  state.profile = profile;
  $('welcome').hidden = true;
  $('customer').hidden = false;

  const traits = profile.traits ?? {};
  const name = [traits.firstName, traits.lastName].filter(v => typeof v === 'string' && v.trim()).join(' ');
  $('profile-name').textContent = name || 'Customer';
  $('profile-avatar').textContent = initials(name);
  $('profile-id').textContent = profile.profileId;
  $('profile-touchpoints').textContent = String(profile.touchpoints ?? 0);
  setTime($('profile-first-seen'), profile.firstSeen);
  setTime($('profile-last-seen'), profile.lastSeen);

  const identifiers = profile.identifiers ?? [];
  for (const key of state.selected) if (!identifiers.some(identifier => identifier.key === key)) state.selected.delete(key);
  $('profile-identifiers').replaceChildren(...identifiers.map(identifier => {
    const pick = el('input', { className: 'identifier-pick', attrs: { type: 'checkbox', 'data-key': identifier.key, 'aria-label': `Select ${identifierText(identifier)}` } });
    pick.checked = state.selected.has(identifier.key);
    return el('li', { className: 'identifier', attrs: { 'data-key': identifier.key } },
      el('label', { className: 'identifier-type' }, pick, identifierLabel(identifier.type)),
      el('span', { className: 'identifier-hint', text: identifier.hint }),
      el('span', { className: 'identifier-seen muted', text: `since ${formatDateTime(identifier.firstSeen)}` }));
  }));
  updateUnlink();
  for (const button of $('correction').querySelectorAll('button[data-profile-id]')) button.disabled = button.dataset.profileId === profile.profileId;

  const groups = { online: [], offline: [], other: [] };
  for (const [channel, stats] of Object.entries(profile.channels ?? {})) groups[channelKind(channel)].push([channel, stats]);
  for (const [kind, list] of Object.entries(groups)) {
    list.sort((a, b) => (b[1].touchpoints ?? 0) - (a[1].touchpoints ?? 0) || a[0].localeCompare(b[0]));
    const items = list.map(([channel, stats]) =>
      el('li', { className: `channel ${kind}`, title: `First ${formatDateTime(stats.firstSeen)} · last ${formatDateTime(stats.lastSeen)}` },
        el('span', { className: 'channel-name', text: channelLabel(channel) }),
        el('span', { className: 'channel-count', text: String(stats.touchpoints ?? 0) }),
        el('span', { className: 'channel-last muted', text: formatRelative(stats.lastSeen) })));
    const target = $(`channels-${kind}`);
    target.replaceChildren(...(items.length ? items : [el('li', { className: 'muted small', text: 'none yet' })]));
  }
  $('channels-other-group').hidden = groups.other.length === 0;

  const traitRows = Object.entries(traits)
    .filter(([, value]) => value !== null && value !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  $('profile-traits').replaceChildren(...(traitRows.length
    ? traitRows.map(([key, value]) => el('div', { className: 'trait' }, el('dt', { text: humanise(key) }), el('dd', { text: valueText(value) })))
    : [el('div', { className: 'muted small', text: 'No traits yet.' })]));

  showPersonalisation(profile.computed ?? {}, profile.audiences ?? []);
  showConsent(profile.consent ?? {});

  const merged = profile.mergedProfileIds ?? [];
  $('profile-merged').hidden = merged.length === 0;
  $('profile-merged-summary').textContent = `Merged from ${merged.length} other profile${merged.length === 1 ? '' : 's'}`;
  $('profile-merged-ids').replaceChildren(...merged.map(id => el('li', {}, el('code', { text: id }))));

  const refused = profile.refusedLinks ?? [];
  $('profile-refused').hidden = refused.length === 0;
  $('profile-refused-summary').textContent = `${refused.length} identifier${refused.length === 1 ? ' was' : 's were'} not linked`;
  $('profile-refused-links').replaceChildren(...refused.map(link =>
    el('li', { text: `${identifierLabel(link.type)} ${link.hint} (${link.reason}) · ${formatDateTime(link.at)}` })));
}

// ---- operator unlink and relink (role identity) -------------------------------------------------------

function identifierText(identifier) {
  return `${identifierLabel(identifier.type).toLowerCase()} ${identifier.hint}`;
}

function updateUnlink() {
  $('unlink').hidden = (state.profile?.identifiers ?? []).length < 2;
  $('unlink-button').disabled = state.selected.size !== 2 || state.correcting;
}

$('profile-identifiers').addEventListener('change', event => {
  const pick = event.target.closest('.identifier-pick');
  if (!pick) return;
  if (pick.checked) state.selected.add(pick.dataset.key);
  else state.selected.delete(pick.dataset.key);
  updateUnlink();
});

$('unlink-button').addEventListener('click', () => {
  const profile = state.profile;
  // In the profile's order: the page then shows the profile that holds the first of the two.
  const pair = (profile?.identifiers ?? []).filter(identifier => state.selected.has(identifier.key));
  if (pair.length !== 2) return;
  const [a, b] = pair.map(identifierText);
  if (!confirm(`Are ${a} and ${b} two people?\n\nThe customer is split in two, each part with what it did, and they stay apart until relinked.`)) return;
  correct('unlink', profile.profileId, pair);
});

$('correction').addEventListener('click', event => {
  const button = event.target.closest('button');
  if (!button || button.disabled) return;
  if (button.dataset.profileId) openProfileById(button.dataset.profileId);
  else if (button.dataset.action === 'relink' && state.unlinked) correct('relink', state.unlinked.profileId, state.unlinked.pair);
});

/** Posts the unlink or relink, then shows the profile holding the first identifier and names the profiles it gave. */
async function correct(kind, profileId, pair) {
  if (state.correcting) return;
  state.correcting = true;
  updateUnlink();
  setStatus(kind === 'unlink' ? 'Splitting the customer…' : 'Linking the two identifiers again…');
  try {
    const profiles = await api.correct(kind, profileId, pair);
    state.selected.clear();
    state.unlinked = kind === 'unlink' ? { profileId, pair } : null;
    showCorrection(kind, pair, profiles);
    setStatus('');
    await openProfile(profiles.find(p => (p.identifiers ?? []).some(i => i.key === pair[0].key)) ?? profiles[0]);
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) setStatus(`This key may not correct identity: ${error.message}`, 'error');
    else if (error instanceof ApiError && error.status === 401) setStatus('An API key with the identity role is needed to correct identity.', 'error');
    else showError(error);
  } finally {
    state.correcting = false;
    updateUnlink();
  }
}

function showCorrection(kind, pair, profiles) {
  const [a, b] = pair.map(identifierText);
  const text = kind === 'unlink'
    ? `${a} and ${b} are two people now. The customer was split into ${profiles.length} profiles:`
    : `${a} and ${b} are linked again:`;
  const sentence = text[0].toUpperCase() + text.slice(1);
  $('correction').replaceChildren(
    el('p', { text: sentence }),
    el('ul', {}, ...profiles.map(profile => el('li', {},
      el('button', { className: 'link-button', text: `Profile ${profile.profileId}`, attrs: { type: 'button', 'data-profile-id': profile.profileId } }),
      el('span', { className: 'muted small', text: ` ${(profile.identifiers ?? []).map(identifierText).join(' · ')}` })))),
    kind === 'unlink' ? el('button', { className: 'secondary', text: 'Relink', attrs: { type: 'button', 'data-action': 'relink', id: 'relink-button' } }) : null);
  $('correction').hidden = false;
}

async function openProfileById(profileId) {
  try {
    await openProfile(await api.profile(profileId));
  } catch (error) {
    showError(error);
  }
}

/** Shows a profile by itself (a part of a split): its journey, followed live by its id. */
async function openProfile(profile) {
  state.controller?.abort();
  const controller = new AbortController();
  Object.assign(state, {
    profile: null, items: new Map(), nextCursor: null, journeyLoaded: false, loadingMore: false, newIds: new Set(),
    controller, refreshQueued: false, refreshing: null, erased: false,
  });
  await showFound(profile, controller);
}

// ---- computed traits and audiences ------------------------------------------------------------------

// The highlights a sales associate looks at first, when the node computes them (the shipped defaults do).
const HIGHLIGHTS = { orders: 'computed-orders', revenue: 'computed-revenue', favourite_category: 'computed-favourite-category' };
const MAX_BAR_VALUES = 5;

function showPersonalisation(computed, audiences) {
  $('audiences').replaceChildren(...audiences.map(name =>
    el('li', { className: 'audience', text: humanise(name), attrs: { 'data-audience': name } })));
  $('audiences').hidden = audiences.length === 0;

  for (const [name, id] of Object.entries(HIGHLIGHTS)) {
    $(id).textContent = name in computed ? computedText(computed[name]) : '—';
    $(id).parentElement.hidden = !(name in computed);
  }

  // Affinities (values to scores) as bars, the strongest value full width.
  const affinities = Object.entries(computed).filter(([, value]) => isScores(value));
  $('affinities').replaceChildren(...affinities.map(([name, scores]) => {
    const entries = Object.entries(scores).slice(0, MAX_BAR_VALUES);
    const best = Math.max(...entries.map(([, score]) => score), 0);
    return el('div', { className: 'affinity', attrs: { 'data-trait': name } },
      el('h3', { text: humanise(name) }),
      entries.length
        ? el('ul', { className: 'bars' }, ...entries.map(([value, score]) => {
          const bar = el('span', { className: 'bar-fill' });
          bar.style.width = `${best > 0 ? Math.round((score / best) * 100) : 0}%`;
          return el('li', { className: 'bar', title: `${value}: ${score}` },
            el('span', { className: 'bar-label', text: value }), el('span', { className: 'bar-track' }, bar),
            el('span', { className: 'bar-score muted', text: String(score) }));
        }))
        : el('p', { className: 'muted small', text: 'Nothing yet.' }));
  }));

  const rows = Object.entries(computed).filter(([, value]) => !isScores(value));
  $('computed').replaceChildren(...rows.map(([name, value]) =>
    el('div', { className: 'trait', attrs: { 'data-trait': name } }, el('dt', { text: humanise(name) }), el('dd', { text: computedText(value) }))));
  $('personalisation').hidden = Object.keys(computed).length === 0 && audiences.length === 0;
}

// ---- consent -------------------------------------------------------------------------------------------

const CONSENT_TEXT = { granted: 'allowed', denied: 'not allowed' };

/** Each purpose with what the customer allowed, and the channels decided on their own (an SMS "STOP"). */
function showConsent(consent) {
  const purposes = Object.entries(consent);
  $('consent-purposes').replaceChildren(...purposes.map(([purpose, { status, channels }]) =>
    el('li', { className: 'purpose', attrs: { 'data-purpose': purpose, 'data-status': status } },
      el('span', { className: 'purpose-name', text: humanise(purpose) }),
      el('span', { className: `consent-status ${status}`, text: CONSENT_TEXT[status] ?? status }),
      ...Object.entries(channels ?? {}).map(([channel, channelStatus]) =>
        el('span', {
          className: `consent-channel ${channelStatus}`,
          text: `${channelLabel(channel)}: ${CONSENT_TEXT[channelStatus] ?? channelStatus}`,
          attrs: { 'data-channel': channel, 'data-status': channelStatus },
        })))));
  $('consent').hidden = purposes.length === 0;
  if ($('consent-history').open) loadConsentHistory();
}

$('consent-history').addEventListener('toggle', () => {
  if ($('consent-history').open) loadConsentHistory();
});

/** The decisions behind the statuses, read when the history is opened and again as the profile changes. */
async function loadConsentHistory() {
  const profile = state.profile;
  if (!profile) return;
  try {
    const history = await api.consent(profile.profileId, { signal: state.controller?.signal });
    if (state.profile?.profileId !== profile.profileId) return;
    $('consent-decisions').replaceChildren(...(history.decisions.length
      ? history.decisions.map(decision => el('li', {
        className: 'decision',
        attrs: { 'data-touchpoint-id': decision.touchpointId, 'data-status': decision.status },
        text: decisionText(decision),
      }))
      : [el('li', { className: 'muted small', text: 'No decision yet: each purpose has its default.' })]));
  } catch (error) {
    if (error?.name !== 'AbortError') $('consent-decisions').replaceChildren(el('li', { className: 'muted small', text: error.message }));
  }
}

function decisionText({ purpose, channel, status, at, channelOfTouchpoint, document, expiresAt }) {
  const parts = [
    `${humanise(purpose)}${channel ? ` by ${channelLabel(channel)}` : ''}: ${CONSENT_TEXT[status] ?? status}`,
    `${formatDateTime(at)} via ${channelLabel(channelOfTouchpoint)}`,
  ];
  if (document) parts.push(document);
  if (expiresAt) parts.push(`until ${formatDateTime(expiresAt)}`);
  return parts.join(' · ');
}

function isScores(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A computed value for people: times as dates, amounts with two decimals, nothing as a dash. */
function computedText(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value)) return formatDateTime(value);
  if (typeof value === 'number' && !Number.isInteger(value)) return value.toFixed(2);
  return valueText(value);
}

function initials(name) {
  const parts = name.split(/\s+/).filter(Boolean);
  return parts.length ? parts.slice(0, 2).map(p => p[0].toUpperCase()).join('') : '?';
}

/** A time as "2 days ago" over the date and time it was. */
function setTime(node, iso) {
  node.replaceChildren(
    el('span', { className: 'stat-main', text: iso ? formatRelative(iso) : '—' }),
    el('time', { className: 'stat-sub', text: iso ? formatDateTime(iso) : '', attrs: iso ? { datetime: iso } : {} }));
}

// ---- the journey -----------------------------------------------------------------------------------

/** Fetches the first page again and adds what is new: new touchpoints appear at the top. */
function refreshJourney() {
  if (state.refreshing) {
    state.refreshQueued = true;
    return state.refreshing;
  }
  state.refreshing = (async () => {
    do {
      state.refreshQueued = false;
      await loadPage(null);
    } while (state.refreshQueued && state.profile);
  })().finally(() => { state.refreshing = null; });
  return state.refreshing;
}

async function loadPage(cursor) {
  const profile = state.profile;
  const controller = state.controller;
  if (!profile || !controller) return;
  try {
    const page = await api.journey(profile.profileId, { cursor, limit: PAGE_SIZE, signal: controller.signal });
    if (controller.signal.aborted || state.profile?.profileId !== profile.profileId) return;
    const firstLoad = !state.journeyLoaded;
    for (const item of page.items ?? []) {
      if (!state.items.has(item.id) && !firstLoad && !cursor) {
        state.newIds.add(item.id);
        setTimeout(() => { state.newIds.delete(item.id); markNew(item.id, false); }, NEW_HIGHLIGHT_MS);
      }
      state.items.set(item.id, item);
    }
    // The cursor of the oldest page read so far is the one that continues the scroll.
    if (cursor || firstLoad) state.nextCursor = page.nextCursor ?? null;
    state.journeyLoaded = true;
    renderJourney();
  } catch (error) {
    if (controller.signal.aborted || error.name === 'AbortError') return;
    // The profile was erased or merged away while the page was read: the live stream says which.
    if (state.erased || state.profile?.profileId !== profile.profileId) return;
    showError(error);
  }
}

async function loadMore() {
  if (state.loadingMore || !state.nextCursor || !state.journeyLoaded) return;
  state.loadingMore = true;
  try {
    await loadPage(state.nextCursor);
  } finally {
    state.loadingMore = false;
  }
  // The sentinel may still be in view (a tall screen, a short page): observing it again reports it at once.
  observer.unobserve($('journey-sentinel'));
  observer.observe($('journey-sentinel'));
}

const observer = new IntersectionObserver(entries => {
  if (entries.some(entry => entry.isIntersecting)) loadMore();
}, { rootMargin: '600px 0px' });
observer.observe($('journey-sentinel'));

function renderJourney() {
  const items = [...state.items.values()].sort(compareJourney);
  const list = $('journey');
  const nodes = [];
  let lastDay = null;
  for (const item of items) {
    const key = dayKey(item.occurredAt);
    if (key !== lastDay) {
      nodes.push(el('li', { className: 'day', text: formatDay(item.occurredAt), attrs: { 'aria-hidden': 'false' } }));
      lastDay = key;
    }
    nodes.push(touchpointNode(item));
  }
  list.replaceChildren(...nodes);
  if (items.length === 0) list.append(el('li', { className: 'muted small empty', text: 'No touchpoints yet.' }));
  const total = state.profile?.touchpoints ?? items.length;
  $('journey-count').textContent = `${items.length} of ${total} touchpoint${total === 1 ? '' : 's'}`;
  $('journey-end').hidden = !(state.journeyLoaded && !state.nextCursor && items.length > 0);
}

function touchpointNode(item) {
  const kind = channelKind(item.channel);
  const node = el('li', { className: `touchpoint ${kind}`, attrs: { 'data-touchpoint-id': item.id } });
  if (state.newIds.has(item.id)) node.classList.add('new');

  const when = el('div', { className: 'tp-when' },
    el('time', { className: 'tp-time', text: formatTime(item.occurredAt), attrs: { datetime: item.occurredAt }, title: formatDateTime(item.occurredAt) }),
    el('span', { className: 'tp-relative muted', text: formatRelative(item.occurredAt) }));

  const head = el('div', { className: 'tp-head' },
    el('span', { className: `badge ${kind}`, text: channelLabel(item.channel) }),
    el('span', { className: 'tp-type', text: humanise(item.type) }));

  const body = el('div', { className: 'tp-body' }, head);

  const properties = item.properties && typeof item.properties === 'object' && !Array.isArray(item.properties)
    ? Object.entries(item.properties)
    : item.properties != null ? [['value', item.properties]] : [];
  if (properties.length) {
    const list = el('dl', { className: 'tp-props' });
    for (const [key, value] of properties.slice(0, MAX_PROPERTIES)) {
      list.append(el('div', {}, el('dt', { text: humanise(key) }), el('dd', { text: valueText(value) })));
    }
    if (properties.length > MAX_PROPERTIES) {
      list.append(el('div', { className: 'muted' }, el('dt', { text: '…' }), el('dd', { text: `${properties.length - MAX_PROPERTIES} more` })));
    }
    body.append(list);
  }

  const traits = Object.entries(item.traits ?? {});
  if (traits.length) {
    body.append(el('p', { className: 'tp-traits muted small',
      text: 'Updated ' + traits.map(([key, value]) => value === null ? `${humanise(key).toLowerCase()} (removed)` : `${humanise(key).toLowerCase()}: ${valueText(value)}`).join(', ') }));
  }

  const identifiers = item.identifiers ?? [];
  if (identifiers.length) {
    body.append(el('p', { className: 'tp-ids muted small',
      text: 'As ' + identifiers.map(i => `${identifierLabel(i.type).toLowerCase()} ${i.hint}`).join(' · ') }));
  }

  node.append(when, el('span', { className: 'tp-dot', attrs: { 'aria-hidden': 'true' } }), body);
  return node;
}

function markNew(id, on) {
  const node = $('journey').querySelector(`[data-touchpoint-id="${CSS.escape(id)}"]`);
  node?.classList.toggle('new', on);
}

// Relative times ("5 minutes ago") age while the page stays open.
setInterval(() => {
  if (state.profile) {
    showProfile(state.profile);
    renderJourney();
  }
}, 60000);
