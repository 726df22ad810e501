// The audit HTML report in a real browser: Debian's /usr/bin/chromium, headless, driven by
// playwright-core (which never downloads a browser here). Run by
// scripts/peers/chromium_report.sh; see docs/reference/audit-html.md, "How it is tested".
//
//   node report_test.mjs MODE REPORT.json PAGE.html ARTIFACT_DIR
//
// MODE is `fixture` (the hand-written crates/monban-render/tests/fixtures/audit-report.json,
// with checks of its known people and paths), `real` (a report `monban audit` made against
// a sandbox), `hostile` (names that try to inject markup), or `large` (a generated report of
// thousands of people × accounts, for responsiveness). Every expected number is computed
// here from the report JSON by brute force, independently of the page's own code, and
// every observed number is read from the DOM; axe-core checks accessibility (fixture
// mode). Exit status 0 only if every check passed.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const [mode, reportPath, pagePath, artifacts] = process.argv.slice(2);
if (!mode || !reportPath || !pagePath || !artifacts) {
  console.error("usage: report_test.mjs fixture|real|hostile|large REPORT.json PAGE.html ARTIFACT_DIR");
  process.exit(2);
}
const report = JSON.parse(fs.readFileSync(reportPath, "utf8"));
fs.mkdirSync(artifacts, { recursive: true });

const failures = [];
let checks = 0;
function check(condition, message) {
  checks += 1;
  if (!condition) { failures.push(message); console.error(`  FAIL ${message}`); }
}
function log(message) { console.error(`chromium peer [${mode}]: ${message}`); }

// ---------------------------------------------------------------- the brute-force model

const SEVERITY_RANK = { critical: 5, high: 4, medium: 3, low: 2, info: 1 };
const peopleById = new Map(report.people.map((person) => [person.user_id, person]));
const groupNameById = new Map(report.groups.map((group) => [group.group_id, group.name]));
const cellMap = new Map(); // "user|account" → { user, account, rows: [], rank }
function cell(user, account) {
  const key = `${user}|${account}`;
  if (!cellMap.has(key)) { cellMap.set(key, { user, account, rows: [], rank: 0 }); }
  return cellMap.get(key);
}
for (const row of report.inventory) { cell(row.user_id, row.account_id).rows.push(row); }
const personFindingRank = new Map();
for (const finding of report.findings) {
  const rank = SEVERITY_RANK[finding.severity];
  const principal = finding.principal;
  let users = [];
  if (principal && principal.type === "USER" && principal.id && peopleById.has(principal.id)) { users = [principal.id]; }
  if (principal && principal.type === "GROUP") {
    const name = groupNameById.get(principal.id) || principal.name;
    users = report.people.filter((person) => person.groups.includes(name)).map((person) => person.user_id);
  }
  if (finding.account && users.length) {
    for (const user of users) { const target = cell(user, finding.account.id); target.rank = Math.max(target.rank, rank); }
  } else if (principal && principal.type === "USER" && users.length) {
    personFindingRank.set(users[0], Math.max(personFindingRank.get(users[0]) || 0, rank));
  }
}
const allCells = [...cellMap.values()];

function inOu(account, ou) { return account.ou === ou || (account.ou || "").startsWith(ou + "/"); }

