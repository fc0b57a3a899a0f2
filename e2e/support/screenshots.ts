/** Screenshots of each view for people to look at: test-output/dashboard/<name>.png. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { repoRoot } from './renderer-build.js';

export const screenshotDir = join(repoRoot, 'test-output', 'dashboard');

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const path = join(screenshotDir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}
