// Sends Segment Spec calls through a real analytics library to a Profiles node, flushes and exits:
//
//   node send.js analytics-node|rudder-sdk-node HOST WRITE_KEY < calls.json
//
// calls.json is an array of { "method": "identify" | "track" | "page" | "screen" | "alias" | "group", "message": {...} },
// each message as the library's call takes it. Prints the library's errors and exits 1 if any event failed.
'use strict';
const fs = require('fs');

const [library, host, writeKey] = process.argv.slice(2);
const calls = JSON.parse(fs.readFileSync(0, 'utf8'));

async function viaAnalyticsNode() {
  const { Analytics } = require('@segment/analytics-node');
  const analytics = new Analytics({ writeKey, host, flushInterval: 100, maxRetries: 2 });
  const failures = [];
  analytics.on('error', (error) => failures.push(error));
  for (const { method, message } of calls) analytics[method](message);
  await analytics.closeAndFlush({ timeout: 30000 });
  return failures;
}

async function viaRudder() {
  const Analytics = require('@rudderstack/rudder-sdk-node');
  const analytics = new Analytics(writeKey, { dataPlaneUrl: host, flushInterval: 100, retryCount: 1, logLevel: 'error' });
  const delivered = calls.map(({ method, message }) => new Promise((resolve) => analytics[method](message, (error) => resolve(error))));
  await analytics.flush();
  return (await Promise.all(delivered)).filter(Boolean);
}

const send = { 'analytics-node': viaAnalyticsNode, 'rudder-sdk-node': viaRudder }[library];
if (!send) {
  console.error(`unknown library ${library}`);
  process.exit(2);
}
send().then(
  (failures) => {
    for (const failure of failures) console.error(String(failure?.reason ?? failure?.message ?? failure), failure?.code ?? '');
    process.exit(failures.length === 0 ? 0 : 1);
  },
  (error) => {
    console.error(error);
    process.exit(1);
  });