// What the page should show for a filter: { people, accounts, cells }.
function expected(filter) {
  const query = (filter.q || "").trim().toLowerCase();
  const personText = (person) => [person.user_name, person.display_name, person.email, person.user_id].join(" ").toLowerCase();
  const accountText = (account) => `${account.name || account.id} ${account.id}`.toLowerCase();
  const personHits = query ? report.people.filter((person) => personText(person).includes(query)) : [];
  const accountHits = query ? report.accounts.filter((account) => accountText(account).includes(query)) : [];
  const rowOk = new Set(report.people.filter((person) => {
    if (query && !(personHits.length ? personHits.includes(person) : accountHits.length > 0)) { return false; }
    if (filter.group && !person.groups.includes(filter.group)) { return false; }
    if (filter.status === "leavers" && person.status === "enabled") { return false; }
    return true;
  }).map((person) => person.user_id));
  const accountsById = new Map(report.accounts.map((account) => [account.id, account]));
  const columnOk = new Set(report.accounts.filter((account) => {
    if (query && !(accountHits.length ? accountHits.includes(account) : personHits.length > 0)) { return false; }
    return !filter.ou || inOu(account, filter.ou);
  }).map((account) => account.id));
  const rowsPass = (candidate) => candidate.rows.filter((row) =>
    (!filter.ps || row.permission_set === filter.ps) &&
    (!filter.group || (row.via.kind === "group" && row.via.group_name === filter.group)));
  const shown = allCells.filter((candidate) => {
    if (!rowOk.has(candidate.user) || !columnOk.has(candidate.account) || !accountsById.has(candidate.account)) { return false; }
    if (filter.sev && candidate.rank < SEVERITY_RANK[filter.sev]) { return false; }
    if (!filter.ps && !filter.group) { return candidate.rows.length > 0 || candidate.rank > 0; }
    return rowsPass(candidate).length > 0;
  });
  const hide = filter.ps || filter.group || filter.sev || filter.empty;
  let people = [...rowOk];
  let accounts = [...columnOk];
  if (hide) {
    const withCells = new Set(shown.map((candidate) => candidate.user));
    people = people.filter((user) => withCells.has(user) ||
      (filter.sev && !filter.ps && !filter.group && (personFindingRank.get(user) || 0) >= SEVERITY_RANK[filter.sev]));
    const columnsWithCells = new Set(shown.map((candidate) => candidate.account));
    accounts = accounts.filter((account) => columnsWithCells.has(account));
  }
  return { people: people.length, accounts: accounts.length, cells: shown.length };
}

// ---------------------------------------------------------------- the browser

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "monban-chromium-"));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  viewport: { width: 1440, height: 900 },
  // The flags docs/reference (and the machine's notes) name for a closed network: without
  // the background-networking ones Chromium keeps trying to reach Google's hosts.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const pageUrl = "file://" + path.resolve(pagePath);
const problems = [];
function watch(page) {
  page.on("console", (message) => { if (message.type() === "error" || message.type() === "warning") { problems.push(`console ${message.type()}: ${message.text()}`); } });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("dialog", async (dialog) => { problems.push(`a dialog opened: ${dialog.message()}`); await dialog.dismiss(); });
  page.on("request", (request) => { if (!request.url().startsWith("file://")) { problems.push(`network request: ${request.url()}`); } });
}

async function open(hash = "", options = {}) {
  const page = await context.newPage();
  if (options.colorScheme) { await page.emulateMedia({ colorScheme: options.colorScheme }); }
  if (options.viewport) { await page.setViewportSize(options.viewport); }
  watch(page);
  const started = Date.now();
  await page.goto(pageUrl + (hash ? "#" + hash : ""));
  await page.waitForSelector("html[data-ready]", { timeout: 60000 });
  page.loadMillis = Date.now() - started;
  return page;
}

async function status(page) {
  return page.evaluate(() => {
    const element = document.getElementById("matrix-status");
    return { people: Number(element.dataset.people), accounts: Number(element.dataset.accounts), cells: Number(element.dataset.cells) };
  });
}
// Waits until the status shows `want` (filters are debounced), then compares.
async function expectStatus(page, want, label) {
  try {
    await page.waitForFunction((target) => {
      const element = document.getElementById("matrix-status");
      return Number(element.dataset.people) === target.people && Number(element.dataset.accounts) === target.accounts &&
        Number(element.dataset.cells) === target.cells;
    }, want, { timeout: 5000 });
    check(true, label);
  } catch {
    const got = await status(page);
    check(false, `${label}: expected ${JSON.stringify(want)}, the page shows ${JSON.stringify(got)}`);
  }
}

