// Headless Chromium for the tests that open what logsift writes for people (the HTML report): Debian's
// `chromium` package, installed by the tests themselves on a machine without it (as root, as CI runs), and
// driven with puppeteer-core — its own browser download does not work here (../shared/RECIPES.md).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import puppeteer, { type Browser } from 'puppeteer-core';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';

export async function ensureChromium(): Promise<void> {
  if (existsSync(CHROMIUM)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  await run('apt-get', ['update', '-qq'], { env, timeout: 300_000 });
  await run('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-dejavu-core'], { env, timeout: 600_000 });
}

export async function launchChromium(): Promise<Browser> {
  await ensureChromium();
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}
