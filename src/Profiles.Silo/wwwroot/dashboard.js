// The statistics dashboard: the reconciliation and identification rates, their curves over time, profiles per
// channel and how online and offline customers overlap. It polls GET /v1/stats every few seconds and reads
// GET /v1/stats/history when the period changes and every minute; the figures polled since the last sample
// continue the curves, so they move with every poll. The curves are drawn by uPlot (vendored in vendor/uplot, MIT); the bars and the overlap
// are SVG drawn here. Channel names are whatever clients sent: they only ever reach the page as text.

import uPlot from './vendor/uplot/uPlot.esm.js';
import { ApiError } from './api.js';
import { $, el, svg } from './dom.js';
import { apiWithKeyForm } from './keys.js';
import { channelKind, channelLabel } from './format.js';

const POLL_MS = 5000;
const HISTORY_MS = 60000;
const CHART_HEIGHT = 260;
const MAX_RECENT = 720; // an hour of polls: bounds the curves' tail while the history cannot be read

/** The periods the curves show: a day minute by minute, a week or a month hour by hour. */
const RANGES = {
  day: { hours: 24, step: 'minute' },
  week: { hours: 24 * 7, step: 'hour' },
  month: { hours: 24 * 30, step: 'hour' },
};

const count = new Intl.NumberFormat();
const percent = new Intl.NumberFormat(undefined, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
const clock = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });

// A key refused (403) or a form cancelled (401) stops the polling; forgetting the key starts it again, so the
// next call asks for another key without a reload.
const api = apiWithKeyForm(message => {
  setStatus(message);
  if (state.stopped) start();
});

const state = {
  range: 'day',
  history: [],   // points of GET /v1/stats/history, oldest first
  recent: [],    // answers of GET /v1/stats newer than the history's last point, oldest first
  chart: null,
  stopped: false, // the key may not read statistics, or none was given: polling waits for the key to be forgotten
  polling: 0,     // the current polling's number: loops of an earlier one end instead of running twice
};

function setStatus(text, kind = 'info') {
  const status = $('status');
  status.textContent = text ?? '';
  status.dataset.kind = kind;
}

function setLive(liveState, text, title) {
  const live = $('live-state');
  live.dataset.state = liveState;
  live.querySelector('.live-text').textContent = text;
  live.title = title ?? text;
}

// ---- reading ---------------------------------------------------------------------------------------

async function readStats() {
  const stats = await api.json('/v1/stats');
  state.recent.push(stats);
  if (state.recent.length > MAX_RECENT) state.recent.shift();
  showFigures(stats);
  drawChannels(stats);
  drawOverlap(stats);
  drawTrend();
  setLive('connected', 'Live', `Updated at ${clock.format(new Date(stats.asOf))}; refreshed every ${POLL_MS / 1000} s.`);
}

async function readHistory() {
  const { hours, step } = RANGES[state.range];
  const to = new Date();
  const from = new Date(to.getTime() - hours * 3600 * 1000);
  const query = new URLSearchParams({ from: from.toISOString(), to: to.toISOString(), step });
  const range = state.range;
  const history = await api.json(`/v1/stats/history?${query}`);
  if (range !== state.range) return; // the period changed while this was read
  state.history = history.points;
  state.recent = newerThanHistory(state.recent);
  drawTrend();
}

/** Runs read every everyMs while the page is visible, until a refusal stops the page. */
async function every(everyMs, read) {
  const polling = state.polling;
  while (!state.stopped && polling === state.polling) {
    if (document.hidden) await new Promise(resolve => document.addEventListener('visibilitychange', resolve, { once: true }));
    try {
      await read();
      setStatus('');
    } catch (error) {
      refused(error);
    }
    await new Promise(resolve => setTimeout(resolve, everyMs));
  }
}