// Scrolls the whole matrix and collects every row and column header the DOM ever held, so
// the counts are checked through the DOM however large the report (the grid is virtual).
async function collectHeaders(page) {
  return page.evaluate(async () => {
    const scroller = document.getElementById("matrix-scroll");
    const rows = new Set();
    const columns = new Set();
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    for (let top = 0; ; top += Math.max(100, scroller.clientHeight - 150)) {
      scroller.scrollTop = top;
      for (let left = 0; ; left += Math.max(100, scroller.clientWidth - 400)) {
        scroller.scrollLeft = left;
        await frame();
        scroller.querySelectorAll("tbody tr[data-user-id]").forEach((element) => rows.add(element.dataset.userId));
        scroller.querySelectorAll("thead .column-head").forEach((element) => columns.add(element.dataset.accountId));
        if (left + scroller.clientWidth >= scroller.scrollWidth) { break; }
      }
      if (top + scroller.clientHeight >= scroller.scrollHeight) { break; }
    }
    scroller.scrollTop = 0;
    scroller.scrollLeft = 0;
    await frame();
    return { rows: rows.size, columns: [...columns] };
  });
}

async function drawerPaths(page) {
  await page.waitForSelector("#drawer:not([hidden]) #drawer-title", { timeout: 5000 });
  return page.evaluate(() => ({
    title: document.getElementById("drawer-title").textContent,
    paths: [...document.querySelectorAll("#why-paths .path")].map((element) => ({
      permissionSet: element.dataset.permissionSet, via: element.dataset.via, state: element.dataset.state,
    })),
    findings: [...document.querySelectorAll("#drawer .finding-card")].map((element) => element.dataset.findingKey),
  }));
}
function expectedPaths(user, account) {
  const target = cellMap.get(`${user}|${account}`);
  return (target ? target.rows : []).map((row) => ({
    permissionSet: row.permission_set,
    via: row.via.kind === "group" ? `group:${row.via.group_name || row.via.group_id}` : "direct",
    state: row.state || "",
  })).sort((left, right) => JSON.stringify(left).localeCompare(JSON.stringify(right)));
}
function sortPaths(paths) { return [...paths].sort((left, right) => JSON.stringify(left).localeCompare(JSON.stringify(right))); }

// Opens the why panel of (user, account) the way a user does: search the person, click the cell.
async function openWhy(page, person, accountId) {
  await page.fill("#search", person.user_name || person.user_id);
  await expectStatus(page, expected({ q: person.user_name || person.user_id }), `search ${person.user_name} before opening a cell`);
  // The grid is virtual: scroll sideways until the account's column is drawn.
  const position = await page.evaluate(async ([userId, accountId]) => {
    const scroller = document.getElementById("matrix-scroll");
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    for (let left = 0; !document.querySelector(`thead .column-head[data-account-id="${accountId}"]`); left += Math.max(100, scroller.clientWidth - 400)) {
      if (left > scroller.scrollWidth) { break; }
      scroller.scrollLeft = left;
      await frame();
    }
    const head = document.querySelector(`thead .column-head[data-account-id="${accountId}"]`);
    const row = document.querySelector(`tbody tr[data-user-id="${userId}"] .row-head`);
    return { row: row ? Number(row.dataset.row) : -1, column: head ? Number(head.dataset.column) : -1 };
  }, [person.user_id, accountId]);
  const accountIndex = position.column;
  const rowIndex = position.row;
  check(accountIndex >= 0 && rowIndex >= 0, `the cell of ${person.user_name} on ${accountId} is in the DOM after the search`);
  if (accountIndex < 0 || rowIndex < 0) { return null; }
  await page.click(`td.cell[data-row="${rowIndex}"][data-column="${accountIndex}"]`);
  return drawerPaths(page);
}

