// Where the browser tests find Chromium: Debian's package, never a downloaded browser.
import { existsSync } from 'node:fs';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const chromiumMissing = !existsSync(CHROMIUM_PATH);
