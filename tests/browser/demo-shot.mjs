// A screenshot of a page of a running demo, signed in as a demo account: for the pages whose
// point is the demo's history (a year of baseline scans), which the browser tests, starting
// from an empty demo, cannot show.
//
//   node tests/browser/demo-shot.mjs http://127.0.0.1:8080 44021@gemeente.test /basisbeveiliging docs/screenshots/baseline.png
import { chromium } from "playwright-core";

const [base, email, path, file] = process.argv.slice(2);
if (!file) throw new Error("usage: demo-shot.mjs BASE EMAIL PATH FILE.png");
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "nl-BE" })).newPage();
  await page.goto(base + "/aanmelden");
  await page.getByLabel("E-mailadres").fill(email);
  await page.getByLabel("Wachtwoord").fill("demo");
  await page.getByRole("button", { name: "Aanmelden" }).click();
  const response = await page.goto(base + path);
  if (!response || response.status() !== 200) throw new Error(`${path} answered ${response && response.status()}`);
  await page.screenshot({ path: file, fullPage: true });
} finally {
  await browser.close();
}