// ---------------------------------------------------------------- the checks every report gets

async function generalChecks() {
  const page = await open();
  log(`page ready in ${page.loadMillis} ms`);
  const all = expected({});
  check(all.people === report.people.length && all.accounts === report.accounts.length, "unfiltered, every person and every account is a row and a column");
  await expectStatus(page, all, "the unfiltered status counts every person, account and cell");
  const grid = await page.evaluate(() => {
    const table = document.getElementById("matrix");
    return { rowcount: Number(table.getAttribute("aria-rowcount")), colcount: Number(table.getAttribute("aria-colcount")) };
  });
  check(grid.rowcount === report.people.length + 2 && grid.colcount === report.accounts.length + 1,
    `aria-rowcount/colcount ${JSON.stringify(grid)} match ${report.people.length} people × ${report.accounts.length} accounts`);
  const headers = await collectHeaders(page);
  check(headers.rows === report.people.length, `scrolling the matrix shows ${report.people.length} people rows (saw ${headers.rows})`);
  check(headers.columns.length === report.accounts.length, `scrolling the matrix shows ${report.accounts.length} account columns (saw ${headers.columns.length})`);
  check(new Set(headers.columns).size === new Set(report.accounts.map((account) => account.id)).size &&
    report.accounts.every((account) => headers.columns.includes(account.id)), "the columns are exactly the report's account ids");

  // Search by a person, then by an account.
  const someone = report.people.find((person) => person.user_name && cellMap.has(`${person.user_id}|${report.inventory.find((row) => row.user_id === person.user_id)?.account_id}`));
  if (someone) {
    await page.fill("#search", someone.user_name);
    await expectStatus(page, expected({ q: someone.user_name }), `search "${someone.user_name}"`);
  }
  const anAccount = report.accounts[Math.floor(report.accounts.length / 2)];
  await page.fill("#search", anAccount.name);
  await expectStatus(page, expected({ q: anAccount.name }), `search "${anAccount.name}"`);
  await page.fill("#search", "no-such-person-or-account-xyz");
  await expectStatus(page, { people: 0, accounts: 0, cells: 0 }, "a search that matches nothing shows nothing");
  check(await page.isVisible("#matrix-empty"), "an empty result says so");
  await page.fill("#search", "");
  await expectStatus(page, all, "clearing the search shows everything again");

  // Each filter alone.
  const ous = [...new Set(report.accounts.map((account) => account.ou).filter(Boolean))].sort();
  for (const ou of ous.slice(0, 4)) {
    await page.selectOption("#filter-ou", ou);
    await expectStatus(page, expected({ ou }), `OU filter ${ou}`);
  }
  await page.selectOption("#filter-ou", "");
  const usedPermissionSets = [...new Set(report.inventory.map((row) => row.permission_set))].sort();
  for (const ps of usedPermissionSets.slice(0, 4)) {
    await page.selectOption("#filter-ps", ps);
    await expectStatus(page, expected({ ps }), `permission-set filter ${ps}`);
  }
  await page.selectOption("#filter-ps", "");
  const usedGroups = [...new Set(report.inventory.filter((row) => row.via.kind === "group").map((row) => row.via.group_name))].sort();
  for (const group of usedGroups.slice(0, 4)) {
    await page.selectOption("#filter-group", group);
    await expectStatus(page, expected({ group }), `group filter ${group}`);
  }
  await page.selectOption("#filter-group", "");
  for (const sev of ["critical", "high", "medium", "info"]) {
    await page.selectOption("#filter-sev", sev);
    await expectStatus(page, expected({ sev }), `severity filter ${sev} or worse`);
  }
  await page.selectOption("#filter-sev", "");
  await page.selectOption("#filter-status", "leavers");
  await expectStatus(page, expected({ status: "leavers" }), "people filter: disabled or deleted");
  await page.selectOption("#filter-status", "");

  // Combined, kept in the URL hash across a reload.
  if (ous.length && usedPermissionSets.length) {
    const combined = { ou: ous[ous.length - 1], ps: usedPermissionSets[0], empty: "1" };
    await page.selectOption("#filter-ou", combined.ou);
    await page.selectOption("#filter-ps", combined.ps);
    await page.check("#hide-empty");
    const want = expected(combined);
    await expectStatus(page, want, `OU ${combined.ou} + permission set ${combined.ps} combined`);
    const hash = await page.evaluate(() => location.hash);
    check(hash.includes("ou=") && hash.includes("ps="), `the filters are in the URL hash (${hash})`);
    await page.reload();
    await page.waitForSelector("html[data-ready]");
    await expectStatus(page, want, "a reload keeps the filters (URL hash)");
    check(await page.inputValue("#filter-ps") === combined.ps, "the permission-set select shows the filter after a reload");
    await page.click("#reset-filters");
    await expectStatus(page, all, "Reset shows everything again");
  }

  // Why drill-down on the cell with the most paths.
  const richest = [...allCells].filter((candidate) => candidate.rows.length && peopleById.has(candidate.user))
    .sort((left, right) => right.rows.length - left.rows.length || left.user.localeCompare(right.user))[0];
  if (richest) {
    const person = peopleById.get(richest.user);
    const why = await openWhy(page, person, richest.account);
    if (why) {
      const want = expectedPaths(richest.user, richest.account);
      check(JSON.stringify(sortPaths(why.paths)) === JSON.stringify(want),
        `why ${person.user_name} on ${richest.account}: paths ${JSON.stringify(why.paths)} = ${JSON.stringify(want)}`);
      check((await page.evaluate(() => location.hash)).includes("open=cell"), "the open drill-down is in the URL hash");
      await page.keyboard.press("Escape");
      check(await page.isHidden("#drawer"), "Escape closes the drill-down");
    }
    await page.fill("#search", "");
  }

  // Keyboard: into the grid, move, open with Enter.
  await expectStatus(page, all, "back to the full matrix");
  await page.evaluate(() => { const scroller = document.getElementById("matrix-scroll"); scroller.scrollTop = 0; scroller.scrollLeft = 0; });
  await page.click("td.cell[data-row=\"0\"][data-column=\"0\"]");
  await page.keyboard.press("Escape");
  await page.focus("td.cell[tabindex=\"0\"]");
  const before = await page.evaluate(() => ({ row: document.activeElement.dataset.row, column: document.activeElement.dataset.column }));
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowDown");
  const focused = await page.evaluate(() => ({ row: document.activeElement.dataset.row, column: document.activeElement.dataset.column }));
  const wantRow = Math.min(report.people.length - 1, 1);
  const wantColumn = Math.min(report.accounts.length - 1, 1);
  check(before.row === "0" && before.column === "0" && focused.row === String(wantRow) && focused.column === String(wantColumn),
    `a click puts the grid's tab stop on the cell, arrow keys move it (from ${JSON.stringify(before)} to ${JSON.stringify(focused)})`);
  await page.keyboard.press("Home");
  await page.keyboard.press("Enter");
  const personDrawer = await page.waitForSelector("#drawer:not([hidden]) #drawer-title", { timeout: 5000 }).then(() => true, () => false);
  check(personDrawer, "Home then Enter on a row header opens that person's access");
  await page.keyboard.press("Escape");

  // An account's header opens "Who can reach it?" listing everyone with access there.
  const firstAccount = await page.evaluate(() => document.querySelector("thead .column-head").dataset.accountId);
  await page.click("thead .column-head[data-column=\"0\"]");
  await page.waitForSelector("#drawer:not([hidden]) #drawer-title", { timeout: 5000 });
  const holders = await page.locator("#drawer table.list tbody tr").count();
  const wantHolders = new Set(report.inventory.filter((row) => row.account_id === firstAccount).map((row) => row.user_id)).size;
  check(holders === Math.min(1000, wantHolders), `the account panel of ${firstAccount} lists ${wantHolders} people (lists ${holders})`);
  await page.keyboard.press("Escape");

  // Findings and IAM users.
  await page.click("#tab-findings");
  const findingRows = await page.locator("#findings-table tbody tr[data-severity]").count();
  check(findingRows === Math.min(200, report.findings.length), `the findings list shows ${Math.min(200, report.findings.length)} findings (shows ${findingRows})`);
  for (const severity of ["high", "medium", "low"]) {
    await page.selectOption("#findings-sev", severity);
    const want = report.findings.filter((finding) => finding.severity === severity).length;
    const shown = await page.evaluate(() => Number(document.getElementById("findings-status").dataset.findings));
    check(shown === want, `the findings filter ${severity} shows ${want} (shows ${shown})`);
  }
  await page.selectOption("#findings-sev", "");
  await page.click("#tab-iam");
  const iamRows = await page.locator("#iam-table tbody tr").count();
  check(iamRows === report.iam_users.length, `the IAM users table has ${report.iam_users.length} rows (has ${iamRows})`);
  await page.click("#tab-matrix");
  return page;
}

