import {chromium, type Browser} from 'playwright-core';

/** Debian's chromium, headless, with everything that could talk to the network switched off. */
export const CHROMIUM = {
  executablePath: process.env.LEAKWATCH_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export function launchChromium(): Promise<Browser> {
  return chromium.launch({executablePath: CHROMIUM.executablePath, args: CHROMIUM.args, headless: true});
}
