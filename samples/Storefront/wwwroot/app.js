// Shows the view the storefront server computes for this visitor, and follows it live: a purchase in a shop, a sign-in
// on another tab or a call to the call centre re-renders the greeting and the banner without a reload.
const greeting = document.getElementById('greeting');
const banner = document.getElementById('banner');
const bannerTitle = document.getElementById('banner-title');
const live = document.getElementById('live');

function show(view) {
  greeting.textContent = view.greeting;
  banner.dataset.banner = view.banner;
  bannerTitle.textContent = view.bannerTitle;
}

async function start() {
  // The first call records the visit (and gives a new visitor their cookie) before the live stream opens.
  const me = await fetch('/api/me');
  if (me.ok) show(await me.json());
  const events = new EventSource('/api/live');
  events.addEventListener('view', event => show(JSON.parse(event.data)));
  events.addEventListener('open', () => { live.textContent = 'live'; });
  events.addEventListener('error', () => { live.textContent = 'reconnecting…'; });
}

document.getElementById('sign-in-form').addEventListener('submit', async event => {
  event.preventDefault();
  const form = new FormData(event.target);
  const error = document.getElementById('sign-in-error');
  const response = await fetch('/api/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(Object.fromEntries(form)),
  });
  error.hidden = response.ok;
  if (!response.ok) error.textContent = (await response.json()).detail;
});

start();
