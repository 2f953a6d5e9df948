// How every browser here starts: Debian's Chromium (Playwright cannot
// download its own), with the flags it needs as root on a machine without a
// GPU and without other hosts to reach.
export const chromiumLaunch = {
  executablePath: "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};