// ---------------------------------------------------------------- per mode

// axe-core (the accessibility rules engine; npm, pinned beside playwright-core) on the page
// as it is now; serious and critical violations fail the test.
const AXE = fs.readFileSync(path.join(path.dirname(new URL(import.meta.url).pathname), "node_modules/axe-core/axe.min.js"), "utf8");
async function accessibility(page, label) {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations
    .map((violation) => ({ id: violation.id, impact: violation.impact, nodes: violation.nodes.length, first: violation.nodes[0].target.join(" ") })));
  const serious = violations.filter((violation) => violation.impact === "serious" || violation.impact === "critical");
  check(serious.length === 0, `axe-core finds no serious accessibility violation on ${label}: ${JSON.stringify(serious)}`);
  for (const violation of violations.filter((each) => !serious.includes(each))) { log(`axe-core (${violation.impact}) on ${label}: ${violation.id} ×${violation.nodes} at ${violation.first}`); }
}

async function fixtureChecks(page) {
  // Known paths of the hand-written fixture.
  const dennis = report.people.find((person) => person.user_name === "dennis@example.com");
  const why = await openWhy(page, dennis, "444444444444");
  check(why && why.title === "Why can Dennis Ritchie reach payments-prod?", `the drill-down title (${why && why.title})`);
  check(why && JSON.stringify(sortPaths(why.paths)) === JSON.stringify(sortPaths([
    { permissionSet: "PaymentsDeploy", via: "group:payments-engineers", state: "declared" },
    { permissionSet: "ReadOnly", via: "group:payments-engineers", state: "declared" },
  ])), `Dennis on payments-prod: two paths via payments-engineers (${JSON.stringify(why && why.paths)})`);
  check(why && why.findings.filter((key) => key.startsWith("disabled-user-access:")).length === 2, "the two disabled-user findings are listed in the drill-down");
  await page.screenshot({ path: path.join(artifacts, "audit-report-why.png") });
  await page.keyboard.press("Escape");
  await page.fill("#search", "");
  const ken = report.people.find((person) => person.user_name === "ken@example.com");
  const kenWhy = await openWhy(page, ken, "888888888888");
  check(kenWhy && kenWhy.paths.some((entry) => entry.via === "direct" && entry.state === "live-only" && entry.permissionSet === "PowerUser"),
    "Ken's direct, live-only PowerUser on sandbox-shared is a path of its own");
  await page.keyboard.press("Escape");
  await page.fill("#search", "");
  await expectStatus(page, expected({}), "the fixture's full matrix");
  check((await status(page)).people === 20 && (await status(page)).accounts === 8, "the fixture: 20 people × 8 accounts");
  // The deleted user's row and the disabled user's badge.
  check(await page.locator("tr.person-deleted").count() === 1 && await page.locator("tr.person-disabled").count() === 1,
    "one deleted and one disabled person are marked");
}

