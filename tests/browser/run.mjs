// The portal in a real browser. Starts the cyberveilig binary (CYBERVEILIG_BIN) in demo mode
// with a test clock and no history, on a free port, in a temporary folder; drives Debian's
// Chromium through playwright-core; runs axe-core on every page it visits and fails on any
// serious or critical violation; saves screenshots of the main pages (under the build's target
// directory; refresh-screenshots.sh writes them to docs/screenshots).
import { chromium } from "playwright-core";
import { spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
// Screenshots go where the test says (the build's target directory); `refresh-screenshots.sh`
// points them at docs/screenshots.
const shots = process.env.CYBERVEILIG_SCREENSHOTS || join(root, "target", "screenshots");
const binary = process.env.CYBERVEILIG_BIN;
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const axeSource = readFileSync(join(here, "node_modules", "axe-core", "axe.min.js"), "utf8");
if (!binary) throw new Error("set CYBERVEILIG_BIN to the cyberveilig binary");

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

function totp(secretBase32, offsetSteps = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secretBase32.replace(/\s|=/g, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + offsetSteps));
  const h = createHmac("sha1", key).update(counter).digest();
  const o = h[19] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0");
}

const failures = [];
let checks = 0;
function check(condition, what) {
  checks++;
  if (!condition) failures.push(what);
}

async function axe(page, name) {
  // The page's CSP forbids inline scripts; evaluating through the DevTools protocol is not
  // governed by it, so axe is injected that way and the CSP stays as it is served.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  check(bad.length === 0, `axe on ${name}: ${JSON.stringify(bad)}`);
  return result;
}

// Every table of the main content scrolls inside a .table-wrap that a keyboard can reach and a
// screen reader can name.
async function tableWraps(page, name) {
  const bad = await page.evaluate(() =>
    [...document.querySelectorAll("main table")].filter((t) => {
      const w = t.parentElement;
      return !(w.classList.contains("table-wrap") && w.getAttribute("tabindex") === "0" && w.getAttribute("role") === "region" && w.getAttribute("aria-label"));
    }).length,
  );
  check(bad === 0, `${name}: ${bad} table(s) not in a focusable, labelled .table-wrap`);
}

// Nothing makes the page itself wider than the screen (a wide table scrolls in its wrap).
async function fitsWidth(page, name) {
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  check(over <= 0, `${name}: the page is ${over}px wider than the screen`);
}

// A one-page PDF with correct cross-references (as the demo's reports): an audit report to upload.
function simplePdf(text) {
  const stream = `BT /F1 12 Tf 56 780 Td (${text}) Tj ET\n`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}endstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

// The firm's results for a basic audit in the portal: every control not rated yet gets a rating
// in the assessment form, then the audit report (a PDF) is uploaded on the order.
async function completeResults(page, base, orderPath, rating) {
  await page.goto(base + orderPath + "/beoordeling");
  for (const select of await page.locator("select[name^='rating-']").all()) {
    if (!(await select.inputValue())) await select.selectOption(rating);
  }
  await page.getByRole("button", { name: "Beoordeling opslaan" }).click();
  await page.goto(base + orderPath);
  await page.getByLabel("Auditrapport (PDF)").setInputFiles({ name: "auditrapport.pdf", mimeType: "application/pdf", buffer: simplePdf("Auditrapport") });
  await page.getByRole("button", { name: "Auditrapport opladen" }).click();
}

// No figure card's content runs out of its card (a long count, a deadline with its days left).
async function cardsFit(page, name) {
  const over = await page.evaluate(() =>
    [...document.querySelectorAll(".figures > div")].filter((d) => d.scrollWidth > d.clientWidth + 1).map((d) => d.textContent.trim()),
  );
  check(over.length === 0, `${name}: figure cards overflow: ${JSON.stringify(over)}`);
}

async function visit(page, base, path, name, screenshot) {
  const response = await page.goto(base + path);
  check(response && response.status() < 400, `${name} (${path}) answered ${response && response.status()}`);
  await axe(page, name);
  await cardsFit(page, name);
  if (screenshot) await page.screenshot({ path: join(shots, `${screenshot}.png`), fullPage: true });
}

async function signIn(page, base, email) {
  await page.goto(base + "/aanmelden");
  await page.getByLabel("E-mailadres").fill(email);
  await page.getByLabel("Wachtwoord").fill("demo");
  await page.getByRole("button", { name: "Aanmelden" }).click();
}

async function signOut(page) {
  // On a phone the button is behind the menu's.
  if (await page.locator(".menu-button").isVisible()) await page.locator(".menu-button").click();
  await page.getByRole("button", { name: /Afmelden|Sign out/ }).click();
}