function refused(error) {
  if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
    state.stopped = true;
    setLive('offline', 'Stopped');
    setStatus(error.status === 401
      ? 'An API key is needed to read the statistics. Reload the page to enter one.'
      : `This API key may not read the statistics: ${error.message}`, 'error');
    return;
  }
  setLive('reconnecting', 'Reconnecting…', 'The node could not be reached; trying again.');
  if (error instanceof ApiError) setStatus(error.message, 'error');
  else console.error(error); // fetch's own failure, or a fault of this page: the console tells them apart
}

// ---- the figures -----------------------------------------------------------------------------------

function showFigures(stats) {
  $('reconciliation-rate').textContent = percent.format(stats.reconciliationRate);
  $('reconciliation-detail').textContent =
    `${count.format(stats.omnichannel)} of ${count.format(stats.offline)} customers seen offline are also known online.`;
  $('identification-rate').textContent = percent.format(stats.identificationRate);
  $('identification-detail').textContent =
    `${count.format(stats.identified)} of ${count.format(stats.profiles)} profiles carry a known identifier, not only a cookie or a device.`;
  for (const figure of ['profiles', 'identified', 'online', 'offline', 'omnichannel', 'touchpoints']) {
    $(`figure-${figure}`).textContent = count.format(stats[figure]);
  }
}

// ---- the curves ------------------------------------------------------------------------------------

function drawTrend() {
  const points = [...state.history, ...newerThanHistory(state.recent)];
  const data = [
    points.map(p => Date.parse(p.asOf) / 1000),
    points.map(p => p.reconciliationRate * 100),
    points.map(p => p.identificationRate * 100),
  ];
  const container = $('rates-chart');
  container.dataset.points = String(points.length);
  $('trend-empty').hidden = points.length > 1;
  if (state.chart) state.chart.setData(data);
  else state.chart = new uPlot(chartOptions(container.clientWidth), data, container);
}

/** The polled figures the history does not cover yet: the samples replace them as they are read. */
function newerThanHistory(polled) {
  const last = state.history.at(-1);
  return last ? polled.filter(p => Date.parse(p.asOf) > Date.parse(last.asOf)) : polled;
}

function chartOptions(width) {
  const rate = (u, value) => (value == null ? '—' : percent.format(value / 100));
  const axis = { stroke: '#5d6b7a', grid: { stroke: '#e6eaef', width: 1 }, ticks: { stroke: '#dde3ea', width: 1 } };
  return {
    width,
    height: CHART_HEIGHT,
    scales: { x: { time: true }, y: { range: [0, 100] } },
    axes: [axis, { ...axis, values: (u, ticks) => ticks.map(tick => `${tick}%`), size: 56 }],
    series: [
      {},
      { label: 'Reconciliation', stroke: '#1f4e79', fill: 'rgba(31, 78, 121, .08)', width: 2, value: rate },
      { label: 'Identification', stroke: '#b45309', width: 2, value: rate },
    ],
  };
}

new ResizeObserver(() => state.chart?.setSize({ width: $('rates-chart').clientWidth, height: CHART_HEIGHT })).observe($('rates-chart'));

for (const button of document.querySelectorAll('.range')) {
  button.addEventListener('click', () => {
    state.range = button.dataset.range;
    state.history = [];
    for (const other of document.querySelectorAll('.range')) other.setAttribute('aria-pressed', String(other === button));
    readHistory().catch(refused);
  });
}

// ---- profiles per channel --------------------------------------------------------------------------

const BAR = { labelWidth: 120, width: 640, row: 34, bar: 20, valueGap: 8 };