async function hostileChecks(page) {
  const injected = await page.evaluate(() => ({
    images: document.querySelectorAll("img").length,
    bold: document.querySelectorAll("#report-header b b, .row-head b").length,
    name: [...document.querySelectorAll(".row-head .name")].map((element) => element.textContent).find((text) => text.includes("onerror")) || null,
    marker: window.__monbanInjected === true,
  }));
  check(injected.images === 0, "no <img> element was injected");
  check(!injected.marker, "no injected script ran");
  check(injected.name !== null && injected.name.includes("</script><img"), `the hostile name is shown as text (${injected.name})`);
  // The baseline's changes (hostile too) on their own tab.
  await page.click("#tab-changes");
  const changes = await page.evaluate(() => ({
    headings: [...document.querySelectorAll("#panel-changes .section-title")].map((element) => element.textContent),
    images: document.querySelectorAll("img").length,
    text: document.getElementById("panel-changes").textContent,
  }));
  check(JSON.stringify(changes.headings) === JSON.stringify(["Access added (1)", "Access removed (0)", "New findings (1)", "Resolved findings (0)"]),
    `the changes tab counts the baseline's changes (${JSON.stringify(changes.headings)})`);
  check(changes.images === 0 && changes.text.includes("</script><img"), "the baseline's hostile names are shown as text");
  check(!(await page.evaluate(() => window.__monbanInjected === true)), "still no injected script ran");
}