// The ethical-hacking pages (issue 5): VVSG publishes its model policy, Gent adopts and
// publishes it; an anonymous visitor reads it, reports through the form (a refusal first), follows
// the report through its secret link; Gent handles it and the reporter sees the answer. Every page
// is checked with axe and screenshotted at desktop and phone width.
async function ethicalHacking(page, base) {
  const dialogs = [];
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  // The current page at phone width too: axe, no sideways scrolling, a screenshot; then back.
  const alsoOnPhone = async (name, screenshot) => {
    await page.setViewportSize({ width: 390, height: 844 });
    await axe(page, `${name} on a phone`);
    await cardsFit(page, `${name} on a phone`);
    // The menu folds behind one button, and the page's content starts in the first screen.
    const nav = page.locator("header nav");
    if (await nav.count()) {
      check(!(await nav.isVisible()), `${name} on a phone: the menu is folded`);
      await page.locator(".menu-button").click();
      check(await nav.isVisible(), `${name} on a phone: the menu button opens the menu`);
      await page.locator(".menu-button").click();
    }
    const heading = await page.locator("main h1").first().boundingBox();
    check(heading && heading.y < 844 - 60, `${name} on a phone: the content starts in the first screen (${heading && heading.y})`);
    await fitsWidth(page, `${name} on a phone`);
    await tableWraps(page, `${name} on a phone`);
    if (screenshot) await page.screenshot({ path: join(shots, `phone-${screenshot}.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
  };
  const shot = async (name, screenshot) => {
    await axe(page, name);
    await fitsWidth(page, name);
    await tableWraps(page, name);
    await page.screenshot({ path: join(shots, `${screenshot}.png`), fullPage: true });
    await alsoOnPhone(name, screenshot);
  };

  // Before any policy: the public page says there is none.
  const none = await page.goto(base + "/g/44021/beleid");
  check(none.status() === 404, "Gent has no public policy before it publishes one");

  await signIn(page, base, "vvsg@vvsg.test");
  await visit(page, base, "/modelbeleid", "model policy editor (VVSG)");
  await page.getByRole("button", { name: "Het model publiceren" }).click();
  check((await page.getByRole("status").filter({ hasText: "Het model is gepubliceerd." }).count()) === 1, "VVSG publishes its model");
  await signOut(page);

  await signIn(page, base, "44021@gemeente.test");
  await visit(page, base, "/beleid", "policy editor (Gent, empty)");
  await page.getByRole("button", { name: "Het model overnemen als ons ontwerp" }).click();
  check((await page.getByRole("status").filter({ hasText: "Het model is nu uw ontwerp" }).count()) === 1, "Gent adopts the model");
  await page.getByLabel("E-mailadres voor meldingen").fill("cert@stad.gent.test");
  await page.getByLabel("Ook binnen de scope").fill("stad.gent.test\nmijn.gent.test");
  await page.getByRole("button", { name: "Ontwerp bewaren" }).click();
  check((await page.getByLabel("E-mailadres voor meldingen").inputValue()) === "cert@stad.gent.test", "the draft keeps the contact address");
  await page.getByRole("button", { name: "Publiceren", exact: true }).click();
  check((await page.getByRole("status").filter({ hasText: "Gepubliceerd" }).count()) === 1, "Gent publishes its policy");
  check((await page.locator("pre").first().textContent()).includes("Contact: mailto:cert@stad.gent.test"), "the editor shows the security.txt");
  await shot("policy editor (Gent, published)", "policy-editor");
  const sectxtDownload = await page.request.get(base + "/beleid/security.txt?domein=stad.gent.test");
  check(sectxtDownload.status() === 200 && /attachment/.test(sectxtDownload.headers()["content-disposition"] || ""), "the security.txt downloads as a file");
  await signOut(page);

  // security.txt, as served.
  const sectxt = await page.request.get(base + "/g/44021/.well-known/security.txt");
  const sectxtBody = await sectxt.text();
  check(sectxt.status() === 200 && (sectxt.headers()["content-type"] || "").startsWith("text/plain"), `security.txt is text/plain (${sectxt.headers()["content-type"]})`);
  check(["Contact: ", "Expires: ", "Policy: "].every((f) => sectxtBody.split("\n").some((l) => l.startsWith(f))), `security.txt has Contact, Expires and Policy lines:\n${sectxtBody}`);
  check(/^Policy: .*\/g\/44021\/(beleid|policy)/m.test(sectxtBody), "security.txt points to Gent's policy");

  // An anonymous visitor reads the policy in Dutch and in English.
  await visit(page, base, "/g/44021/beleid", "policy (Gent, Dutch)");
  check((await page.locator("h1").textContent()).includes("Gent") && (await page.getAttribute("html", "lang")) === "nl", "Gent's policy in Dutch");
  check((await page.locator("main").textContent()).includes("cert@stad.gent.test"), "the policy gives the contact address");
  await shot("policy (Gent, Dutch)", "policy");
  await page.getByRole("link", { name: "English" }).click();
  check(page.url().endsWith("/g/44021/policy") && (await page.getAttribute("html", "lang")) === "en", "the policy's English version");
  check((await page.locator("h1").textContent()).includes("Vulnerability disclosure policy"), "the English policy's heading");
  await shot("policy (Gent, English)", "policy-en");
  await page.getByRole("link", { name: "Report through the form (no account needed)" }).click();
  check(page.url().endsWith("/g/44021/report") && (await page.locator("h1").textContent()).startsWith("Report a vulnerability"), `the English policy leads to the English form (${page.url()})`);
  await axe(page, "report form (English)");
  // The public way in: from the landing page, find Gent by name and reach its policy.
  await page.goto(base + "/");
  await page.getByLabel("Bestuur (naam of NIS-code)").fill("Gent");
  await page.getByRole("button", { name: "Zoeken" }).click();
  check(page.url().endsWith("/g/44021/beleid"), `searching Gent from the landing page leads to its policy (${page.url()})`);
  await visit(page, base, "/melden", "report a vulnerability: the way in", "report-way-in");
  await page.goto(base + "/g/44021/beleid");
  await page.getByRole("link", { name: "Meld via het formulier (zonder account)" }).click();
  check(page.url().endsWith("/g/44021/melden"), "the policy leads to the report form");
  await shot("report form", "report-form");

  // A bad CWE: refused in the page, with everything typed kept.
  const script = "<script>alert(1)</script>";
  const fill = async (target) => {
    await page.getByLabel("Adres (URL) of hostnaam van het systeem").fill(target);
    await page.getByLabel("Type kwetsbaarheid (CWE)").fill("CWE-79");
    await page.getByLabel("Titel", { exact: true }).fill("Reflected XSS in het zoekveld");
    await page.getByLabel("Beschrijving", { exact: true }).fill(`De parameter q komt ongefilterd terug in de pagina: ${script}`);
    await page.getByLabel("Stappen om het na te doen").fill("1. Open /zoeken?q=<script>alert(1)</script>\n2. Zie de melding.");
    await page.getByLabel("Impact", { exact: true }).fill("Een aanvaller kan sessies van burgers overnemen.");
    await page.getByLabel("Naam of pseudoniem").fill("Zwarte Kat");
    await page.getByLabel("Vermeld mij").check();
  };
  await fill("https://evil-gent.be/");
  await page.getByLabel("Type kwetsbaarheid (CWE)").fill("XSS");
  await page.getByLabel("Bijlagen").setInputFiles({ name: "bewijs.txt", mimeType: "text/plain", buffer: Buffer.from("GET /zoeken?q=%3Cscript%3E HTTP/1.1\n") });
  await page.getByRole("button", { name: "Melding versturen" }).click();
  const refusal = page.getByRole("alert");
  check((await refusal.count()) === 1 && /CWE/.test(await refusal.textContent()), "a bad CWE is refused with a clear message, once");
  check((await page.getByLabel("Titel", { exact: true }).inputValue()) === "Reflected XSS in het zoekveld" && (await page.getByLabel("Adres (URL) of hostnaam van het systeem").inputValue()) === "https://evil-gent.be/", "the refused form keeps the title and target");
  check((await page.getByLabel("Beschrijving", { exact: true }).inputValue()).endsWith(script) && (await page.getByLabel("Naam of pseudoniem").inputValue()) === "Zwarte Kat" && (await page.getByLabel("Vermeld mij").isChecked()), "the refused form keeps the description (with the script as text), the pseudonym and the consent");
  await shot("report form with an error", "report-form-error");

  // In scope: the server of Gent's scan (an asset since the import).
  await page.getByLabel("Adres (URL) of hostnaam van het systeem").fill("http://192.0.2.10/zoeken");
  await page.getByLabel("Type kwetsbaarheid (CWE)").fill("CWE-79");
  await page.getByLabel("Bijlagen").setInputFiles([
    { name: "bewijs.txt", mimeType: "text/plain", buffer: Buffer.from("GET /zoeken?q=%3Cscript%3E HTTP/1.1\n") },
    { name: "scherm.png", mimeType: "image/png", buffer: Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==", "base64") },
  ]);
  await page.getByRole("button", { name: "Melding versturen" }).click();
  check((await page.locator("h1").textContent()).trim() === "Melding ontvangen", "the report is received");
  const code = ((await page.locator("dl.figures dd").first().textContent()) || "").trim();
  check(code.length > 3 && (await page.locator("main").textContent()).includes(code), `the received page gives the tracking code (${code})`);
  const followLink = page.locator("main a[href*='/meldingen/volgen/']");
  check((await followLink.count()) === 1, "the received page gives the secret follow link");
  await page.setViewportSize({ width: 390, height: 844 });
  const linkBox = (await followLink.count()) ? await followLink.boundingBox() : null;
  check(linkBox && linkBox.x + linkBox.width <= 390, "the secret link wraps within a phone's width");
  await page.setViewportSize({ width: 1280, height: 900 });
  const followUrl = (await followLink.count()) ? await followLink.getAttribute("href") : "";
  const followPath = followUrl ? new URL(followUrl, base).pathname : "/meldingen/volgen/none";
  await shot("report received", "report-received");

  // The reporter follows the report and writes in its thread.
  await page.goto(base + followPath);
  check((await page.locator("h1").textContent()).includes(code), "the follow page shows the report");
  check((await page.locator("dl.figures").textContent()).includes("ontvangen"), "the follow page shows the state: received");
  check((await page.locator("main").textContent()).includes(script), "the script is shown as text on the follow page");
  const files = await page.locator("main a[download]").allTextContents();
  check(files.includes("bewijs.txt") && files.includes("scherm.png"), `the follow page lists both attachments (${files})`);
  await page.getByLabel("Uw bericht").fill("Ik kan het opnieuw tonen als dat helpt.");
  await page.getByRole("button", { name: "Bericht versturen" }).click();
  check(page.url().endsWith(followPath) && (await page.locator(".thread").textContent()).includes("Ik kan het opnieuw tonen als dat helpt."), "the reporter's message is in the thread");
  await shot("follow page (received)", "report-follow-received");

  // Gent handles the report.
  await signIn(page, base, "44021@gemeente.test");
  await page.goto(base + "/meldingen");
  const row = page.locator("tbody tr", { hasText: code });
  check((await row.count()) === 1 && (await row.textContent()).includes("ontvangen"), "the report is in Gent's list, received");
  check((await page.locator("table caption").textContent()).trim() === "1 melding", "the list's caption counts one report, in the singular");
  await shot("reports (Gent)", "reports-government");
  await row.getByRole("link", { name: code }).click();
  check((await page.locator("main").textContent()).includes(script), "the script is shown as text to Gent");
  await page.getByLabel("Nieuwe stand").selectOption("acknowledged");
  await page.getByRole("button", { name: "Opslaan" }).click();
  check((await page.locator("dl.figures").textContent()).includes("ontvangst bevestigd"), "Gent acknowledges the report");
  await page.getByLabel("Nieuwe stand").selectOption("triaged");
  await page.getByLabel("Uitkomst van de beoordeling").selectOption("valid");
  await page.getByLabel("Bericht aan de melder (niet verplicht)").fill("Bedankt, we konden het nadoen.");
  await page.getByRole("button", { name: "Opslaan" }).click();
  check((await page.locator("dl.figures").textContent()).includes("beoordeeld (geldig)"), "Gent triages it valid");
  await page.getByRole("button", { name: "In het register van bevindingen opnemen" }).click();
  const findingLink = page.getByRole("link", { name: /Bevinding #\d+ in het register/ });
  check((await findingLink.count()) === 1, "the report becomes a finding in Gent's register");
  await page.getByLabel("Uw bericht").fill("We herstellen dit deze week; we laten het weten.");
  await page.getByRole("button", { name: "Bericht versturen" }).click();
  check((await page.locator(".thread").textContent()).includes("We herstellen dit deze week"), "Gent's reply is in the thread");
  await shot("report (Gent, handled)", "report-government");
  if (await findingLink.count()) {
    await findingLink.click();
    check((await page.locator("main").textContent()).includes("Reflected XSS in het zoekveld"), "the finding carries the report's title");
  }
  await signOut(page);

  // The reporter sees the new state and the reply.
  await page.goto(base + followPath);
  const figures = await page.locator("dl.figures").textContent();
  check(/in herstel|beoordeeld/.test(figures) && !figures.includes("ontvangen"), `the follow page shows the new state (${figures.replace(/\s+/g, " ")})`);
  const thread = await page.locator(".thread").textContent();
  check(thread.includes("We herstellen dit deze week") && thread.includes("Bedankt, we konden het nadoen."), "the follow page shows Gent's reply and note");
  await shot("follow page (handled)", "report-follow");

  // The acknowledgements, Gent's and the programme's.
  await visit(page, base, "/g/44021/dank", "acknowledgements (Gent)");
  check((await page.locator("main li").count()) === 0 && (await page.locator("main .empty").textContent()).includes("Nog niemand"), "no one to thank yet is said, not listed");
  await shot("acknowledgements (Gent)", "acknowledgements");
  await visit(page, base, "/dank", "acknowledgements (programme)");
  await alsoOnPhone("acknowledgements (programme)");

  check(dialogs.length === 0, `no script ran from a report's text (dialogs: ${JSON.stringify(dialogs)})`);
}

// Awareness events (issue 13, VVSG's work package 3): VVSG announces a webinar through the form
// (a refusal first), Gent takes the one place, Antwerpen joins the waiting list and moves up when
// Gent cancels; the pages are checked with axe at desktop and phone width and screenshotted.
async function awarenessEvents(page, base) {
  const onBoth = (name, screenshot) => bothScreens(page, name, screenshot);
  await signIn(page, base, "vvsg@vvsg.test");
  await visit(page, base, "/evenementen/nieuw", "new awareness event (VVSG)");
  await page.getByLabel("Soort").selectOption("webinar");
  await page.getByLabel("Titel", { exact: true }).fill("Phishing herkennen en melden");
  await page.getByLabel("Beschrijving").fill("Een uur over phishing voor alle medewerkers.\nMet oefeningen.");
  await page.getByLabel("Alle medewerkers").check();
  await page.getByLabel("Begin", { exact: true }).fill("2020-06-22T12:00");
  await page.getByLabel("Einde", { exact: true }).fill("2020-06-22T11:00");
  await page.getByLabel("Inschrijven tot").fill("2020-06-21T17:00");
  await page.getByLabel("Onlinelink (https)").fill("https://webinar.vvsg.test/phishing");
  await page.getByLabel("Capaciteit (plaatsen)").fill("1");
  await page.getByRole("button", { name: "Evenement aanmaken" }).click();
  check((await page.getByRole("alert").textContent()).includes("moet eindigen na het begin"), "an event that ends before it starts is refused, in Dutch");
  await onBoth("new awareness event refused (VVSG)", "awareness-form");
  await page.getByLabel("Einde", { exact: true }).fill("2020-06-22T13:00");
  await page.getByRole("button", { name: "Evenement aanmaken" }).click();
  const eventPath = new URL(page.url()).pathname;
  check(/^\/evenementen\/\d+$/.test(eventPath), `the event is created (${eventPath})`);
  await signOut(page);

  await signIn(page, base, "44021@gemeente.test");
  await page.goto(base + eventPath);
  await page.getByRole("button", { name: "Inschrijven" }).click();
  check((await page.locator("main").textContent()).includes("U bent ingeschreven."), "Gent has the place");
  await signOut(page);
  await signIn(page, base, "11002@gemeente.test");
  await page.goto(base + eventPath);
  await page.getByRole("button", { name: "Op de wachtlijst zetten" }).click();
  check((await page.locator("main").textContent()).includes("U staat op de wachtlijst, op plaats 1."), "Antwerpen waits, first on the list");
  await onBoth("an awareness event (on the waiting list)", "awareness-event");
  await signOut(page);
  await signIn(page, base, "44021@gemeente.test");
  await page.goto(base + eventPath);
  await page.getByRole("button", { name: "Uitschrijven" }).click();
  await signOut(page);
  await signIn(page, base, "11002@gemeente.test");
  await page.goto(base + eventPath);
  check((await page.locator("main").textContent()).includes("U bent ingeschreven."), "Antwerpen moved up when Gent cancelled");
  const ics = await page.request.get(base + eventPath + "/agenda.ics");
  check(ics.ok() && (await ics.text()).includes("SUMMARY:Phishing herkennen en melden"), "the event downloads as iCalendar");
  await signOut(page);

  await signIn(page, base, "vvsg@vvsg.test");
  await visit(page, base, "/evenementen", "awareness events (VVSG)");
  await onBoth("awareness events (VVSG)", "awareness-events");
  await page.goto(base + eventPath);
  check((await page.locator("main table").textContent()).includes("Informatieveiligheidsconsulent Antwerpen"), "VVSG sees who registered");
  await onBoth("an awareness event (VVSG)", "awareness-event-vvsg");
  await visit(page, base, "/evenementen/bereik", "awareness reach");
  await onBoth("awareness reach", "awareness-reach");
  await signOut(page);
}

// A page checked (axe, width, tables that scroll) on a desktop and on a phone, with screenshots.
async function bothScreens(page, name, screenshot) {
  await axe(page, name);
  await fitsWidth(page, name);
  await tableWraps(page, name);
  if (screenshot) await page.screenshot({ path: join(shots, `${screenshot}.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await axe(page, `${name} on a phone`);
  await fitsWidth(page, `${name} on a phone`);
  await tableWraps(page, `${name} on a phone`);
  if (screenshot) await page.screenshot({ path: join(shots, `phone-${screenshot}.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
}

// VVSG's grant (issue 13): VVSG adds a deliverable and an item of the plan and claims costs with
// a PDF; the administrator sets a work package's budget, approves the claim and records its
// payment; the workspace shows the money per work package.
async function grantWorkspace(page, base) {
  await signIn(page, base, "vvsg@vvsg.test");
  await visit(page, base, "/actieplan", "the grant's workspace (VVSG)");
  await page.locator("#deliverable-package").selectOption("1");
  await page.getByLabel("Nieuw resultaat").fill("Zelfevaluatie cyberveiligheid");
  await page.getByLabel("Gepland").fill("2020-12-15");
  await page.getByRole("button", { name: "Resultaat toevoegen" }).click();
  check((await page.locator("#resultaten + .table-wrap").textContent()).includes("Zelfevaluatie cyberveiligheid"), "VVSG adds a deliverable");
  await page.getByLabel("Nieuwe actie").fill("Inhoud van de toolkit bepalen");
  await page.locator("#plan-due").fill("2020-09-30");
  await page.getByRole("button", { name: "Actie toevoegen" }).click();
  check((await page.locator("#acties + .table-wrap").textContent()).includes("Inhoud van de toolkit bepalen"), "VVSG adds an item to the action plan");
  // A claim for costs not yet made is refused, and nothing is recorded.
  const claim = async (until) => {
    await page.locator("#claim-package").selectOption("1");
    await page.getByLabel("Kosten vanaf").fill("2020-05-01");
    await page.getByLabel("Kosten tot en met").fill(until);
    await page.getByLabel("Bedrag in euro").fill("4.850,00");
    await page.getByLabel("Waarvoor").fill("Personeelskosten projectmedewerker toolkit");
    await page.getByLabel("Bewijsstuk (PDF)").setInputFiles({ name: "schuldvordering.pdf", mimeType: "application/pdf", buffer: simplePdf("Schuldvordering") });
    await page.getByRole("button", { name: "Schuldvordering indienen" }).click();
  };
  await claim("2020-06-30");
  check((await page.locator(".error").textContent()).includes("de periode moet voorbij zijn"), "a claim for costs not yet made is refused");
  await claim("2020-05-15");
  check((await page.locator("#schuldvorderingen + .table-wrap").textContent()).includes("€ 4.850,00"), "VVSG claims costs with a PDF");
  await bothScreens(page, "the grant's workspace (VVSG)", "grant-vvsg");
  await signOut(page);

  await signIn(page, base, "admin@abb.test");
  await visit(page, base, "/actieplan", "the grant's workspace (administrator)");
  await page.locator("#budget-package").selectOption("1");
  await page.getByLabel("Budget in euro").fill("95.000,00");
  await page.getByRole("button", { name: "Budget vastleggen" }).click();
  check((await page.locator("#geld + .table-wrap").textContent()).includes("€ 95.000,00"), "the administrator sets a work package's budget");
  await page.locator("#schuldvorderingen + .table-wrap a").first().click();
  await bothScreens(page, "a cost claim (administrator)", "grant-claim");
  await page.getByRole("button", { name: "Afwijzen" }).click();
  check((await page.locator(".error").textContent()).includes("waarom"), "a rejection needs its reason");
  await page.getByRole("button", { name: "Goedkeuren" }).click();
  check((await page.locator("main dl").textContent()).includes("goedgekeurd"), "the administrator approves the claim");
  await page.getByLabel("Referentie van de betaling").fill("ABB-2020-0001");
  await page.getByRole("button", { name: "Betaling vastleggen" }).click();
  check((await page.locator("main dl").textContent()).includes("betaald"), "the administrator records the payment");
  const pdf = await page.request.get(page.url() + "/bewijsstuk");
  check(pdf.ok() && (await pdf.body()).subarray(0, 5).toString() === "%PDF-", "the supporting document downloads as a PDF");
  await page.goto(base + "/actieplan");
  check((await page.locator("main dl.figures").first().textContent()).includes("€ 4.850,00"), "the workspace shows what was paid");
  await signOut(page);
}

// VVSG's toolkit (issue 13): VVSG writes a template and a playbook in the editor and submits them;
// its second person publishes them; Gent finds the template by a word in another form, downloads
// it filled in, and works through the playbook's checklist and records an exercise; a visitor
// without an account sees only the public material.
async function toolkit(page, base) {
  const write = async (slug, kind, title, body) => {
    await visit(page, base, "/toolkit/nieuw", "the toolkit's editor");
    await page.getByLabel("Korte naam (kleine letters, cijfers en koppeltekens)").fill(slug);
    await page.getByLabel("Soort").selectOption(kind);
    await page.getByLabel("Categorie").selectOption("preventive");
    await page.getByLabel("ICT").check();
    await page.getByLabel("Titel (Nederlands)").fill(title);
    await page.getByLabel("Samenvatting (Nederlands)").fill("Een korte samenvatting.");
    await page.getByLabel("Tekst (Nederlands, Markdown)").fill(body);
    await page.getByRole("button", { name: "Bewaren" }).click();
    const path = new URL(page.url()).pathname;
    check(/^\/toolkit\/\d+$/.test(path), `VVSG saves the draft of ${slug} (${path})`);
    await page.getByRole("button", { name: "Voorleggen ter nalezing" }).click();
    return path;
  };
  await signIn(page, base, "vvsg@vvsg.test");
  const template = await write("wachtwoordbeleid", "template", "Wachtwoordbeleid voor {{government_name}}",
    "# Wachtwoordbeleid\n\nSterke wachtwoorden voor **{{government_name}}** (NIS {{nis_code}}).\n\n## Contact\n\n{{contacts}}");
  await bothScreens(page, "a toolkit item in review (VVSG)", "toolkit-review");
  const playbook = await write("playbook-phishing-test", "playbook", "Playbook phishing",
    "# Playbook phishing\n\n## Detecteren\n\n1. Meld de verdachte mail.\n2. Verwijder de mail niet.\n\n## Indammen\n\n3. Blokkeer de afzender.");
  await signOut(page);

  await signIn(page, base, "voorzitter.stuurgroep@vvsg.test");
  for (const path of [template, playbook]) {
    await page.goto(base + path);
    await page.getByRole("button", { name: "Publiceren" }).click();
    check((await page.locator("main").textContent()).includes("gepubliceerd"), `the second person publishes ${path}`);
  }
  await signOut(page);

  await signIn(page, base, "44021@gemeente.test");
  await visit(page, base, "/toolkit?q=wachtwoord", "a search of the toolkit");
  check((await page.locator(".toolkit-list").textContent()).includes("Wachtwoordbeleid"), "the singular finds the plural in the text (stemming)");
  await bothScreens(page, "a search of the toolkit", "toolkit");
  await page.goto(base + template);
  const docx = await page.request.get(base + template + "/download?format=docx");
  const bytes = await docx.body();
  check(docx.ok() && bytes.subarray(0, 2).toString() === "PK", "the template downloads as DOCX");
  const pdf = await page.request.get(base + template + "/download?format=pdf");
  check(pdf.ok() && (await pdf.body()).subarray(0, 5).toString() === "%PDF-", "the template downloads as PDF");
  await page.goto(base + playbook + "/checklist");
  await page.getByRole("button", { name: "Gedaan 1", exact: true }).click();
  check((await page.locator("main").textContent()).includes("33 % van 3 stappen afgevinkt"), "Gent ticks a step of the checklist");
  await page.getByLabel("Deelnemers").fill("Algemeen directeur, ICT");
  await page.getByLabel("Lessen").fill("De contactlijst ontbrak.");
  await page.getByLabel("Acties").fill("Contactlijst op papier\nMFA voor webmail");
  await page.getByRole("button", { name: "Oefening bewaren" }).click();
  check((await page.locator("#oefeningen ~ section").first().textContent()).includes("MFA voor webmail"), "Gent records an exercise");
  await bothScreens(page, "a playbook's checklist (Gent)", "toolkit-checklist");
  await signOut(page);

  await visit(page, base, "/toolkit", "the public toolkit");
  check((await page.locator(".toolkit-list").textContent()).includes("Niets gevonden"), "without an account only public material is listed");
  const hidden = await page.goto(base + template);
  check(hidden.status() === 404, "a template is not public");
}

// The steering group (issue 13): the administrator plans a meeting, writes its minutes in
// Markdown and records a decision; the pages pass axe and the report downloads as a PDF.
async function steeringGroup(page, base) {
  await signIn(page, base, "admin@abb.test");
  await visit(page, base, "/stuurgroep", "steering group");
  await page.locator("details summary").click();
  await page.getByLabel("Titel").fill("Stuurgroep juni");
  await page.getByLabel("Wanneer").fill("2020-06-09T10:00");
  await page.getByLabel("Plaats").fill("VVSG, Brussel");
  await page.getByLabel("Agenda").fill("Opening\nStand van de werkpakketten");
  await page.getByRole("button", { name: "Vergadering plannen" }).click();
  const meetingPath = new URL(page.url()).pathname;
  check(/^\/stuurgroep\/\d+$/.test(meetingPath), `the meeting is planned (${meetingPath})`);
  await page.getByLabel("Notulen (Markdown)").fill("## Stand\n\nDe toolkit is **gestart**.\n\n<script>alert(1)</script>");
  await page.getByRole("button", { name: "Notulen bewaren" }).click();
  check((await page.locator(".prose strong").textContent()) === "gestart", "the minutes' Markdown is rendered");
  check((await page.locator(".prose").textContent()).includes("<script>"), "HTML in the minutes is shown as text");
  await page.getByLabel("Nieuw besluit").fill("Het actieplan wordt goedgekeurd.");
  await page.getByRole("button", { name: "Besluit noteren" }).click();
  check((await page.locator("main").textContent()).includes("Het actieplan wordt goedgekeurd."), "the decision is recorded");
  await axe(page, "a steering group meeting");
  await fitsWidth(page, "a steering group meeting");
  await page.screenshot({ path: join(shots, "steering-meeting.png"), fullPage: true });
  const pdf = await page.request.get(base + meetingPath + "/rapport.pdf");
  check(pdf.ok() && (await pdf.body()).subarray(0, 5).toString() === "%PDF-", "the meeting's report downloads as a PDF");
  await signOut(page);
}

// The accountability pages (issue 14): the administrator's dashboards at a day, with their
// charts named for assistive technology and a table beside each, a table's CSV, a day in the
// future refused, the answer to Parliament with its PDF, and the public open-data extract.
async function figures(page, base) {
  await signIn(page, base, "admin@abb.test");
  await visit(page, base, "/cijfers", "the dashboards (administrator)");
  const charts = await page.locator("figure.chart svg[role=img]").count();
  check(charts >= 10, `the dashboards draw their charts as SVG images (${charts})`);
  check((await page.locator("figure.chart svg:not([aria-label])").count()) === 0, "every chart has a name");
  check((await page.locator("section", { has: page.locator("#orders-by-state") }).locator("table").count()) === 1, "the orders by state have their table beside the chart");
  const csv = await page.request.get(base + "/cijfers/csv?tabel=orders-by-month");
  check(csv.status() === 200 && (await csv.text()).replace(/^\uFEFF/, "").startsWith("Maand,"), "a table downloads as CSV");
  await bothScreens(page, "the dashboards (administrator)");
  await page.getByLabel("Op datum").fill("2020-05-01");
  await page.getByRole("button", { name: "Toon" }).click();
  check((await page.locator("main").textContent()).includes("01/05/2020"), "the dashboards at an earlier day");
  await axe(page, "the dashboards at 01/05/2020");
  const later = await page.goto(base + "/cijfers?at=2099-01-01");
  check(later.status() === 422 && (await page.locator("main").textContent()).includes("niet voor een latere dag"), "a day after today is refused, saying why");
  await visit(page, base, "/cijfers/parlement", "the answer to Parliament");
  check((await page.locator("article.answer").textContent()).includes("1. De middelen"), "the answer has its sections");
  const pdf = await page.request.get(base + "/cijfers/parlement/bestand?formaat=pdf");
  check(pdf.status() === 200 && (await pdf.body()).subarray(0, 5).toString() === "%PDF-", "the answer downloads as a PDF");
  await bothScreens(page, "the answer to Parliament");
  // The lists download with the filters of their page.
  await visit(page, base, "/bestellingen?state=accepted", "the orders filtered (administrator)");
  const xlsxLink = page.getByRole("link", { name: "XLSX" });
  check((await xlsxLink.getAttribute("href")).includes("lijst=orders&formaat=xlsx&state=accepted"), "the orders' XLSX link keeps the filter");
  const xlsx = await page.request.get(base + (await xlsxLink.getAttribute("href")));
  check(xlsx.status() === 200 && (await xlsx.body()).subarray(0, 2).toString() === "PK", "the orders download as XLSX");
  await visit(page, base, "/besturen", "the governments (administrator)");
  check((await page.getByRole("link", { name: "CSV" }).count()) === 1, "the governments download as CSV");
  await signOut(page);
  // A government sees its own figures, without the programme's map or money.
  await signIn(page, base, "11002@gemeente.test");
  await visit(page, base, "/cijfers", "a government's own figures (Antwerpen)");
  check((await page.locator("#orders-by-state").count()) === 1 && (await page.locator("#kaart").count()) === 0 && (await page.locator("#credit-by-month").count()) === 0, "Antwerpen sees its own figures only");
  await signOut(page);
  // VVSG sees its own part: the grant, events and toolkit, and the engagements.
  await signIn(page, base, "vvsg@vvsg.test");
  await visit(page, base, "/cijfers", "VVSG's part of the dashboards");
  check((await page.locator("section", { has: page.locator("#vvsg") }).count()) === 1 && (await page.locator("#orders-by-state").count()) === 0, "VVSG sees its part and not the orders");
  await signOut(page);
  const open = await page.request.get(base + "/api/v1/open-data/figures.csv");
  check(open.status() === 200 && (await open.text()).startsWith("programme,month,province,"), "the open-data extract is public");
}

// The baseline scan (issue 16): Gent registers its domain on the demo's fleet (a wrong address
// first), asks for a scan, and sees its scores, the trend and the failing checks; it explains the
// missing DMARC policy; the administrator accepts, publishes the overview per province, and anyone
// reads it and the page about the scan. Desktop and phone, with axe.
async function baselineScan(page, base) {
  await signIn(page, base, "44021@gemeente.test");
  await visit(page, base, "/basisbeveiliging", "the baseline scan before any system (Gent)");
  await page.getByLabel("Systeem registreren").fill("10.0.0.1");
  await page.getByRole("button", { name: "Registreren" }).click();
  check((await page.locator("main").textContent()).includes("geen adres op het publieke internet"), "a private address is refused, saying why");
  await axe(page, "the baseline scan with a refusal");
  await page.getByLabel("Systeem registreren").fill("gent.test");
  await page.getByRole("button", { name: "Registreren" }).click();
  check((await page.locator("main").textContent()).includes("gent.test"), "the system is registered");
  await page.getByRole("button", { name: "Nu scannen" }).click();
  // The server's worker takes the scan within a round (a second in this test).
  let scanned = false;
  for (let i = 0; i < 60 && !scanned; i++) {
    await page.waitForTimeout(500);
    await page.goto(base + "/basisbeveiliging");
    scanned = (await page.locator("#controles table").count()) === 1;
  }
  check(scanned, "the scan ran and its checks are shown");
  const text = await page.locator("main").textContent();
  check(text.includes("Niet in orde") && text.includes("DMARC-beleid"), "the failing checks are shown with their verdict");
  check((await page.locator(".baseline-scores .overall dd").textContent()).match(/\d+/) !== null, "the overall score is shown");
  check((await page.locator("figure.chart svg[role=img]").count()) === 1, "the trend is drawn");
  await bothScreens(page, "the baseline scan (Gent)", "baseline-first-scan");
  const row = page.locator("#controles tr", { hasText: "DMARC-beleid" }).first();
  await row.locator("summary", { hasText: "Toelichten" }).click();
  await row.getByLabel("Waarom is deze controle niet van toepassing?").fill("Gent verstuurt geen mail vanaf dit domein.");
  await row.getByRole("button", { name: "Toelichting indienen" }).click();
  check((await page.locator("main").textContent()).includes("Toelichting ingediend"), "the explanation is submitted");
  const register = await page.goto(base + "/bevindingen");
  check(register.status() === 200 && (await page.locator("main").textContent()).includes("DMARC-beleid"), "the failing checks are findings in the register");
  await signOut(page);

  await signIn(page, base, "admin@abb.test");
  await visit(page, base, "/basisbeveiliging", "the baseline overview (administrator)");
  check((await page.locator("main").textContent()).includes("Gent verstuurt geen mail"), "the explanation waits for a decision");
  await page.getByRole("button", { name: "Aanvaarden" }).click();
  check((await page.locator("main").textContent()).includes("Geen toelichtingen die wachten"), "the explanation is decided");
  await page.getByRole("button", { name: "Openbaar maken" }).click();
  await bothScreens(page, "the baseline overview (administrator)", "baseline-overview");
  await signOut(page);
  await visit(page, base, "/openbaar/basisbeveiliging", "the public overview per province", "baseline-public");
  check((await page.locator("main").textContent()).includes("Oost-Vlaanderen"), "the provinces are listed");
  await visit(page, base, "/scanner", "the page about the scan");
  check((await page.locator("main").textContent()).includes("cyberveilig-baseline/"), "the scanner's identity is published");
}

async function main() {
  mkdirSync(shots, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), "cv-browser-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(binary, ["demo", "--no-history", "--test-clock", "2020-05-18T10:00:00+02:00", "--data-dir", dir, "--listen", `127.0.0.1:${port}`], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, CYBERVEILIG_LOG: "warn", CYBERVEILIG_BASELINE_INTERVAL: "1" },
  });
  let serverLog = "";
  server.stderr.on("data", (d) => (serverLog += d));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    for (let i = 0; i < 300; i++) {
      try {
        if ((await fetch(base + "/healthz")).ok) break;
      } catch {}
      await new Promise((r) => setTimeout(r, 200));
    }
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "nl-BE" });
    const page = await context.newPage();

    // Public pages.
    await visit(page, base, "/", "landing", "landing");
    await visit(page, base, "/aanmelden", "sign-in", "sign-in");
    await visit(page, base, "/wachtwoord-vergeten", "forgot password");
    await visit(page, base, "/registreren", "register");

    // The language switch, before and after signing in.
    await page.goto(base + "/");
    await page.getByRole("button", { name: "English" }).click();
    check((await page.locator("h1").textContent()).includes("Cyber-secure local governments"), "the switch shows English");
    check((await page.getAttribute("html", "lang")) === "en", "html lang is en");
    await axe(page, "landing in English");
    await page.getByRole("button", { name: "Nederlands" }).click();
    check((await page.getAttribute("html", "lang")) === "nl", "and back to Dutch");

    // Gent orders a basic audit and sees its share.
    await signIn(page, base, "44021@gemeente.test");
    check(page.url().endsWith("/start"), "Gent lands on its home page");
    check((await page.content()).includes("€ 3.339,60"), "Gent sees its share before ordering");
    await axe(page, "government home");
    await page.screenshot({ path: join(shots, "government-home.png"), fullPage: true });
    await page.locator("#form-basic").getByRole("button", { name: "Basisaudit bestellen" }).click();
    check(/\/bestellingen\/\d+/.test(page.url()), "the order's page opens");
    const orderPath = new URL(page.url()).pathname;
    const orderText = await page.content();
    check(orderText.includes("aangeboden") && orderText.includes("EY") && orderText.includes("€ 3.339,60"), "offered to EY with the share reserved");
    await axe(page, "order page (government)");
    await page.screenshot({ path: join(shots, "order.png"), fullPage: true });
    // The share of additional work shows while its estimate is typed (the server computes it).
    await page.goto(base + "/start");
    await page.getByLabel("Geraamde kost (euro, btw inbegrepen)").fill("2.500,00");
    const live = await page
      .locator("#share-live")
      .filter({ hasText: "€ 1.250,00" })
      .waitFor({ timeout: 5000 })
      .then(() => true, () => false);
    check(live, "the share of additional work appears while typing");
    await visit(page, base, "/bestellingen", "government orders");
    await visit(page, base, "/mensen", "government people");
    await visit(page, base, "/account", "account", "account");
    await signOut(page);

    // EY, the first firm of the cascade, declines.
    await signIn(page, base, "ey@firms.test");
    await axe(page, "firm home");
    await page.screenshot({ path: join(shots, "firm-home.png"), fullPage: true });
    await page.goto(base + orderPath);
    await page.getByLabel("Reden").first().fill("Geen capaciteit in juni");
    await page.getByRole("button", { name: "Weigeren" }).click();
    check(page.url().endsWith("/start"), "back to EY's list after declining");
    check(!(await page.content()).includes(orderPath + '"'), "EY no longer lists the order");
    await signOut(page);

    // Deloitte, the second, accepts and does the work.
    await signIn(page, base, "deloitte@firms.test");
    await page.goto(base + orderPath);
    await axe(page, "order page (firm)");
    // D7: the form holds Deloitte's package price; a higher price is refused in the page.
    check((await page.getByLabel("Prijs (euro)").inputValue()) === "5.120,00", "the accept form is pre-filled with the agreement's price");
    await page.getByLabel("Prijs (euro)").fill("6.000,00");
    await page.getByLabel("Geplande start").fill("2020-06-01");
    await page.getByRole("button", { name: "Aanvaarden" }).click();
    const priceRefused = page.getByRole("alert");
    check((await priceRefused.count()) === 1 && (await priceRefused.textContent()).includes("hoogstens de pakketprijs van € 5.120,00"), "a price above the package is refused, naming it");
    check((await page.getByLabel("Prijs (euro)").inputValue()) === "6.000,00" && (await page.getByLabel("Geplande start").inputValue()) === "2020-06-01", "the refused form keeps what was typed");
    await axe(page, "order page (firm, price refused)");
    await page.screenshot({ path: join(shots, "order-price-refused.png"), fullPage: true });
    await page.getByLabel("Prijs (euro)").fill("5.120,00");
    await page.getByRole("button", { name: "Aanvaarden" }).click();
    check((await page.content()).includes("aanvaard"), "accepted");
    // Delivery waits for the assessment and the report: the page says what is missing.
    check((await page.locator(".checklist").textContent()).includes("nog 32 controles te beoordelen"), "the checklist says the assessment is missing");

    // Deloitte rates controls of the basic audit in one form, from the order's page.
    await page.getByRole("link", { name: "Beoordeling van de controles" }).click();
    await axe(page, "assessment editor (firm)");
    await page.getByLabel("Beoordeling van BA.ROL.01").selectOption("compliant");
    await page.getByLabel("Bewijs voor BA.ROL.01").fill("Aanstellingsbesluit van de informatieveiligheidsconsulent");
    await page.getByLabel("Beoordeling van BA.ROL.02").selectOption("partially");
    await page.getByLabel("Beoordeling van BA.TEC.01").selectOption("not_compliant");
    await page.getByLabel("Notities bij BA.TEC.01").fill("Twee servers zonder updates sinds 2019.");
    await page.getByLabel("Beoordeling van BA.TOE.03").selectOption("partially");
    await page.getByLabel("Beoordeling van BA.CON.01").selectOption("compliant");
    await page.getByLabel("Beoordeling van BA.FYS.01").selectOption("not_applicable");
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shots, "assessment-editor.png") });
    await page.getByRole("button", { name: "Beoordeling opslaan" }).click();
    const rated = await page.content();
    const ratedScores = await page.locator("table.scores").textContent();
    check(rated.includes("Score per domein") && ratedScores.includes("75,0\u00a0%") && ratedScores.includes("60,0\u00a0%"), "the firm sees the scores after saving");
    check((await page.getByLabel("Beoordeling van BA.ROL.02").inputValue()) === "partially", "the ratings stay in the form");
    await axe(page, "assessment editor after saving");
    // The rest of the controls, and the audit report (a PDF, after a file that is not one).
    await page.goto(base + orderPath);
    await page.getByLabel("Auditrapport (PDF)").setInputFiles({ name: "rapport.pdf", mimeType: "application/pdf", buffer: Buffer.from("<html>geen pdf</html>") });
    await page.getByRole("button", { name: "Auditrapport opladen" }).click();
    check((await page.getByRole("alert").textContent()).includes("Het bestand is geen PDF-document"), "a file that is not a PDF is refused with a sentence");
    // (The rest is not applicable, so the scores above stay as they are.)
    await completeResults(page, base, orderPath, "not_applicable");
    check((await page.locator(".checklist").textContent()).includes("de beoordeling van alle 32 controles"), "the checklist says the assessment is complete");
    await axe(page, "order page (firm, ready to deliver)");
    await page.screenshot({ path: join(shots, "order-firm.png"), fullPage: true });
    await page.getByRole("button", { name: "Audit opgeleverd" }).click();
    check((await page.content()).includes("opgeleverd"), "delivered");
    // The remediation day is recorded at its agenda (one place).
    await page.getByRole("link", { name: "De dag vastleggen" }).click();
    check(page.url().endsWith(orderPath + "/remediedag"), "the order leads to the agenda to record the day");
    await page.getByLabel("Datum van de remediëringsdag").fill("2020-05-18");
    await page.getByRole("button", { name: "Remediëringsdag bewaren" }).click();
    await page.goto(base + orderPath);
    await page.getByLabel("Factuurnummer").fill("F-2020-0042");
    await page.getByLabel("Bedrag (euro)").fill("5.000,00");
    await page.getByRole("button", { name: "Factuur registreren" }).click();
    check((await page.content()).includes("gefactureerd"), "invoiced");

    // A firm member sets up TOTP and signs in with it.
    await page.goto(base + "/tweede-factor");
    await page.getByRole("button", { name: "Instellen" }).click();
    const secret = (await page.locator(".secret").textContent()).trim();
    await axe(page, "second factor set-up");
    await page.screenshot({ path: join(shots, "second-factor.png"), fullPage: true });
    await page.getByLabel("Code").fill(totp(secret));
    await page.getByRole("button", { name: "Bevestigen" }).click();
    check((await page.locator(".codes li").count()) === 10, "ten recovery codes are shown");
    await page.goto(base + "/start");
    await signOut(page);
    await signIn(page, base, "deloitte@firms.test");
    check(page.url().endsWith("/aanmelden/code"), "the password leads to the code step");
    await axe(page, "second factor step");
    await page.getByLabel("Code").fill(totp(secret, 1));
    await page.getByRole("button", { name: "Bevestigen" }).click();
    check(page.url().endsWith("/start"), "signed in with the TOTP code");
    await signOut(page);

    // The administrator sees the order move and settles it.
    await signIn(page, base, "admin@abb.test");
    check((await page.content()).includes(orderPath + "/vereffenen"), "the order waits in the settlement queue");
    await axe(page, "administrator home");
    await cardsFit(page, "administrator home");
    await page.screenshot({ path: join(shots, "admin-home.png"), fullPage: true });
    const queue = await page.locator("table.settlements").textContent();
    check(queue.includes("€ 5.120,00") && queue.includes("€ 5.000,00") && queue.includes("€ 3.333,33") && queue.includes("Factuur onder de aanvaarde prijs"), "the queue shows the prices, the invoice, the payment and the difference");
    await tableWraps(page, "administrator home");
    await page.goto(base + orderPath);
    const timeline = await page.locator(".timeline").textContent();
    check(timeline.includes("Geweigerd door EY") && timeline.includes("Aanvaard door Deloitte voor € 5.120,00") && timeline.includes("Gefactureerd door Deloitte"), "the timeline shows the decline and the steps, naming the firms");
    await page.getByRole("link", { name: "Vereffening nakijken" }).click();
    check(page.url().endsWith(orderPath + "/vereffenen"), "settling starts with a review");
    await axe(page, "settlement review");
    await fitsWidth(page, "settlement review");
    await page.screenshot({ path: join(shots, "settle.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await axe(page, "settlement review on a phone");
    await fitsWidth(page, "settlement review on a phone");
    await page.screenshot({ path: join(shots, "phone-settle.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("button", { name: "€ 3.333,33 uitbetalen" }).click();
    check((await page.content()).includes("vereffend"), "settled with the amount confirmed");
    await visit(page, base, "/bestellingen?state=settled", "administrator orders", "admin-orders");
    // At 1280 px every column of the administrator's orders is in view.
    const ordersFit = await page.evaluate(() => { const w = document.querySelector("main .table-wrap"); return w && w.scrollWidth <= w.clientWidth; });
    check(ordersFit, "the administrator's orders table shows every column at 1280 px");
    await visit(page, base, "/raamovereenkomsten", "agreements", "agreements");
    await visit(page, base, "/besturen", "governments");
    await visit(page, base, "/mensen", "people", "people");
    // An invitation: the administrator invites an auditor, whose link is read from the outbox.
    await page.goto(base + "/mensen");
    await page.getByLabel("Naam").fill("Nieuwe auditor");
    await page.getByLabel("E-mailadres").fill("auditor@pwc.test");
    await page.getByLabel("Organisatie").selectOption({ label: "PwC" });
    await page.getByLabel("Rol").selectOption("firm_member");
    await page.getByRole("button", { name: "Uitnodiging versturen" }).click();
    check((await page.content()).includes("auditor@pwc.test"), "the invitation is listed");
    await visit(page, base, "/postvak", "outbox", "outbox");
    const outbox = await page.locator("pre").first().textContent();
    const invitation = outbox.match(/\/uitnodiging\/[0-9a-f]+/);
    check(invitation, "the outbox holds the invitation's link");
    await signOut(page);
    if (invitation) {
      await visit(page, base, invitation[0], "invitation");
      await page.getByLabel("Nieuw wachtwoord").fill("een lang genoeg wachtwoord");
      await page.getByRole("button", { name: "Account openen" }).click();
      check(page.url().endsWith("/start") && (await page.content()).includes("PwC"), "the invitee is signed in at PwC");
      await signOut(page);
    }

    // A password reset, through its link.
    await page.goto(base + "/wachtwoord-vergeten");
    await page.getByLabel("E-mailadres").fill("44021@gemeente.test");
    await page.getByRole("button", { name: "Link versturen" }).click();
    await signIn(page, base, "admin@abb.test");
    await page.goto(base + "/postvak");
    const reset = (await page.locator("pre").first().textContent()).match(/\/wachtwoord\/nieuw\/[0-9a-f]+/);
    check(reset, "the outbox holds the reset link");
    await signOut(page);
    if (reset) await visit(page, base, reset[0], "new password");

    // A researcher, and a page that does not exist.
    await signIn(page, base, "student@howest.test");
    await axe(page, "researcher home");
    // The team's view of Kortrijk's engagement: the letter and the form for a finding.
    await visit(page, base, "/samenwerkingen", "engagements");
    await page.getByRole("link", { name: /Howest \(semester 2\)/ }).click();
    check(await page.locator('form[action$="/bevindingen"]').count() === 1, "the team may submit a finding on Kortrijk's engagement");
    await axe(page, "engagement (team)");
    await page.screenshot({ path: join(shots, "engagement.png"), fullPage: true });
    await signOut(page);
    // VVSG's proposal form and figures.
    await signIn(page, base, "vvsg@vvsg.test");
    await visit(page, base, "/samenwerkingen/nieuw", "engagement proposal");
    await visit(page, base, "/samenwerkingen/cijfers", "engagement figures");
    await signOut(page);
    const missing = await page.goto(base + "/bestaat-niet");
    check(missing.status() === 404, "an unknown page is a 404 page");
    await axe(page, "not found");

    // The scan results reach Gent's findings register (imported through the API by the administrator;
    // Deloitte now signs in with a second factor).
    const orderId = orderPath.split("/").pop();
    const token = (
      await (await fetch(base + "/api/v1/auth/token", { method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: "admin@abb.test", password: "demo" }) })).json()
    ).token;
    const scan = '<?xml version="1.0"?><nmaprun scanner="nmap"><host><status state="up"/><address addr="192.0.2.10" addrtype="ipv4"/>' +
      '<ports><port protocol="tcp" portid="3389"><state state="open"/></port><port protocol="tcp" portid="23"><state state="open"/></port></ports></host></nmaprun>';
    const imported = await fetch(`${base}/api/v1/orders/${orderId}/imports`, { method: "POST", headers: { authorization: `Bearer ${token}` }, body: scan });
    check(imported.status === 201, `the scan imports (${imported.status})`);
    await signIn(page, base, "44021@gemeente.test");
    await visit(page, base, "/bevindingen", "findings register", "findings");
    await page.locator("tbody a").first().click();
    await axe(page, "a finding");
    await page.getByLabel("Nieuwe stand").selectOption("in_progress");
    await page.getByRole("button", { name: "Opslaan" }).click();
    check((await page.content()).includes("in behandeling"), "Gent takes the finding in hand");
    await page.screenshot({ path: join(shots, "finding.png"), fullPage: true });
    // Gent reads its assessment: the score per area and overall, nothing to compare with yet.
    await page.goto(base + orderPath);
    await page.getByRole("link", { name: "Beoordeling van de controles" }).click();
    await axe(page, "assessment (government)");
    const scores = await page.content();
    const table = await page.locator("table.scores").textContent();
    check(table.includes("75,0\u00a0%") && table.includes("60,0\u00a0%") && table.includes("niet te vergelijken"), "Gent sees the scores per area");
    check(!scores.includes("<select"), "Gent only reads the assessment");
    check(scores.includes("Twee servers zonder updates sinds 2019."), "Gent reads the firm's notes");
    await page.screenshot({ path: join(shots, "assessment.png"), fullPage: true });
    await signOut(page);

    // What Gent reads of its settled order: the firm, the dates, what it paid itself.
    await signIn(page, base, "44021@gemeente.test");
    await page.goto(base + orderPath);
    const settledText = await page.locator("main").textContent();
    check(settledText.includes("Deloitte") && settledText.includes("Opgeleverd op") && settledText.includes("Eigen deel van het bestuur") && settledText.includes("€ 1.666,67"), "Gent sees the firm, the delivery and its own part of the invoice");
    check(settledText.includes("Wat is een basisaudit?") && (await page.getByRole("link", { name: /bij Audit Vlaanderen/ }).getAttribute("href")) === "https://www.auditvlaanderen.be/ict-veiligheidsaudits", "the page says what a basic audit is and links Audit Vlaanderen");
    await axe(page, "order page (government, settled)");
    await fitsWidth(page, "order page (government, settled)");
    await page.screenshot({ path: join(shots, "order-settled.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await axe(page, "order page (government, settled) on a phone");
    await fitsWidth(page, "order page (government, settled) on a phone");
    await page.screenshot({ path: join(shots, "phone-order-settled.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    // D7: additional work quoted above the estimate waits for Gent's confirmation.
    await page.goto(base + "/start");
    await page.getByLabel("Geraamde kost (euro, btw inbegrepen)").fill("2.500,00");
    await page.locator("#form-additional textarea").fill("Phishingsimulatie voor alle medewerkers");
    await page.locator("#form-additional").getByRole("button", { name: "Bijkomend werk bestellen" }).click();
    const extraPath = new URL(page.url()).pathname;
    check(/^\/bestellingen\/\d+$/.test(extraPath), "Gent orders additional work");
    await signOut(page);
    await signIn(page, base, "ey@firms.test");
    await page.goto(base + extraPath);
    check((await page.getByLabel("Prijs (euro)").inputValue()) === "2.500,00", "the quote starts from the estimate");
    check((await page.locator("main").textContent()).includes("Uw dagprijs in de raamovereenkomst is € 1.125,00"), "the firm sees its day rate to check its quote");
    await page.getByLabel("Prijs (euro)").fill("3.625,00");
    await page.getByLabel("Geplande start").fill("2020-06-15");
    await page.getByRole("button", { name: "Aanvaarden" }).click();
    check((await page.content()).includes("prijs te bevestigen"), "a quote above the estimate waits for the government");
    await signOut(page);
    await signIn(page, base, "44021@gemeente.test");
    await page.goto(base + extraPath);
    const quoteText = await page.locator("main").textContent();
    check(quoteText.includes("EY vraagt € 3.625,00, meer dan uw raming van € 2.500,00") && quoteText.includes("€ 1.812,50 gereserveerd"), "Gent reads the quote, the estimate and what confirming reserves");
    await axe(page, "order page (government, price to confirm)");
    await fitsWidth(page, "order page (government, price to confirm)");
    await page.screenshot({ path: join(shots, "order-confirm-price.png"), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await axe(page, "order page (government, price to confirm) on a phone");
    await fitsWidth(page, "order page (government, price to confirm) on a phone");
    await page.screenshot({ path: join(shots, "phone-order-confirm-price.png"), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole("button", { name: "Nieuwe prijs van € 3.625,00 bevestigen" }).click();
    check((await page.locator("main p").first().textContent()).includes("EY voert de audit uit."), "confirmed, the firm carries out the work");
    check((await page.locator(".timeline").textContent()).includes("Nieuwe prijs van € 3.625,00 bevestigd"), "the timeline records the confirmation");
    await signOut(page);
    // The administrator's follow-up of reports of the past, and the agreements by date.
    await signIn(page, base, "admin@abb.test");
    await visit(page, base, "/bestellingen?without_report=1", "orders delivered without a report");
    check((await page.locator("main .empty").textContent()).includes("Geen enkele opgeleverde basisaudit is zonder auditrapport."), "no delivered basic audit lacks its report");
    await page.goto(base + "/raamovereenkomsten");
    check((await page.locator("main").textContent()).includes("Neemt bestellingen aan vanaf 09/06/2020."), "an agreement not yet open says from when");
    await signOut(page);

    // VVSG.
    await signIn(page, base, "vvsg@vvsg.test");
    await axe(page, "VVSG home");
    await page.screenshot({ path: join(shots, "vvsg.png"), fullPage: true });
    await signOut(page);

    // Awareness events: announced, registered, a waiting list moving up.
    await awarenessEvents(page, base);
    // The steering group: a meeting, its minutes and a decision, its report.
    await steeringGroup(page, base);
    // VVSG's grant: deliverables, the plan, a claim approved and paid.
    await grantWorkspace(page, base);
    // VVSG's toolkit: written, reviewed, published, found, downloaded and worked through.
    await toolkit(page, base);

    // Ethical hacking: Gent's policy, a report through the form, its handling.
    await ethicalHacking(page, base);

    // The audit's results, start to finish in the portal: Antwerpen orders a basic audit, EY
    // (first of the cascade) accepts it and uploads a scanner report it wrote itself; Antwerpen
    // works its register, its assets and the remediation day's agenda.
    const antwerpen = "11002@gemeente.test";
    await signIn(page, base, antwerpen);
    await page.locator("#form-basic").getByRole("button", { name: "Basisaudit bestellen" }).click();
    const auditPath = new URL(page.url()).pathname;
    check(/^\/bestellingen\/\d+$/.test(auditPath) && (await page.content()).includes("EY"), "Antwerpen's basic audit is offered to EY");
    await signOut(page);

    await signIn(page, base, "ey@firms.test");
    await page.goto(base + auditPath);
    await page.getByLabel("Prijs (euro)").fill("5.009,40");
    await page.getByLabel("Geplande start").fill("2020-06-01");
    await page.getByRole("button", { name: "Aanvaarden" }).click();
    check((await page.content()).includes("aanvaard"), "EY accepts Antwerpen's audit");
    await page.getByRole("link", { name: "Scanrapporten en hun import" }).click();
    const resultsPath = auditPath + "/resultaten";
    check(new URL(page.url()).pathname === resultsPath, "the order links to its results page");
    await axe(page, "results page (firm, empty)");
    await tableWraps(page, "results page (firm)");
    // A generic CSV report: four findings on two systems, and one line of information.
    const report = [
      "Title,Severity,Host,Port,Protocol,CVE,Description,Recommendation",
      'Remote Desktop open naar internet,High,srv-rdp.antwerpen.test,3389,tcp,,"RDP is bereikbaar vanaf internet.","Sluit RDP af of zet het achter een VPN."',
      "Telnet ingeschakeld,High,srv-rdp.antwerpen.test,23,tcp,,Telnet stuurt wachtwoorden onversleuteld.,Schakel telnet uit.",
      "Verouderde OpenSSH,Critical,www.antwerpen.test,22,tcp,CVE-2024-6387,regreSSHion.,Werk OpenSSH bij.",
      "TLS 1.0 aanvaard,Medium,www.antwerpen.test,443,tcp,,De server aanvaardt TLS 1.0.,Sta enkel TLS 1.2 en hoger toe.",
      "Traceroute-informatie,Info,www.antwerpen.test,,,,Het pad naar de server telt 9 hops.,",
    ].join("\n");
    await page.getByLabel("Rapport").setInputFiles({ name: "scan-antwerpen.csv", mimeType: "text/csv", buffer: Buffer.from(report) });
    // The status line's texts, as the script sets them (the page moves on as soon as the import is done).
    const statuses = [];
    await page.exposeBinding("cvStatusSeen", (_, text) => statuses.push(text));
    await page.evaluate(() => {
      const s = document.querySelector("form[data-upload] [role=status]");
      // eslint-disable-next-line no-undef
      new MutationObserver(() => window.cvStatusSeen(s.textContent)).observe(s, { childList: true, characterData: true, subtree: true });
    });
    await page.getByRole("button", { name: "Importeren" }).click();
    await page.waitForURL(/resultaten\?import=\d+/, { timeout: 15000 }).catch(() => {});
    check(statuses.some((t) => /^Bezig met opladen: \d+%$|wordt gelezen en verwerkt/.test(t)), `the upload shows its progress and processing state (${JSON.stringify(statuses)})`);
    check(/resultaten\?import=\d+$/.test(page.url()), "after the upload the page shows the import's summary");
    const summary = page.locator("section.summary");
    const figure = async (label) => (await summary.locator("div", { has: page.locator("dt", { hasText: new RegExp(`^${label}$`) }) }).locator("dd").textContent()).trim();
    check((await summary.count()) === 1 && (await figure("Gelezen")) === "5" && (await figure("Nieuw")) === "4", "the summary counts five read, four new findings");
    check((await figure("Bewaard als informatie")) === "1", "the summary says what it kept aside as information");
    await axe(page, "results page (firm, after an import)");
    await page.screenshot({ path: join(shots, "results-firm.png"), fullPage: true });
    // EY's register: each finding names its government; the priorities explain themselves.
    await visit(page, base, "/bevindingen", "findings register (firm)", "findings-register-firm");
    await tableWraps(page, "findings register (firm)");
    const registerHeaders = await page.locator("thead th").allTextContents();
    check(registerHeaders.some((h) => h.trim() === "Bestuur"), `the firm's register has a government column (${JSON.stringify(registerHeaders)})`);
    check((await page.locator("tbody td", { hasText: /^Antwerpen$/ }).count()) >= 4, "each of Antwerpen's findings names Antwerpen");
    check((await page.locator("#priority-legend dd").count()) === 4, "a legend explains the four priorities");
    check(!(await page.locator("table").textContent()).includes("Traceroute-informatie"), "information is not in the register of findings");
    await page.goto(base + resultsPath);
    // A broken report: the error shows in the page, the form stays usable.
    await page.getByLabel("Rapport").setInputFiles({ name: "kapot.csv", mimeType: "text/csv", buffer: Buffer.from("dit,is,geen\nscanrapport,,\n") });
    await page.getByRole("button", { name: "Importeren" }).click();
    const alert = page.getByRole("alert");
    const alerted = await alert.waitFor({ timeout: 10000 }).then(() => true, () => false);
    check(alerted && (await alert.textContent()).trim().length > 10, "a broken report shows its error in the page");
    check((await page.getByRole("alert").count()) === 1, "the error is shown once");
    check((await page.getByLabel("Rapport").isEnabled()) && (await page.getByRole("button", { name: "Importeren" }).isEnabled()), "the form stays usable after the error");
    check((await page.locator("tbody tr").count()) === 1, "the broken report adds no import");
    await axe(page, "results page (firm, a broken report)");
    await page.screenshot({ path: join(shots, "results-error.png"), fullPage: true });
    // The same form imports the report again: nothing new, all still open.
    await page.getByLabel("Rapport").setInputFiles({ name: "scan-antwerpen.csv", mimeType: "text/csv", buffer: Buffer.from(report) });
    await page.getByRole("button", { name: "Importeren" }).click();
    await page.waitForURL(/resultaten\?import=\d+/, { timeout: 15000 }).catch(() => {});
    check(/import=\d+$/.test(page.url()) && (await figure("Nieuw")) === "0" && (await figure("Nog open")) === "4" && (await figure("Bewaard als informatie")) === "1", "after the error the form imports again: nothing new, four still open, one kept as information");
    await completeResults(page, base, auditPath, "partially");
    await page.getByRole("button", { name: "Audit opgeleverd" }).click();
    check((await page.content()).includes("opgeleverd"), "EY delivers the audit");
    await signOut(page);

    await signIn(page, base, antwerpen);
    await visit(page, base, resultsPath, "results page (government)", "results-government");
    check((await page.locator("tbody tr").count()) === 2 && !(await page.getByRole("button", { name: "Importeren" }).count()), "Antwerpen sees two imports and no upload form");
    await visit(page, base, "/bevindingen", "findings register (Antwerpen)", "findings-register");
    await tableWraps(page, "findings register");
    const register = await page.locator("table").textContent();
    check(["Remote Desktop open naar internet", "Telnet ingeschakeld", "Verouderde OpenSSH", "TLS 1.0 aanvaard"].every((t) => register.includes(t)), "Antwerpen's register holds EY's four findings");
    // Filter: the high ones.
    await page.getByLabel("Ernst").selectOption("high");
    await page.getByRole("button", { name: "Tonen" }).click();
    check(page.url().includes("severity=high") && (await page.locator("tbody tr").count()) === 2, "the filter leaves the two high findings");
    // Bulk: both to in progress.
    await page.getByLabel("Remote Desktop open naar internet kiezen").check();
    await page.getByLabel("Telnet ingeschakeld kiezen").check();
    await page.getByLabel("Nieuwe stand").selectOption("in_progress");
    await page.getByRole("button", { name: "Alle of geen wijzigen" }).click();
    check((await page.getByRole("status").filter({ hasText: "2 bevindingen gewijzigd." }).count()) === 1, "the bulk change says two findings changed");
    const states = await page.locator("tbody tr td:nth-child(7)").allTextContents();
    check(states.length === 2 && states.every((s) => s.trim() === "in behandeling"), `both are in progress, filter kept (${states})`);
    await page.screenshot({ path: join(shots, "findings-bulk.png"), fullPage: true });
    // Bulk: accepting the risk needs a reason; without one nothing changes.
    await page.getByLabel("Alle 2 bevindingen op deze pagina").check();
    await page.getByLabel("Nieuwe stand").selectOption("risk_accepted");
    await page.getByRole("button", { name: "Alle of geen wijzigen" }).click();
    const refused = page.getByRole("alert");
    check((await refused.count()) === 1 && /reden/i.test(await refused.textContent()), "a risk accepted without a reason is refused with a clear message");
    await axe(page, "findings register with an error");
    await page.screenshot({ path: join(shots, "findings-bulk-error.png"), fullPage: true });
    await page.goto(base + "/bevindingen?severity=high");
    const after = await page.locator("tbody tr td:nth-child(7)").allTextContents();
    check(after.length === 2 && after.every((s) => s.trim() === "in behandeling"), "the refused bulk change changed nothing");
    // The export: a CSV file with the filters.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "CSV" }).click()]);
    const csv = readFileSync(await download.path(), "utf8");
    check(download.suggestedFilename().endsWith(".csv") && csv.includes("Telnet ingeschakeld") && !csv.includes("TLS 1.0 aanvaard"), `the CSV export downloads with the filter (${download.suggestedFilename()})`);
    const exported = await page.request.get(base + "/bevindingen/export?format=csv&severity=high");
    const headers = exported.headers();
    check(exported.status() === 200 && headers["content-type"].startsWith("text/csv") && /^attachment; filename=".+\.csv"$/.test(headers["content-disposition"] || ""), `the export answers as a CSV attachment (${headers["content-type"]}; ${headers["content-disposition"]})`);
    // A finding's page.
    await page.getByRole("link", { name: "Telnet ingeschakeld" }).click();
    await axe(page, "a finding (Antwerpen)");
    check((await page.locator(".timeline").textContent()).includes("in behandeling"), "the finding's history shows the bulk change");
    await page.screenshot({ path: join(shots, "finding-history.png"), fullPage: true });
    // Assets: srv-rdp becomes highly critical.
    await visit(page, base, "/bevindingen/systemen", "assets", "assets");
    await tableWraps(page, "assets");
    const crit = page.getByLabel("Kritikaliteit van srv-rdp.antwerpen.test");
    check((await crit.count()) === 1, "the assets page lists srv-rdp with its criticality");
    if (await crit.count()) {
      await crit.selectOption("high");
      await page.locator("tr", { has: crit }).getByRole("button", { name: "Opslaan" }).click();
      check(page.url().endsWith("/bevindingen/systemen") && (await page.getByLabel("Kritikaliteit van srv-rdp.antwerpen.test").inputValue()) === "high", "the criticality is saved");
    }
    // The agenda before the day.
    await visit(page, base, auditPath + "/remediedag", "agenda (government, before)", "agenda-government-before");
    await tableWraps(page, "agenda");
    check((await page.locator("table.agenda tbody tr").count()) === 4, "the agenda lists the four open findings");
    await page.emulateMedia({ media: "print" });
    await page.screenshot({ path: join(shots, "agenda-print.png"), fullPage: true });
    check(!(await page.locator("header.top").isVisible()) && (await page.locator(".print-only").isVisible()), "the printed agenda drops the navigation and says its date");
    await page.emulateMedia({ media: "screen" });
    await signOut(page);

    // The administrator's dashboards and the answer to Parliament, with an audit ordered.
    await figures(page, base);
    await baselineScan(page, base);

    // EY records the day: who attended, which action started.
    await signIn(page, base, "ey@firms.test");
    await visit(page, base, auditPath + "/remediedag", "agenda (firm)", "agenda-firm");
    await page.getByLabel("Actie gestart: Verouderde OpenSSH").check();
    await page.getByLabel("Notitie bij Verouderde OpenSSH").fill("Update gepland op 20 mei");
    await page.getByLabel("Datum van de remediëringsdag").fill("2020-05-18");
    await page.getByLabel("Informatieveiligheidsconsulent Antwerpen").check();
    await page.getByLabel("Andere aanwezigen (namen en rollen)").fill("Jan Peeters (IT-verantwoordelijke)");
    await page.getByRole("button", { name: "Remediëringsdag bewaren" }).click();
    check(page.url().endsWith(auditPath + "/remediedag") && !(await page.getByRole("alert").count()), "EY records the remediation day");
    await axe(page, "agenda (firm, recorded)");
    await signOut(page);

    await signIn(page, base, antwerpen);
    await visit(page, base, auditPath + "/remediedag", "agenda (government, after)", "agenda-government");
    const day = await page.locator("main").textContent();
    check(day.includes("Informatieveiligheidsconsulent Antwerpen") && day.includes("Jan Peeters"), "Antwerpen sees who attended");
    const openssh = page.locator("table.agenda tbody tr", { hasText: "Verouderde OpenSSH" });
    check((await openssh.count()) === 1 && (await openssh.textContent()).includes("ja") && (await openssh.textContent()).includes("Update gepland op 20 mei"), "Antwerpen sees the action started and its note");
    await page.goto(base + auditPath);
    check((await page.content()).includes("remediëringsdag gehouden"), "recording the day marks the order's remediation day held");
    await signOut(page);

    // On a phone.
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "nl-BE" });
    const small = await phone.newPage();
    await signIn(small, base, "44021@gemeente.test");
    await axe(small, "government home on a phone");
    await small.screenshot({ path: join(shots, "phone-government-home.png"), fullPage: true });
    await fitsWidth(small, "government home on a phone");
    // The results pages on a phone, as Antwerpen and as EY.
    const phoneVisit = async (path, name, screenshot) => {
      await visit(small, base, path, `${name} on a phone`, screenshot);
      await fitsWidth(small, `${name} on a phone`);
    };
    await signOut(small);
    await signIn(small, base, antwerpen);
    await phoneVisit("/bevindingen", "findings register", "phone-findings");
    const findingLink = await small.locator("tbody a").first().getAttribute("href");
    await phoneVisit(findingLink, "a finding", "phone-finding");
    await phoneVisit("/bevindingen/systemen", "assets", "phone-assets");
    await phoneVisit(resultsPath, "results (government)", "phone-results-government");
    await phoneVisit(auditPath + "/remediedag", "agenda (government)", "phone-agenda-government");
    await signOut(small);
    await signIn(small, base, "ey@firms.test");
    await phoneVisit(resultsPath, "results (firm)", "phone-results-firm");
    await phoneVisit(auditPath + "/remediedag", "agenda (firm)", "phone-agenda-firm");
  } finally {
    await browser.close();
    server.kill();
    rmSync(dir, { recursive: true, force: true });
  }
  if (failures.length) {
    console.error(`browser tests: ${failures.length} of ${checks} checks failed:\n- ` + failures.join("\n- "));
    if (serverLog.trim()) console.error("server log:\n" + serverLog.slice(-4000));
    process.exit(1);
  }
  console.log(`browser tests: all ${checks} checks passed`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