function drawChannels(stats) {
  const channels = Object.entries(stats.channels).sort(([a, x], [b, y]) => y.profiles - x.profiles || a.localeCompare(b));
  const chart = $('channels-chart');
  if (channels.length === 0) {
    chart.replaceChildren(el('p', { className: 'muted small', text: 'No touchpoint yet.' }));
    return;
  }
  const most = Math.max(...channels.map(([, c]) => c.profiles));
  const room = BAR.width - BAR.labelWidth - 200;
  const rows = channels.map(([channel, totals], i) => {
    const y = i * BAR.row;
    const length = Math.max(2, (totals.profiles / most) * room);
    return svg('g', {
      className: `channel-bar ${channelKind(channel)}`,
      title: `${channelLabel(channel)}: ${count.format(totals.profiles)} profiles, ${count.format(totals.touchpoints)} touchpoints`,
      attrs: { 'data-channel': channel, 'data-profiles': totals.profiles, 'data-touchpoints': totals.touchpoints },
    },
    svg('text', { className: 'bar-name', text: channelLabel(channel), attrs: { x: BAR.labelWidth - 10, y: y + BAR.row / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' } }),
    svg('rect', { attrs: { x: BAR.labelWidth, y: y + (BAR.row - BAR.bar) / 2, width: length, height: BAR.bar, rx: 4 } }),
    svg('text', {
      className: 'bar-value',
      text: `${count.format(totals.profiles)} · ${count.format(totals.touchpoints)} tp`,
      attrs: { x: BAR.labelWidth + length + BAR.valueGap, y: y + BAR.row / 2, 'dominant-baseline': 'middle' },
    }));
  });
  chart.replaceChildren(svg('svg', {
    attrs: { viewBox: `0 0 ${BAR.width} ${channels.length * BAR.row}`, role: 'img', 'aria-label': 'Profiles per channel' },
  }, ...rows));
}

// ---- online and offline ----------------------------------------------------------------------------

const OVERLAP = { width: 640, top: 10, row: 44, bar: 30, labelWidth: 80 };

/** Two bars on one scale, offline shifted by the online-only customers: where they overlap are the customers in both. */
function drawOverlap(stats) {
  const both = stats.omnichannel;
  const onlineOnly = stats.online - both;
  const offlineOnly = stats.offline - both;
  const neither = stats.profiles - stats.online - stats.offline + both;
  $('overlap-online-only').textContent = count.format(onlineOnly);
  $('overlap-both').textContent = count.format(both);
  $('overlap-offline-only').textContent = count.format(offlineOnly);
  $('overlap-neither').textContent = count.format(neither);
  $('overlap-neither-item').hidden = neither === 0;

  const chart = $('overlap-chart');
  const union = onlineOnly + both + offlineOnly;
  if (union === 0) {
    chart.replaceChildren(el('p', { className: 'muted small', text: 'No customer seen online or offline yet.' }));
    return;
  }
  const scale = (OVERLAP.width - OVERLAP.labelWidth) / union;
  const x = n => OVERLAP.labelWidth + n * scale;
  const row = (kind, label, from, size, i) => {
    const y = OVERLAP.top + i * OVERLAP.row;
    return svg('g', { className: `overlap-bar ${kind}`, attrs: { 'data-set': kind, 'data-count': size } },
      svg('text', { className: 'bar-name', text: label, attrs: { x: OVERLAP.labelWidth - 10, y: y + OVERLAP.bar / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle' } }),
      svg('rect', { attrs: { x: x(from), y, width: Math.max(size * scale, size > 0 ? 2 : 0), height: OVERLAP.bar, rx: 4 } }));
  };
  const height = OVERLAP.top * 2 + OVERLAP.row + OVERLAP.bar;
  chart.replaceChildren(svg('svg', {
    attrs: { viewBox: `0 0 ${OVERLAP.width} ${height}`, role: 'img', 'aria-label': 'Online and offline customers and their overlap' },
  },
  svg('rect', {
    className: 'overlap-both',
    title: `${count.format(both)} customers seen both online and offline`,
    attrs: { x: x(onlineOnly), y: 0, width: both * scale, height, rx: 6, 'data-count': both },
  }),
  row('online', 'Online', 0, stats.online, 0),
  row('offline', 'Offline', onlineOnly, stats.offline, 1)));
}

// ---- start -----------------------------------------------------------------------------------------

function start() {
  state.stopped = false;
  state.polling += 1;
  setLive('connecting', 'Connecting…');
  every(POLL_MS, readStats);
  every(HISTORY_MS, readHistory);
}

start();
