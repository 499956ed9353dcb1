import { VERSION } from '../version.js';

export const USER_AGENT = `webhook-log-exporter/${VERSION}`;