async function largeChecks(page) {
  check(page.loadMillis < 20000, `the large report is ready in ${page.loadMillis} ms (< 20 s)`);
  const domCells = await page.locator("td.cell").count();
  check(domCells < 4000, `only the visible part of the matrix is in the DOM (${domCells} cells)`);
  const started = Date.now();
  await page.selectOption("#filter-sev", "high");
  await expectStatus(page, expected({ sev: "high" }), "the severity filter on the large report");
  const filterMillis = Date.now() - started;
  check(filterMillis < 5000, `filtering the large report takes ${filterMillis} ms (< 5 s)`);
  log(`large: ready in ${page.loadMillis} ms, ${domCells} cells in the DOM, a filter in ${filterMillis} ms`);
  await page.selectOption("#filter-sev", "");
  // Scroll to the far corner: the last person and the last account are drawn there.
  const corner = await page.evaluate(async () => {
    const scroller = document.getElementById("matrix-scroll");
    const started = performance.now();
    scroller.scrollTop = scroller.scrollHeight;
    scroller.scrollLeft = scroller.scrollWidth;
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const rows = [...scroller.querySelectorAll("tbody tr[data-person]")];
    const heads = [...scroller.querySelectorAll("thead .column-head")];
    return { millis: performance.now() - started, lastRow: rows.length ? Number(rows[rows.length - 1].getAttribute("aria-rowindex")) : -1,
      lastColumn: heads.length ? Number(heads[heads.length - 1].closest("th").getAttribute("aria-colindex")) : -1 };
  });
  check(corner.lastRow === report.people.length + 2, `scrolled to the end, the last person is drawn (aria-rowindex ${corner.lastRow})`);
  check(corner.lastColumn === report.accounts.length + 1, `scrolled to the end, the last account is drawn (aria-colindex ${corner.lastColumn})`);
  check(corner.millis < 1000, `a jump to the far corner repaints in ${Math.round(corner.millis)} ms (< 1 s)`);
  log(`large: the far corner repainted in ${Math.round(corner.millis)} ms`);
}

// ---------------------------------------------------------------- run

