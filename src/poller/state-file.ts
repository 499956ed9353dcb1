// Checkpoints on disk, so a restart does not count again what was counted before it.
// Written atomically (temp file, fsync, rename) so a crash mid-write leaves the old file intact;
// mode 0600 because it names the webhooks being watched. A state file that cannot be read is
// logged and ignored: the exporter then starts as it would without one (`startFrom`).

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { CheckpointData } from './checkpoint.js';

export const STATE_FORMAT_VERSION = 1;

const idAndTime = z.tuple([z.string(), z.number().finite()]);
const checkpointSchema = z.object({
  provider: z.string(),
  initialized: z.boolean(),
  watermarkMs: z.number().finite().optional(),
  seen: z.array(idAndTime),
  pending: z.array(idAndTime),
  invalid: z.array(z.string()).optional(),
});
const stateSchema = z.object({
  version: z.literal(STATE_FORMAT_VERSION),
  webhooks: z.record(z.string(), checkpointSchema),
});

export type StoredCheckpoint = CheckpointData & { provider: string };
export type StoredState = Map<string, StoredCheckpoint>;

export function stateKey(source: string, webhookId: string): string {
  return `${source}/${webhookId}`;
}

export type LoadResult =
  | { kind: 'loaded'; state: StoredState }
  | { kind: 'missing' }
  | { kind: 'unusable'; problem: string };

export async function loadState(file: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unusable', problem: `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'unusable', problem: 'not valid JSON' };
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { kind: 'unusable', problem: `unexpected content at ${first?.path.join('.') || '(root)'}: ${first?.message ?? 'invalid'}` };
  }
  const state: StoredState = new Map();
  for (const [key, value] of Object.entries(parsed.data.webhooks)) {
    state.set(key, { ...value, watermarkMs: value.watermarkMs });
  }
  return { kind: 'loaded', state };
}

export async function saveState(file: string, state: StoredState): Promise<void> {
  const body = JSON.stringify({
    version: STATE_FORMAT_VERSION,
    writtenAt: new Date().toISOString(),
    webhooks: Object.fromEntries(state),
  });
  await mkdir(dirname(file), { recursive: true });
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(body);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
