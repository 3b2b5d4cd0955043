// Labels and formats for people. Everything here returns plain strings: the page sets them with
// textContent only, so a trait or a journey property can never become markup.

// The page's copy of Profiles.Core's ChannelKinds (the node's one list): change both together.
export const ONLINE = ['web', 'app', 'email', 'sms', 'chat', 'social'];
export const OFFLINE = ['store', 'call_center', 'crm'];

const CHANNEL_LABELS = {
  web: 'Web', app: 'App', email: 'E-mail', sms: 'SMS', chat: 'Chat', social: 'Social',
  store: 'Store', call_center: 'Call centre', crm: 'CRM', partner: 'Partner',
};

const IDENTIFIER_LABELS = {
  email: 'E-mail', phone: 'Phone', loyalty_id: 'Loyalty card', crm_id: 'CRM id', customer_id: 'Customer id',
  cookie: 'Cookie', device_id: 'Device', app_user_id: 'App user',
};

export function channelKind(channel) {
  if (ONLINE.includes(channel)) return 'online';
  if (OFFLINE.includes(channel)) return 'offline';
  return 'other';
}

export function channelLabel(channel) {
  return CHANNEL_LABELS[channel] ?? humanise(channel);
}

export function identifierLabel(type) {
  return IDENTIFIER_LABELS[type] ?? humanise(type);
}

/** 'add_to_cart' -> 'Add to cart', 'email.open' -> 'Email open', 'firstName' -> 'First name'. */
export function humanise(code) {
  const words = String(code ?? '')
    .replace(/([a-z0-9])([A-Z])/g, (_, before, capital) => `${before} ${capital.toLowerCase()}`)
    .replace(/[_.]+/g, ' ')
    .trim();
  return words ? words[0].toUpperCase() + words.slice(1) : '';
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const day = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatDateTime(iso) {
  const date = toDate(iso);
  return date ? dateTime.format(date) : '—';
}

export function formatTime(iso) {
  const date = toDate(iso);
  return date ? time.format(date) : '';
}

export function formatDay(iso) {
  const date = toDate(iso);
  return date ? day.format(date) : '';
}

/** The local calendar day of a time, to group a journey by day. */
export function dayKey(iso) {
  const date = toDate(iso);
  return date ? `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}` : '';
}

export function formatRelative(iso, now = Date.now()) {
  const date = toDate(iso);
  if (!date) return '';
  const seconds = (date.getTime() - now) / 1000;
  const steps = [[60, 'second'], [60, 'minute'], [24, 'hour'], [30, 'day'], [12, 'month'], [Infinity, 'year']];
  let amount = seconds;
  for (const [size, unit] of steps) {
    if (Math.abs(amount) < size) return relative.format(Math.round(amount), unit);
    amount /= size;
  }
  return '';
}

/** A trait or property value as text: strings as they are, other JSON compactly. */
export function valueText(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

export function toDate(iso) {
  if (!iso) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Journey order: newest occurredAt first, equal times by id descending (docs/API.md). */
export function compareJourney(a, b) {
  const ta = toDate(a.occurredAt)?.getTime() ?? 0;
  const tb = toDate(b.occurredAt)?.getTime() ?? 0;
  if (ta !== tb) return tb - ta;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}