try {
  if (mode === "large") {
    const page = await open();
    await largeChecks(page);
    await page.screenshot({ path: path.join(artifacts, "audit-report-large.png") });
  } else if (mode === "hostile") {
    const page = await open();
    await hostileChecks(page);
  } else {
    const page = await generalChecks();
    if (mode === "fixture") {
      await fixtureChecks(page);
      await page.fill("#search", "");
      await page.selectOption("#sort-rows", "severity");
      await page.evaluate(() => { document.getElementById("matrix-scroll").scrollTop = 0; document.activeElement.blur(); });
      await page.screenshot({ path: path.join(artifacts, "audit-report.png") });
      const dark = await open("rows=severity", { colorScheme: "dark" });
      await dark.screenshot({ path: path.join(artifacts, "audit-report-dark.png") });
      await accessibility(dark, "the matrix in dark mode");
      const findings = await open("tab=findings");
      await findings.screenshot({ path: path.join(artifacts, "audit-report-findings.png"), fullPage: false });
      await accessibility(findings, "the findings");
      await accessibility(await open("tab=iam"), "the IAM users");
      const dennis = report.people.find((person) => person.user_name === "dennis@example.com");
      await accessibility(await open(`open=cell:${dennis.user_id}:444444444444`), "the matrix with a drill-down open");
      const printed = await open();
      await printed.emulateMedia({ media: "print" });
      await printed.pdf({ path: path.join(artifacts, "audit-report.pdf") }).catch((error) => problems.push(`print: ${error.message}`));
    } else {
      // The page and the JSON come from two runs of `monban audit` on the same, unchanged
      // sandbox: the page must embed the same people, accounts, access and findings.
      const html = fs.readFileSync(pagePath, "utf8");
      const opening = "<script type=\"application/json\" id=\"audit-data\">";
      const start = html.indexOf(opening) + opening.length;
      const embedded = JSON.parse(html.slice(start, html.indexOf("</script>", start)));
      const ids = (list, key) => JSON.stringify(list.map((item) => item[key]));
      check(ids(embedded.people, "user_id") === ids(report.people, "user_id"), "the page's people are the JSON report's");
      check(ids(embedded.accounts, "id") === ids(report.accounts, "id"), "the page's accounts are the JSON report's");
      const firstDifference = report.inventory.findIndex((row, index) => JSON.stringify(row) !== JSON.stringify(embedded.inventory[index]));
      check(embedded.inventory.length === report.inventory.length && firstDifference < 0,
        `the page's inventory is the JSON report's (${embedded.inventory.length} and ${report.inventory.length} rows` +
        (firstDifference < 0 ? ")" : `; row ${firstDifference} differs: ${JSON.stringify(embedded.inventory[firstDifference])} vs ${JSON.stringify(report.inventory[firstDifference])})`));
      check(ids(embedded.findings, "key") === ids(report.findings, "key"), "the page's findings are the JSON report's");
      const shown = await status(page);
      // summary.people counts Identity Store users; deleted users still assigned are rows too.
      const living = report.people.filter((person) => person.status !== "deleted").length;
      check(report.summary.people === living, `the JSON's summary counts its ${living} people who are not deleted (${report.summary.people})`);
      check(shown.people === report.people.length && shown.accounts === report.summary.accounts,
        `the page shows the JSON's ${report.people.length} people × ${report.summary.accounts} accounts (${shown.people} × ${shown.accounts})`);
      await page.screenshot({ path: path.join(artifacts, `audit-report-${mode}.png`) });
    }
  }
} catch (error) {
  failures.push(`the test itself failed: ${error.stack || error}`);
}
await context.close();
fs.rmSync(userDataDir, { recursive: true, force: true });
for (const problem of problems) { check(false, problem); }
check(true, "no console error, page error, dialog or network request");
if (failures.length) {
  log(`${failures.length} of ${checks} checks FAILED`);
  for (const failure of failures) { console.error(`  - ${failure}`); }
  process.exit(1);
}
log(`all ${checks} checks passed`);
