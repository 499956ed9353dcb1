// The provider simulator in its own process, so the idle benchmark's CPU figures are the exporter's
// alone. Prints {"url": ...} once it listens; exits when its stdin closes.
// Usage: node --import tsx bench/simulator-child.ts <webhooksPerProvider> <entriesPerWebhook>

import { baanxEntry, ProviderSimulator, salesfinityEntry } from '../src/simulator/index.js';

const [perProvider = '50', entries = '20'] = process.argv.slice(2);
const simulator = await ProviderSimulator.start();
const nowMs = Date.now();
for (let i = 0; i < Number(perProvider); i++) {
  simulator.addWebhook('salesfinity', `sf-${i}`);
  simulator.addWebhook('baanx', `bx-${i}`);
  const times = Array.from({ length: Number(entries) }, (_, n) => ({ nowMs: nowMs - (n + 1) * 1_000 }));
  simulator.append('salesfinity', `sf-${i}`, times.map((context) => salesfinityEntry({}, context)));
  simulator.append('baanx', `bx-${i}`, times.map((context) => baanxEntry({}, context)));
}
process.stdout.write(`${JSON.stringify({ url: simulator.url })}\n`);
process.stdin.resume();
process.stdin.on('end', () => void simulator.close());
