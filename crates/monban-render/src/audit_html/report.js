/* monban audit report: lays out the audit report JSON (format 1) embedded in this page.
 *
 * Everything shown comes from the report; this script only indexes it (who reaches which
 * account, which findings belong to which matrix cell), filters and draws it. The matrix is
 * a virtual grid: only the rows and columns in view are in the DOM, so 5,000 people ×
 * 1,000 accounts scroll as smoothly as 20 × 8. Filters, the open tab and the open drill-down
 * live in the URL hash, so a link (or a reload) shows the same view.
 *
 * Vanilla JavaScript on purpose: the page must open from file:// with no network, years
 * from now, and be readable by the auditor who wants to check what it does.
 */
(function () {
  "use strict";

  var SEVERITIES = ["critical", "high", "medium", "low", "info"];
  var SEVERITY_RANK = { critical: 5, high: 4, medium: 3, low: 2, info: 1 };
  var SEVERITY_LABEL = { critical: "Critical", high: "High", medium: "Medium", low: "Low", info: "Info" };
  var STATE_LABEL = { "declared": "declared", "live-only": "live only (drift)", "declared-missing": "declared, missing live" };
  var OU_HEADER_HEIGHT = 26;
  var ACCOUNT_HEADER_HEIGHT = 58;
  var OVERSCAN_ROWS = 6;
  var OVERSCAN_COLUMNS = 2;
  var PAGE_SIZE = 200;
  var DRAWER_LIST_LIMIT = 1000;
  var CHIPS_PER_CELL = 3;
  // Cells are keyed by person index × this + account index (accounts stay far below it).
  var KEY_STRIDE = 1048576;

  var data = JSON.parse(document.getElementById("audit-data").textContent);

  // ---------------------------------------------------------------- small helpers

  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (character) {
      return ESCAPES[character];
    });
  }
  // Explanations and fixes quote commands and file names in `backticks`, as Markdown
  // would: shown as code, after escaping (so nothing but <code> can come of it).
  function prose(value) {
    return esc(value).replace(/`([^`]+)`/g, "<code>$1</code>");
  }
  function byId(id) { return document.getElementById(id); }
  function plural(count, one, many) { return count.toLocaleString("en") + " " + (count === 1 ? one : (many || one + "s")); }
  function compareText(left, right) { return left < right ? -1 : left > right ? 1 : 0; }
  function formatTime(value) {
    if (!value) { return "—"; }
    var match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(value);
    return match ? match[1] + " " + match[2] + " UTC" : String(value);
  }
  function formatDate(value) {
    if (!value) { return "never"; }
    var match = /^(\d{4}-\d{2}-\d{2})/.exec(value);
    return match ? match[1] : String(value);
  }
  function daysBetween(earlier, later) {
    var start = Date.parse(earlier);
    var end = Date.parse(later);
    if (isNaN(start) || isNaN(end)) { return null; }
    return Math.floor((end - start) / 86400000);
  }
  function ouLabel(ou) {
    if (!ou) { return "Root"; }
    var label = String(ou).replace(/^\/+/, "").replace(/^Root(\/|$)/, "");
    return label === "" ? "Root" : label;
  }
  function severityBadge(severity, extraClass) {
    return "<span class=\"badge small sev-" + esc(severity) + (extraClass ? " " + extraClass : "") + "\">" +
      esc(SEVERITY_LABEL[severity] || severity) + "</span>";
  }
  function severityDot(severity, title) {
    return "<span class=\"sev-dot sev-" + esc(severity) + "\" title=\"" + esc(title) + "\" role=\"img\" aria-label=\"" + esc(title) + "\"></span>";
  }
  function stateBadge(state) {
    if (!state) { return ""; }
    return "<span class=\"badge small state-" + esc(state) + "\">" + esc(STATE_LABEL[state] || state) + "</span>";
  }
  function statusBadge(status) {
    if (status === "enabled" || !status) { return ""; }
    return "<span class=\"badge small status-" + esc(status) + "\">" + esc(status) + "</span>";
  }
  function announce(message) { byId("live").textContent = message; }

  // ---------------------------------------------------------------- the index

  var accounts = [];
  var accountById = new Map();
  function addAccount(raw, synthetic) {
    var account = {
      index: accounts.length,
      id: String(raw.id),
      name: raw.name || String(raw.id),
      ou: raw.ou || "",
      status: raw.status || null,
      management: !!raw.management,
      synthetic: !!synthetic,
      findings: [],
      cells: [],
      rank: 0
    };
    account.search = (account.name + " " + account.id).toLowerCase();
    accounts.push(account);
    accountById.set(account.id, account);
    return account;
  }
  data.accounts.forEach(function (raw) { addAccount(raw, false); });
  function accountFor(id, name) {
    if (id === null || id === undefined) { return null; }
    return accountById.get(String(id)) || addAccount({ id: id, name: name, ou: "", management: false }, true);
  }

  var people = [];
  var personById = new Map();
  var personByUserName = new Map();
  function addPerson(raw, synthetic) {
    var person = {
      index: people.length,
      id: String(raw.user_id),
      userName: raw.user_name || null,
      displayName: raw.display_name || null,
      email: raw.email || null,
      status: raw.status || "unknown",
      groups: (raw.groups || []).slice(),
      synthetic: !!synthetic,
      findings: [],
      cells: [],
      rank: 0
    };
    // A deleted user has no names left (the producer writes `deleted:<id>` as user name).
    person.name = person.displayName || (person.status === "deleted" ? "Deleted user" : person.userName || person.id);
    person.sortName = person.name.toLowerCase();
    person.groupSet = new Set(person.groups);
    person.search = [person.userName, person.displayName, person.email, person.id].join(" ").toLowerCase();
    people.push(person);
    personById.set(person.id, person);
    if (person.userName) { personByUserName.set(person.userName.toLowerCase(), person); }
    return person;
  }
  data.people.forEach(function (raw) { addPerson(raw, false); });
  // The person an inventory row or a finding names; an inventory row naming someone the
  // people list lacks still gets a row (marked unknown), a finding does not (an IAM user's
  // name, say, is not a person).
  function personFor(id, userName, create) {
    if (id !== null && id !== undefined && personById.has(String(id))) { return personById.get(String(id)); }
    if (userName && personByUserName.has(String(userName).toLowerCase())) { return personByUserName.get(String(userName).toLowerCase()); }
    if (id === null || id === undefined || !create) { return null; }
    return addPerson({ user_id: id, user_name: userName, status: "unknown", groups: [] }, true);
  }

  var groups = data.groups.map(function (raw) {
    return { id: String(raw.group_id), name: raw.name || String(raw.group_id), members: raw.members };
  });
  var groupById = new Map(groups.map(function (group) { return [group.id, group]; }));
  var groupByName = new Map(groups.map(function (group) { return [group.name, group]; }));
  var membersByGroupName = new Map();
  people.forEach(function (person) {
    person.groups.forEach(function (name) {
      if (!membersByGroupName.has(name)) { membersByGroupName.set(name, []); }
      membersByGroupName.get(name).push(person);
    });
  });

  var permissionSetNames = data.permission_sets.map(function (permissionSet) { return permissionSet.name; });
  var permissionSetByName = new Map(data.permission_sets.map(function (permissionSet) { return [permissionSet.name, permissionSet]; }));

  var cells = new Map();
  function cellFor(person, account) {
    var key = person.index * KEY_STRIDE + account.index;
    var cell = cells.get(key);
    if (!cell) {
      cell = { person: person, account: account, entries: [], findings: [], rank: 0 };
      cells.set(key, cell);
      person.cells.push(cell);
      account.cells.push(cell);
    }
    return cell;
  }

  data.inventory.forEach(function (row) {
    var person = personFor(row.user_id, row.user_name, true);
    var account = accountFor(row.account_id, row.account_name);
    cellFor(person, account).entries.push(row);
  });

  // Findings: to a matrix cell when they name a principal (a user, or a group the person is
  // in) and an account; to a person row when they name only a user; to an account column
  // when they name only an account (docs/reference/audit-json.md, "HTML consumer notes").
  var findings = data.findings.map(function (raw, index) {
    return { raw: raw, index: index, rank: SEVERITY_RANK[raw.severity] || 0, cells: [], person: null, account: null };
  });
  findings.forEach(function (finding) {
    var raw = finding.raw;
    var principal = raw.principal;
    var account = raw.account ? accountFor(raw.account.id, raw.account.name) : null;
    var persons = [];
    if (principal && principal.type === "USER") {
      var person = personFor(principal.id, principal.name, false);
      if (person) { persons = [person]; finding.person = person; }
    } else if (principal && principal.type === "GROUP") {
      var group = (principal.id && groupById.get(String(principal.id))) || null;
      var name = group ? group.name : principal.name;
      persons = (name && membersByGroupName.get(name)) || [];
    }
    finding.account = account;
    if (account && persons.length) {
      persons.forEach(function (member) {
        var cell = cellFor(member, account);
        cell.findings.push(finding);
        cell.rank = Math.max(cell.rank, finding.rank);
        finding.cells.push(cell);
      });
    } else if (finding.person) {
      finding.person.findings.push(finding);
      finding.person.rank = Math.max(finding.person.rank, finding.rank);
    } else if (account) {
      // Only an account, or a principal that is no person here (an IAM user, a group
      // without members): the finding belongs to the account's column.
      account.findings.push(finding);
      account.rank = Math.max(account.rank, finding.rank);
    }
  });
  cells.forEach(function (cell) {
    cell.person.rank = Math.max(cell.person.rank, cell.rank);
    cell.entries.sort(function (left, right) { return compareText(left.permission_set, right.permission_set); });
  });

  // Short labels for permission sets, shown as chips in the cells (the legend and every
  // tooltip give the full names).
  var abbreviations = new Map();
  (function () {
    var names = permissionSetNames.slice();
    var known = new Set(names);
    data.inventory.forEach(function (row) {
      if (!known.has(row.permission_set)) { known.add(row.permission_set); names.push(row.permission_set); }
    });
    // Initials first ("AdministratorAccess" → "AA"); names whose initials collide all get
    // a longer form ("SandboxAdmin" → "SanA", "SecurityAudit" → "SecA"), then a number.
    function words(name) {
      return String(name).replace(/([a-z0-9])([A-Z])/g, "$1 $2").split(/[^A-Za-z0-9]+/).filter(Boolean);
    }
    function initials(name) {
      var parts = words(name);
      if (parts.length < 2) { var word = parts[0] || String(name); return word.charAt(0).toUpperCase() + word.slice(1, 3); }
      return parts.map(function (word) { return word.charAt(0).toUpperCase(); }).join("").slice(0, 4);
    }
    function longer(name) {
      var parts = words(name);
      if (parts.length < 2) { var word = parts[0] || String(name); return word.charAt(0).toUpperCase() + word.slice(1, 5); }
      return parts[0].charAt(0).toUpperCase() + parts[0].slice(1, 3) + parts.slice(1).map(function (word) { return word.charAt(0).toUpperCase(); }).join("").slice(0, 3);
    }
    var counts = new Map();
    names.forEach(function (name) { var short = initials(name); counts.set(short, (counts.get(short) || 0) + 1); });
    var taken = new Set();
    names.forEach(function (name) {
      var candidate = counts.get(initials(name)) > 1 ? longer(name) : initials(name);
      var label = candidate;
      var suffix = 2;
      while (taken.has(label)) { label = candidate + suffix; suffix += 1; }
      taken.add(label);
      abbreviations.set(name, label);
    });
  })();
  function abbreviation(name) { return abbreviations.get(name) || String(name).slice(0, 3); }

  var ouPrefixes = (function () {
    var counts = new Map();
    accounts.forEach(function (account) {
      if (!account.ou) { return; }
      var parts = account.ou.split("/");
      for (var length = 1; length <= parts.length; length += 1) {
        var prefix = parts.slice(0, length).join("/");
        if (prefix === "" || prefix === "/") { continue; }
        counts.set(prefix, (counts.get(prefix) || 0) + 1);
      }
    });
    return Array.from(counts.keys()).sort().map(function (ou) { return { ou: ou, count: counts.get(ou) }; });
  })();
  function inOu(account, ou) { return account.ou === ou || account.ou.indexOf(ou + "/") === 0; }

  // ---------------------------------------------------------------- state and the URL hash

  var DEFAULTS = {
    tab: "matrix", q: "", ou: "", ps: "", group: "", sev: "", status: "", empty: "",
    rows: "name", cols: "ou", fq: "", fsev: "", frule: "", open: ""
  };
  var state = Object.assign({}, DEFAULTS);
  var lastHash = null;

  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    state = Object.assign({}, DEFAULTS);
    Object.keys(DEFAULTS).forEach(function (key) {
      if (params.has(key)) { state[key] = params.get(key); }
    });
    // Values that no longer mean anything in this report are dropped, not kept silently.
    if (["matrix", "findings", "iam", "changes"].indexOf(state.tab) < 0) { state.tab = "matrix"; }
    if (state.tab === "changes" && !data.baseline) { state.tab = "matrix"; }
    if (state.ps && !abbreviations.has(state.ps)) { state.ps = ""; }
    if (state.group && !membersByGroupName.has(state.group) && !groupByName.has(state.group)) { state.group = ""; }
    if (state.sev && !SEVERITY_RANK[state.sev]) { state.sev = ""; }
    if (state.fsev && !SEVERITY_RANK[state.fsev]) { state.fsev = ""; }
    if (["name", "access", "severity", "status"].indexOf(state.rows) < 0) { state.rows = "name"; }
    if (["ou", "name", "people"].indexOf(state.cols) < 0) { state.cols = "ou"; }
  }
  function writeHash() {
    var params = new URLSearchParams();
    Object.keys(DEFAULTS).forEach(function (key) {
      if (state[key] !== DEFAULTS[key]) { params.set(key, state[key]); }
    });
    var hash = params.toString();
    lastHash = hash;
    var url = location.pathname + location.search + (hash ? "#" + hash : "");
    try {
      history.replaceState(null, "", url);
    } catch (error) {
      // Some browsers refuse replaceState on file:// URLs; the hash still works.
      location.hash = hash;
    }
  }
  function setState(changes) {
    Object.assign(state, changes);
    writeHash();
  }

  // ---------------------------------------------------------------- header and tabs

  function renderHeader() {
    var organization = data.organization || {};
    var summary = data.summary || {};
    var counts = (summary.findings) || {};
    var deletedPeople = people.filter(function (person) { return person.status === "deleted"; }).length;
    var management = organization.management_account_id ? accountById.get(String(organization.management_account_id)) : null;
    document.title = "Access review — " + (organization.id || "organization") + " — " + formatTime(data.generated_at);
    var html = "<div><h1><span class=\"brand\">monban ·</span> Access review</h1><div class=\"meta\">" +
      "<span>Organization <b>" + esc(organization.id || "unknown") + "</b></span>" +
      (organization.management_account_id ? "<span>Management account <b>" + esc(management ? management.name + " (" + management.id + ")" : organization.management_account_id) + "</b></span>" : "") +
      "<span>Target <b>" + esc(data.target) + "</b></span>" +
      "<span>Generated <b id=\"generated-at\">" + esc(formatTime(data.generated_at)) + "</b></span>" +
      "<span>Access repo <b>" + (data.repo ? "compared" : "not compared") + "</b></span>" +
      (data.monban_version ? "<span>monban <b>" + esc(data.monban_version) + "</b></span>" : "") +
      "</div></div>";
    html += "<div class=\"totals\">" +
      total(summary.people, deletedPeople ? "people (+" + deletedPeople + " deleted)" : "people") + total(summary.accounts, "accounts") +
      total(summary.assignments, "assignments") + total(summary.inventory_rows, "access rows") + "</div>";
    html += "<div class=\"severity-badges\" id=\"severity-badges\"><span class=\"label\">Findings</span>";
    SEVERITIES.forEach(function (severity) {
      var count = counts[severity] || 0;
      html += "<button type=\"button\" class=\"badge sev-" + severity + (count ? "" : " zero") + "\" data-severity=\"" + severity + "\"" +
        " title=\"Show the " + severity + " findings\">" + SEVERITY_LABEL[severity] +
        " <span class=\"count\">" + count.toLocaleString("en") + "</span><span class=\"visually-hidden\"> findings: show them</span></button>";
    });
    if (data.iam_users.length) {
      html += "<span class=\"label\" style=\"margin-left:10px\">IAM users</span><button type=\"button\" class=\"badge zero\" data-tab-link=\"iam\">" + data.iam_users.length + "</button>";
    }
    html += "</div>";
    byId("report-header").innerHTML = html;
    byId("report-header").addEventListener("click", function (event) {
      var badge = event.target.closest("[data-severity]");
      if (badge) {
        setState({ tab: "findings", fsev: badge.getAttribute("data-severity"), frule: "", fq: "" });
        renderAll();
        return;
      }
      var link = event.target.closest("[data-tab-link]");
      if (link) { setState({ tab: link.getAttribute("data-tab-link") }); renderAll(); }
    });
  }
  function total(value, label) {
    return "<div class=\"total\"><span class=\"number\">" + esc(value === undefined ? "—" : Number(value).toLocaleString("en")) + "</span><span class=\"label\">" + esc(label) + "</span></div>";
  }

  var TABS = [
    { id: "matrix", label: "Access matrix" },
    { id: "findings", label: "Findings" },
    { id: "iam", label: "IAM users" },
    { id: "changes", label: "Changes since baseline" }
  ];
  function renderTabs() {
    var html = "";
    TABS.forEach(function (tab) {
      if (tab.id === "changes" && !data.baseline) { return; }
      var count = tab.id === "findings" ? data.findings.length : tab.id === "iam" ? data.iam_users.length : null;
      html += "<button type=\"button\" role=\"tab\" id=\"tab-" + tab.id + "\" aria-controls=\"panel-" + tab.id + "\" data-tab=\"" + tab.id + "\">" +
        esc(tab.label) + (count === null ? "" : "<span class=\"count\">" + count.toLocaleString("en") + "</span>") + "</button>";
    });
    var tabs = byId("tabs");
    tabs.innerHTML = html;
    tabs.addEventListener("click", function (event) {
      var button = event.target.closest("[data-tab]");
      if (button) { setState({ tab: button.getAttribute("data-tab") }); renderAll(); }
    });
    tabs.addEventListener("keydown", function (event) {
      var buttons = Array.prototype.slice.call(tabs.querySelectorAll("[data-tab]"));
      var index = buttons.indexOf(document.activeElement);
      if (index < 0) { return; }
      var next = null;
      if (event.key === "ArrowRight") { next = buttons[(index + 1) % buttons.length]; }
      if (event.key === "ArrowLeft") { next = buttons[(index - 1 + buttons.length) % buttons.length]; }
      if (event.key === "Home") { next = buttons[0]; }
      if (event.key === "End") { next = buttons[buttons.length - 1]; }
      if (next) {
        event.preventDefault();
        setState({ tab: next.getAttribute("data-tab") });
        renderAll();
        next.focus();
      }
    });
  }
  function showTab() {
    TABS.forEach(function (tab) {
      var button = byId("tab-" + tab.id);
      var panel = byId("panel-" + tab.id);
      var selected = tab.id === state.tab;
      if (button) {
        button.setAttribute("aria-selected", selected ? "true" : "false");
        button.tabIndex = selected ? 0 : -1;
      }
      panel.hidden = !selected;
    });
  }

  // ---------------------------------------------------------------- the matrix: filters

  var view = { rows: [], columns: [], cellCount: 0, rowAccess: null, columnAccess: null };
  var grid = { rowHeight: 38, columnWidth: 128, rowHeaderWidth: 260, window: null, focusRow: 0, focusColumn: 0 };

  function entryPasses(entry) {
    if (state.ps && entry.permission_set !== state.ps) { return false; }
    if (state.group && !(entry.via && entry.via.kind === "group" && entry.via.group_name === state.group)) { return false; }
    return true;
  }
  // The entries of a cell that the permission-set and group filters let through.
  function visibleEntries(cell) {
    if (!state.ps && !state.group) { return cell.entries; }
    return cell.entries.filter(entryPasses);
  }
  function cellPasses(cell) {
    if (state.sev && cell.rank < SEVERITY_RANK[state.sev]) { return false; }
    if (!state.ps && !state.group) { return cell.entries.length > 0 || cell.findings.length > 0; }
    return cell.entries.some(entryPasses);
  }
  function statusPasses(person) {
    if (!state.status) { return true; }
    if (state.status === "leavers") { return person.status === "disabled" || person.status === "deleted"; }
    return person.status === state.status;
  }

  function computeView() {
    var query = state.q.trim().toLowerCase();
    var personMatches = 0;
    var accountMatches = 0;
    var personMatch = null;
    var accountMatch = null;
    if (query) {
      personMatch = new Uint8Array(people.length);
      accountMatch = new Uint8Array(accounts.length);
      people.forEach(function (person) { if (person.search.indexOf(query) >= 0) { personMatch[person.index] = 1; personMatches += 1; } });
      accounts.forEach(function (account) { if (account.search.indexOf(query) >= 0) { accountMatch[account.index] = 1; accountMatches += 1; } });
    }
    // A search narrows the people when it matches a person, and the accounts when it matches
    // an account; one that matches neither shows nothing.
    var rowOk = new Uint8Array(people.length);
    people.forEach(function (person) {
      var searchOk = !query || (personMatches ? personMatch[person.index] === 1 : accountMatches > 0);
      rowOk[person.index] = searchOk && statusPasses(person) && (!state.group || person.groupSet.has(state.group)) ? 1 : 0;
    });
    var columnOk = new Uint8Array(accounts.length);
    accounts.forEach(function (account) {
      var searchOk = !query || (accountMatches ? accountMatch[account.index] === 1 : personMatches > 0);
      columnOk[account.index] = searchOk && (!state.ou || inOu(account, state.ou)) ? 1 : 0;
    });
    // Filters on what a cell holds (permission set, group, severity) hide the people and
    // accounts left with nothing to show; "hide empty" does the same on demand.
    var hideEmpty = !!(state.ps || state.group || state.sev || state.empty);
    var rowAccess = new Uint32Array(people.length);
    var columnAccess = new Uint32Array(accounts.length);
    var cellCount = 0;
    cells.forEach(function (cell) {
      if (!rowOk[cell.person.index] || !columnOk[cell.account.index] || !cellPasses(cell)) { return; }
      rowAccess[cell.person.index] += 1;
      columnAccess[cell.account.index] += 1;
      cellCount += 1;
    });
    var rows = people.filter(function (person) {
      if (!rowOk[person.index]) { return false; }
      if (!hideEmpty || rowAccess[person.index] > 0) { return true; }
      // A person-level finding (a disabled user, say) keeps its row under a severity filter.
      return !!state.sev && !state.ps && !state.group && person.findings.some(function (finding) { return finding.rank >= SEVERITY_RANK[state.sev]; });
    });
    var columns = accounts.filter(function (account) {
      return columnOk[account.index] && (!hideEmpty || columnAccess[account.index] > 0);
    });
    var statusOrder = { deleted: 0, disabled: 1, unknown: 2, enabled: 3 };
    rows.sort(function (left, right) {
      if (state.rows === "access") {
        var byAccess = rowAccess[right.index] - rowAccess[left.index];
        if (byAccess) { return byAccess; }
      } else if (state.rows === "severity") {
        var bySeverity = right.rank - left.rank || rowAccess[right.index] - rowAccess[left.index];
        if (bySeverity) { return bySeverity; }
      } else if (state.rows === "status") {
        var byStatus = (statusOrder[left.status] || 0) - (statusOrder[right.status] || 0);
        if (byStatus) { return byStatus; }
      }
      return compareText(left.sortName, right.sortName) || compareText(left.id, right.id);
    });
    columns.sort(function (left, right) {
      if (state.cols === "ou") {
        var byOu = compareText(left.ou, right.ou);
        if (byOu) { return byOu; }
      } else if (state.cols === "people") {
        var byPeople = columnAccess[right.index] - columnAccess[left.index];
        if (byPeople) { return byPeople; }
      }
      return compareText(left.name.toLowerCase(), right.name.toLowerCase()) || compareText(left.id, right.id);
    });
    view = { rows: rows, columns: columns, cellCount: cellCount, rowAccess: rowAccess, columnAccess: columnAccess };
  }

  // ---------------------------------------------------------------- the matrix: panel

  function option(value, label, selected) {
    return "<option value=\"" + esc(value) + "\"" + (selected ? " selected" : "") + ">" + esc(label) + "</option>";
  }
  function buildMatrixPanel() {
    var panel = byId("panel-matrix");
    var html = "<h2 class=\"print-title\">Access matrix</h2><form class=\"toolbar\" id=\"matrix-filters\" role=\"search\" onsubmit=\"return false\">";
    html += "<label class=\"field\"><span>Search</span><input type=\"search\" id=\"search\" placeholder=\"Person, e-mail or account\" title=\"Search people and accounts (press / to come here)\" aria-keyshortcuts=\"/\" autocomplete=\"off\"></label>";
    html += "<label class=\"field\"><span>OU</span><select id=\"filter-ou\">" + option("", "All OUs") +
      ouPrefixes.map(function (entry) {
        var depth = ouLabel(entry.ou) === "Root" ? 0 : ouLabel(entry.ou).split("/").length;
        return option(entry.ou, "\u00a0\u00a0".repeat(Math.max(0, depth - 1)) + ouLabel(entry.ou) + " (" + entry.count + ")");
      }).join("") + "</select></label>";
    html += "<label class=\"field\"><span>Permission set</span><select id=\"filter-ps\">" + option("", "All permission sets") +
      Array.from(abbreviations.keys()).sort().map(function (name) { return option(name, name + " (" + abbreviation(name) + ")"); }).join("") + "</select></label>";
    var groupNames = Array.from(new Set(groups.map(function (group) { return group.name; }).concat(Array.from(membersByGroupName.keys())))).sort();
    html += "<label class=\"field\"><span>Group</span><select id=\"filter-group\">" + option("", "All groups") +
      groupNames.map(function (name) {
        var members = membersByGroupName.has(name) ? membersByGroupName.get(name).length : 0;
        return option(name, name + " (" + members + ")");
      }).join("") + "</select></label>";
    html += "<label class=\"field\"><span>Findings</span><select id=\"filter-sev\">" + option("", "Any access") +
      option("critical", "Critical") + option("high", "High or worse") + option("medium", "Medium or worse") +
      option("low", "Low or worse") + option("info", "Any finding") + "</select></label>";
    html += "<label class=\"field\"><span>People</span><select id=\"filter-status\">" + option("", "Everyone") +
      option("enabled", "Enabled") + option("leavers", "Disabled or deleted") + option("disabled", "Disabled") + option("deleted", "Deleted") + "</select></label>";
    html += "<label class=\"field\"><span>Sort people</span><select id=\"sort-rows\">" + option("name", "By name") +
      option("access", "Most accounts first") + option("severity", "Worst finding first") + option("status", "Leavers first") + "</select></label>";
    html += "<label class=\"field\"><span>Sort accounts</span><select id=\"sort-columns\">" + option("ou", "By OU") +
      option("name", "By name") + option("people", "Most people first") + "</select></label>";
    html += "<label class=\"check\"><input type=\"checkbox\" id=\"hide-empty\"> Hide empty rows and columns</label>";
    html += "<button type=\"button\" class=\"button\" id=\"reset-filters\">Reset</button>";
    html += "</form>";
    html += "<div class=\"status-line\"><div id=\"matrix-status\" aria-live=\"polite\"></div><div class=\"legend\" id=\"matrix-legend\"></div></div>";
    html += "<div class=\"matrix-scroll\" id=\"matrix-scroll\"></div>";
    panel.innerHTML = html;

    var searchTimer = null;
    byId("search").addEventListener("input", function (event) {
      var value = event.target.value;
      clearTimeout(searchTimer);
      // Large reports: wait for a pause in typing before filtering 100,000s of cells.
      searchTimer = setTimeout(function () { setState({ q: value }); updateMatrix(true); }, cells.size > 50000 ? 200 : 60);
    });
    [["filter-ou", "ou"], ["filter-ps", "ps"], ["filter-group", "group"], ["filter-sev", "sev"], ["filter-status", "status"], ["sort-rows", "rows"], ["sort-columns", "cols"]].forEach(function (pair) {
      byId(pair[0]).addEventListener("change", function (event) {
        var changes = {};
        changes[pair[1]] = event.target.value;
        setState(changes);
        updateMatrix(true);
      });
    });
    byId("hide-empty").addEventListener("change", function (event) { setState({ empty: event.target.checked ? "1" : "" }); updateMatrix(true); });
    byId("reset-filters").addEventListener("click", function () {
      setState({ q: "", ou: "", ps: "", group: "", sev: "", status: "", empty: "", rows: "name", cols: "ou" });
      updateMatrix(true);
      byId("search").focus();
    });

    var legend = "<span><span class=\"swatch\" style=\"background:var(--cell-plain)\"></span>access, no finding</span>";
    SEVERITIES.forEach(function (severity) {
      legend += "<span><span class=\"swatch\" style=\"background:var(--cell-" + severity + ");border-left:3px solid var(--" + severity + ")\"></span>" + SEVERITY_LABEL[severity] + "</span>";
    });
    if (data.repo) {
      legend += "<span><span class=\"chip live-only\">PS</span> live only</span><span><span class=\"chip declared-missing\">PS</span> missing live</span>";
    }
    legend += "<details><summary>Permission sets</summary>" + Array.from(abbreviations.keys()).sort().map(function (name) {
      return "<div><span class=\"chip\">" + esc(abbreviation(name)) + "</span> " + esc(name) + "</div>";
    }).join("") + "</details>";
    byId("matrix-legend").innerHTML = legend;

    var scroller = byId("matrix-scroll");
    var pending = false;
    scroller.addEventListener("scroll", function () {
      if (pending) { return; }
      pending = true;
      requestAnimationFrame(function () { pending = false; paintGrid(false); });
    });
    // The column and row sizes are CSS variables that a narrow screen changes.
    window.addEventListener("resize", function () { measureGrid(); paintGrid(true); });
    scroller.addEventListener("click", onGridClick);
    scroller.addEventListener("keydown", onGridKey);
    scroller.addEventListener("focusin", function (event) {
      var position = positionOf(event.target);
      if (position) { grid.focusRow = position.row; grid.focusColumn = position.column; }
    });
  }

  function syncControls() {
    if (byId("search").value !== state.q) { byId("search").value = state.q; }
    byId("filter-ou").value = state.ou;
    byId("filter-ps").value = state.ps;
    byId("filter-group").value = state.group;
    byId("filter-sev").value = state.sev;
    byId("filter-status").value = state.status;
    byId("sort-rows").value = state.rows;
    byId("sort-columns").value = state.cols;
    byId("hide-empty").checked = !!state.empty;
  }

  function updateMatrix(filtersChanged) {
    computeView();
    syncControls();
    var status = byId("matrix-status");
    var filtered = view.rows.length !== people.length || view.columns.length !== accounts.length;
    status.innerHTML = "Showing <strong id=\"shown-people\">" + view.rows.length.toLocaleString("en") + "</strong> of " + plural(people.length, "person", "people") +
      " × <strong id=\"shown-accounts\">" + view.columns.length.toLocaleString("en") + "</strong> of " + plural(accounts.length, "account") +
      " · <strong id=\"shown-cells\">" + view.cellCount.toLocaleString("en") + "</strong> " + (view.cellCount === 1 ? "cell" : "cells") + " with access" +
      (filtered ? " · filtered" : "");
    status.setAttribute("data-people", String(view.rows.length));
    status.setAttribute("data-accounts", String(view.columns.length));
    status.setAttribute("data-cells", String(view.cellCount));
    if (filtersChanged) {
      grid.focusRow = Math.min(grid.focusRow, Math.max(0, view.rows.length - 1));
      grid.focusColumn = Math.min(grid.focusColumn, Math.max(0, view.columns.length - 1));
    }
    paintGrid(true);
  }

  // ---------------------------------------------------------------- the matrix: the virtual grid

  function measureGrid() {
    var style = getComputedStyle(document.documentElement);
    grid.rowHeight = parseFloat(style.getPropertyValue("--row-height")) || 38;
    grid.columnWidth = parseFloat(style.getPropertyValue("--column-width")) || 128;
    grid.rowHeaderWidth = parseFloat(style.getPropertyValue("--row-header-width")) || 260;
  }

  var printing = false;
  function visibleWindow(scroller) {
    var rows = view.rows.length;
    var columns = view.columns.length;
    if (printing) {
      // Print everything that fits on paper sensibly; the screen shows the rest.
      return { row0: 0, row1: Math.min(rows, 400), column0: 0, column1: Math.min(columns, 40) };
    }
    var headerHeight = OU_HEADER_HEIGHT + ACCOUNT_HEADER_HEIGHT;
    var height = scroller.clientHeight || 600;
    var width = scroller.clientWidth || 1000;
    var row0 = Math.max(0, Math.floor(scroller.scrollTop / grid.rowHeight) - OVERSCAN_ROWS);
    var row1 = Math.min(rows, Math.ceil((scroller.scrollTop + height - headerHeight) / grid.rowHeight) + OVERSCAN_ROWS);
    var column0 = Math.max(0, Math.floor(scroller.scrollLeft / grid.columnWidth) - OVERSCAN_COLUMNS);
    var column1 = Math.min(columns, Math.ceil((scroller.scrollLeft + width - grid.rowHeaderWidth) / grid.columnWidth) + OVERSCAN_COLUMNS);
    return { row0: row0, row1: Math.max(row0, row1), column0: column0, column1: Math.max(column0, column1) };
  }

  function cellTitle(entries, cell) {
    var lines = entries.map(function (entry) {
      return entry.permission_set + " — " + (entry.via && entry.via.kind === "group" ? "via group " + (entry.via.group_name || entry.via.group_id) : "direct") +
        (entry.state ? " (" + (STATE_LABEL[entry.state] || entry.state) + ")" : "");
    });
    if (cell && cell.findings.length) { lines.push(plural(cell.findings.length, "finding") + ", worst " + SEVERITIES[5 - cell.rank]); }
    return lines.join("\n");
  }

  function paintGrid(force) {
    var scroller = byId("matrix-scroll");
    if (!scroller || byId("panel-matrix").hidden && !printing) { return; }
    if (!view.rows.length || !view.columns.length) {
      grid.window = null;
      scroller.innerHTML = "<div class=\"empty-state\" id=\"matrix-empty\">" +
        (people.length && accounts.length ? "Nothing matches these filters. <button type=\"button\" class=\"link-button\" data-action=\"reset\">Reset the filters</button>" : "The report holds no people or no accounts.") + "</div>";
      return;
    }
    var window_ = visibleWindow(scroller);
    var previous = grid.window;
    if (!force && previous && previous.row0 === window_.row0 && previous.row1 === window_.row1 &&
        previous.column0 === window_.column0 && previous.column1 === window_.column1) {
      return;
    }
    grid.window = window_;
    var hadFocus = scroller.contains(document.activeElement) && document.activeElement !== scroller;
    var columnWidth = grid.columnWidth;
    var rowHeight = grid.rowHeight;
    var columnCount = view.columns.length;
    var leftSpace = window_.column0 * columnWidth;
    var rightSpace = (columnCount - window_.column1) * columnWidth;
    var spanAll = 1 + (leftSpace ? 1 : 0) + (window_.column1 - window_.column0) + (rightSpace ? 1 : 0);
    var out = [];
    out.push("<table class=\"matrix\" id=\"matrix\" role=\"grid\" aria-label=\"Access matrix: people by accounts\" aria-rowcount=\"" + (view.rows.length + 2) +
      "\" aria-colcount=\"" + (columnCount + 1) + "\" style=\"width:" + (grid.rowHeaderWidth + columnCount * columnWidth) + "px\">");
    out.push("<colgroup><col style=\"width:" + grid.rowHeaderWidth + "px\">");
    if (leftSpace) { out.push("<col style=\"width:" + leftSpace + "px\">"); }
    for (var c = window_.column0; c < window_.column1; c += 1) { out.push("<col style=\"width:" + columnWidth + "px\">"); }
    if (rightSpace) { out.push("<col style=\"width:" + rightSpace + "px\">"); }
    out.push("</colgroup><thead>");

    // OU row: one header cell per run of columns in the same OU (within the window).
    out.push("<tr class=\"ou-row\" aria-rowindex=\"1\"><th class=\"corner\" rowspan=\"2\" scope=\"col\" aria-colindex=\"1\">" +
      "<div style=\"font-weight:600;color:var(--text)\">People</div><div class=\"muted\" style=\"font-weight:400;font-size:12px\">" +
      esc(view.rows.length.toLocaleString("en")) + " × " + esc(columnCount.toLocaleString("en")) + " accounts →</div></th>");
    if (leftSpace) { out.push("<th class=\"spacer\" aria-hidden=\"true\"></th>"); }
    var run = 0;
    for (c = window_.column0; c < window_.column1; c += run) {
      var ou = view.columns[c].ou;
      run = 1;
      while (c + run < window_.column1 && view.columns[c + run].ou === ou) { run += 1; }
      out.push("<th colspan=\"" + run + "\" aria-hidden=\"true\" title=\"" + esc(ou) + "\"><span class=\"ou-label\">" + esc(ouLabel(ou)) + "</span></th>");
    }
    if (rightSpace) { out.push("<th class=\"spacer\" aria-hidden=\"true\"></th>"); }
    out.push("</tr><tr class=\"account-row\" aria-rowindex=\"2\">");
    if (leftSpace) { out.push("<th class=\"spacer\" aria-hidden=\"true\"></th>"); }
    for (c = window_.column0; c < window_.column1; c += 1) {
      var account = view.columns[c];
      var marks = "";
      if (account.management) { marks += "<span class=\"badge small tag-management\" title=\"management account\">mgmt</span>"; }
      if (account.rank) { marks += severityDot(SEVERITIES[5 - account.rank], plural(account.findings.length, "finding") + " on this account"); }
      out.push("<th scope=\"col\" role=\"columnheader\" aria-colindex=\"" + (c + 2) + "\"><button type=\"button\" class=\"column-head\" tabindex=\"-1\" data-row=\"-1\" data-column=\"" + c + "\" data-account-id=\"" + esc(account.id) + "\"" +
        " title=\"" + esc(account.name + " (" + account.id + ")\nOU " + ouLabel(account.ou) + (account.status && account.status !== "ACTIVE" ? "\n" + account.status : "")) + "\">" +
        "<span class=\"name\">" + esc(account.name) + "</span><span class=\"sub\">" + esc(account.id) + marks + "</span></button></th>");
    }
    if (rightSpace) { out.push("<th class=\"spacer\" aria-hidden=\"true\"></th>"); }
    out.push("</tr></thead><tbody>");

    if (window_.row0 > 0) {
      out.push("<tr aria-hidden=\"true\" class=\"spacer-row\" style=\"height:" + window_.row0 * rowHeight + "px\"><td class=\"spacer\" colspan=\"" + spanAll + "\"></td></tr>");
    }
    for (var r = window_.row0; r < window_.row1; r += 1) {
      var person = view.rows[r];
      var personMarks = statusBadge(person.status);
      if (person.findings.length) {
        var worst = person.findings.reduce(function (rank, finding) { return Math.max(rank, finding.rank); }, 0);
        personMarks += severityDot(SEVERITIES[5 - worst], plural(person.findings.length, "finding") + " on this person (worst " + SEVERITIES[5 - worst] + ")");
      }
      out.push("<tr class=\"person-" + esc(person.status) + "\" aria-rowindex=\"" + (r + 3) + "\" data-person=\"" + person.index + "\" data-user-id=\"" + esc(person.id) + "\">" +
        "<th scope=\"row\" role=\"rowheader\" aria-colindex=\"1\"><button type=\"button\" class=\"row-head\" tabindex=\"-1\" data-row=\"" + r + "\" data-column=\"-1\" title=\"" +
        esc(person.name + (person.userName && person.userName !== person.name ? "\n" + person.userName : "") + (person.email && person.email !== person.userName ? "\n" + person.email : "") +
          (person.groups.length ? "\nGroups: " + person.groups.join(", ") : "")) + "\">" +
        "<span class=\"who\"><span class=\"name\">" + esc(person.name) + "</span><span class=\"sub\">" + esc(person.email || person.userName || person.id) + "</span></span>" +
        (personMarks ? "<span class=\"marks\">" + personMarks + "</span>" : "") + "</button></th>");
      if (leftSpace) { out.push("<td class=\"spacer\" aria-hidden=\"true\"></td>"); }
      for (c = window_.column0; c < window_.column1; c += 1) {
        var column = view.columns[c];
        var cell = cells.get(person.index * KEY_STRIDE + column.index);
        var shown = cell && cellPasses(cell) ? cell : null;
        var entries = shown ? visibleEntries(shown) : [];
        var classes = "cell";
        var inner = "";
        if (shown) {
          classes += " has-access";
          if (shown.rank) { classes += " sev-cell-" + SEVERITIES[5 - shown.rank]; }
          var seen = new Map();
          entries.forEach(function (entry) {
            var states = seen.get(entry.permission_set) || new Set();
            if (entry.state) { states.add(entry.state); }
            seen.set(entry.permission_set, states);
          });
          var chips = [];
          var spoken = [];
          seen.forEach(function (states, name) {
            var chipClass = "chip";
            if (states.size && !states.has("declared")) {
              chipClass += states.has("live-only") ? " live-only" : " declared-missing";
            }
            chips.push("<span class=\"" + chipClass + "\" aria-hidden=\"true\">" + esc(abbreviation(name)) + "</span>");
            spoken.push(name + (chipClass.indexOf("live-only") >= 0 ? " (live only)" : chipClass.indexOf("declared-missing") >= 0 ? " (missing live)" : ""));
          });
          if (!chips.length && shown.findings.length) { chips.push("<span class=\"chip more\" aria-hidden=\"true\">finding</span>"); }
          // Three chips fit a normal column, two a narrow one; the rest is "+N".
          var fit = grid.columnWidth >= 120 ? CHIPS_PER_CELL : CHIPS_PER_CELL - 1;
          if (chips.length > fit) {
            var hidden = chips.length - (fit - 1);
            chips = chips.slice(0, fit - 1);
            chips.push("<span class=\"chip more\" aria-hidden=\"true\">+" + hidden + "</span>");
          }
          // The chips are short for the eye; the cell's accessible text names every
          // permission set in full (the grid's headers say who and where).
          inner = "<div class=\"chips\">" + chips.join("") + "</div><span class=\"visually-hidden\">" +
            esc((spoken.length ? spoken.join(", ") : "findings only") + (shown.rank ? "; worst finding " + SEVERITIES[5 - shown.rank] : "")) + "</span>";
        }
        var focused = r === grid.focusRow && c === grid.focusColumn;
        var selected = state.open === "cell:" + person.id + ":" + column.id;
        out.push("<td class=\"" + classes + (selected ? " selected" : "") + "\" role=\"gridcell\" aria-colindex=\"" + (c + 2) + "\" tabindex=\"" + (focused ? 0 : -1) + "\"" +
          " data-row=\"" + r + "\" data-column=\"" + c + "\"" +
          (shown ? " title=\"" + esc(cellTitle(entries, shown)) + "\"" : "") +
          ">" + (inner || "<span class=\"visually-hidden\">no access</span>") + "</td>");
      }
      if (rightSpace) { out.push("<td class=\"spacer\" aria-hidden=\"true\"></td>"); }
      out.push("</tr>");
    }
    if (window_.row1 < view.rows.length) {
      out.push("<tr aria-hidden=\"true\" class=\"spacer-row\" style=\"height:" + (view.rows.length - window_.row1) * rowHeight + "px\"><td class=\"spacer\" colspan=\"" + spanAll + "\"></td></tr>");
    }
    out.push("</tbody></table>");
    scroller.innerHTML = out.join("");
    // Keep one tab stop inside the grid (roving tabindex), even after scrolling away from it.
    if (!scroller.querySelector("[tabindex=\"0\"]")) {
      var first = scroller.querySelector("td.cell");
      if (first) { first.tabIndex = 0; }
    }
    if (hadFocus) {
      var target = elementAt(grid.focusRow, grid.focusColumn);
      if (target) { target.focus({ preventScroll: true }); }
    }
  }

  function elementAt(row, column) {
    var scroller = byId("matrix-scroll");
    if (row === -1 && column === -1) { return null; }
    if (row === -1) { return scroller.querySelector(".column-head[data-column=\"" + column + "\"]"); }
    if (column === -1) { return scroller.querySelector(".row-head[data-row=\"" + row + "\"]"); }
    return scroller.querySelector("td.cell[data-row=\"" + row + "\"][data-column=\"" + column + "\"]");
  }
  function positionOf(element) {
    var target = element && element.closest ? element.closest("[data-row][data-column]") : null;
    if (!target) { return null; }
    return { row: Number(target.getAttribute("data-row")), column: Number(target.getAttribute("data-column")) };
  }

  function scrollIntoGridView(row, column) {
    var scroller = byId("matrix-scroll");
    var headerHeight = OU_HEADER_HEIGHT + ACCOUNT_HEADER_HEIGHT;
    if (row >= 0) {
      var top = row * grid.rowHeight;
      var visibleHeight = scroller.clientHeight - headerHeight;
      if (top < scroller.scrollTop) { scroller.scrollTop = top; }
      else if (top + grid.rowHeight > scroller.scrollTop + visibleHeight) { scroller.scrollTop = top + grid.rowHeight - visibleHeight; }
    }
    if (column >= 0) {
      var left = column * grid.columnWidth;
      var visibleWidth = scroller.clientWidth - grid.rowHeaderWidth;
      if (left < scroller.scrollLeft) { scroller.scrollLeft = left; }
      else if (left + grid.columnWidth > scroller.scrollLeft + visibleWidth) { scroller.scrollLeft = left + grid.columnWidth - visibleWidth; }
    }
  }

  function focusGrid(row, column) {
    grid.focusRow = row;
    grid.focusColumn = column;
    scrollIntoGridView(row, column);
    paintGrid(true);
    var target = elementAt(row, column);
    if (target) { target.focus({ preventScroll: true }); }
  }

  function activate(row, column) {
    if (row === -1 && column >= 0) { openDrawer("account:" + view.columns[column].id); return; }
    if (column === -1 && row >= 0) { openDrawer("person:" + view.rows[row].id); return; }
    if (row < 0 || column < 0) { return; }
    var person = view.rows[row];
    var account = view.columns[column];
    var cell = cells.get(person.index * KEY_STRIDE + account.index);
    if (cell && cellPasses(cell)) { openDrawer("cell:" + person.id + ":" + account.id); }
  }

  function onGridClick(event) {
    if (event.target.closest("[data-action=\"reset\"]")) { byId("reset-filters").click(); return; }
    var position = positionOf(event.target);
    if (!position) { return; }
    grid.focusRow = position.row;
    grid.focusColumn = position.column;
    activate(position.row, position.column);
  }

  function onGridKey(event) {
    var position = positionOf(event.target);
    if (!position) { return; }
    var row = position.row;
    var column = position.column;
    var lastRow = view.rows.length - 1;
    var lastColumn = view.columns.length - 1;
    var page = Math.max(1, Math.floor((byId("matrix-scroll").clientHeight - OU_HEADER_HEIGHT - ACCOUNT_HEADER_HEIGHT) / grid.rowHeight) - 1);
    switch (event.key) {
      case "ArrowDown": row = Math.min(lastRow, row + 1); break;
      case "ArrowUp": row = Math.max(-1, row - 1); break;
      case "ArrowRight": column = Math.min(lastColumn, column + 1); break;
      case "ArrowLeft": column = Math.max(-1, column - 1); break;
      case "PageDown": row = Math.min(lastRow, Math.max(0, row) + page); break;
      case "PageUp": row = Math.max(0, row - page); break;
      case "Home": column = -1; if (event.ctrlKey) { row = 0; } break;
      case "End": column = lastColumn; if (event.ctrlKey) { row = lastRow; } break;
      case "Enter":
      case " ":
        event.preventDefault();
        activate(row, column);
        return;
      default: return;
    }
    event.preventDefault();
    if (row === -1 && column === -1) { column = 0; }
    focusGrid(row, column);
  }

  // ---------------------------------------------------------------- the drill-down drawer

  var drawerReturnFocus = null;

  function openDrawer(what) {
    if (!document.activeElement || !byId("drawer").contains(document.activeElement)) {
      drawerReturnFocus = document.activeElement;
    }
    setState({ open: what });
    renderDrawer();
    paintGrid(true);
    var close = byId("drawer-close");
    if (close) { close.focus(); }
  }
  function closeDrawer() {
    setState({ open: "" });
    renderDrawer();
    paintGrid(true);
    if (drawerReturnFocus && document.contains(drawerReturnFocus)) {
      drawerReturnFocus.focus();
    } else if (grid.window) {
      var target = elementAt(grid.focusRow, grid.focusColumn);
      if (target) { target.focus(); }
    }
  }

  function describeVia(entry) {
    if (entry.via && entry.via.kind === "group") {
      var group = groupById.get(String(entry.via.group_id)) || groupByName.get(entry.via.group_name);
      var name = entry.via.group_name || (group && group.name) || entry.via.group_id;
      var members = group ? " (" + plural(Number(group.members) || 0, "member") + ")" : "";
      return "via group <b>" + esc(name) + "</b>" + esc(members) + ", assigned to the group on this account";
    }
    return "<b>direct</b> assignment to the user, bypassing groups";
  }

  function findingCards(list, heading) {
    if (!list.length) { return ""; }
    var sorted = list.slice().sort(function (left, right) { return right.rank - left.rank || left.index - right.index; });
    return "<h3>" + esc(heading) + " (" + list.length + ")</h3>" + sorted.map(function (finding) {
      var raw = finding.raw;
      return "<div class=\"finding-card sev-border-" + esc(raw.severity) + "\" data-finding-key=\"" + esc(raw.key) + "\"><div class=\"head\">" + severityBadge(raw.severity) +
        "<span class=\"title\">" + esc(raw.title) + "</span><span class=\"rule\">" + esc(raw.rule) + "</span></div>" +
        "<p>" + prose(raw.explanation) + "</p><p class=\"muted\"><b>Fix:</b> " + prose(raw.fix) + "</p></div>";
    }).join("");
  }

  function personFacts(person) {
    return "<dl class=\"facts\"><dt>Person</dt><dd>" + esc(person.name) + " " + statusBadge(person.status) + "</dd>" +
      (person.userName ? "<dt>User name</dt><dd>" + esc(person.userName) + "</dd>" : "") +
      (person.email && person.email !== person.userName ? "<dt>E-mail</dt><dd>" + esc(person.email) + "</dd>" : "") +
      "<dt>User id</dt><dd class=\"mono\">" + esc(person.id) + "</dd>" +
      "<dt>Groups</dt><dd>" + (person.groups.length ? person.groups.map(esc).join(", ") : "<span class=\"muted\">none</span>") + "</dd></dl>";
  }
  function accountFacts(account) {
    return "<dl class=\"facts\"><dt>Account</dt><dd>" + esc(account.name) + (account.management ? " <span class=\"badge small tag-management\">management account</span>" : "") + "</dd>" +
      "<dt>Account id</dt><dd class=\"mono\">" + esc(account.id) + "</dd>" +
      "<dt>OU</dt><dd>" + esc(ouLabel(account.ou)) + "</dd>" +
      (account.status ? "<dt>Status</dt><dd>" + esc(account.status) + "</dd>" : "") + "</dl>";
  }

  function renderDrawer() {
    var drawer = byId("drawer");
    var open = state.open;
    if (!open) { drawer.hidden = true; drawer.innerHTML = ""; return; }
    var separator = open.indexOf(":");
    var kind = open.slice(0, separator);
    var rest = open.slice(separator + 1);
    var title = "";
    var body = "";
    if (kind === "cell") {
      var split = rest.lastIndexOf(":");
      var person = personById.get(rest.slice(0, split));
      var account = accountById.get(rest.slice(split + 1));
      var cell = person && account ? cells.get(person.index * KEY_STRIDE + account.index) : null;
      if (!cell) { drawer.hidden = true; drawer.innerHTML = ""; return; }
      title = "Why can " + person.name + " reach " + account.name + "?";
      body += personFacts(person) + accountFacts(account);
      body += "<h3>Paths (" + cell.entries.length + ")</h3>";
      if (cell.entries.length) {
        body += "<ul class=\"path-list\" id=\"why-paths\">" + cell.entries.map(function (entry) {
          return "<li class=\"path\" data-permission-set=\"" + esc(entry.permission_set) + "\" data-via=\"" + esc(entry.via && entry.via.kind === "group" ? "group:" + (entry.via.group_name || entry.via.group_id) : "direct") + "\" data-state=\"" + esc(entry.state || "") + "\">" +
            "<span class=\"permission-set\"><span class=\"chip\">" + esc(abbreviation(entry.permission_set)) + "</span> " + esc(entry.permission_set) + "</span>" + stateBadge(entry.state) +
            "<span class=\"route\">" + describeVia(entry) +
            (entry.declared_in && entry.declared_in.length ? "; declared in " + entry.declared_in.map(function (where) { return "<code>" + esc(where) + "</code>"; }).join(", ") : "") +
            "</span></li>";
        }).join("") + "</ul>";
        if (!data.repo) { body += "<p class=\"muted\">No access repo was compared, so these paths are not marked declared or live-only.</p>"; }
      } else {
        body += "<p class=\"muted\">No access on this account; the findings below name this person and account.</p>";
      }
      body += findingCards(cell.findings, "Findings on this access");
      body += findingCards(person.findings, "Findings on this person");
      body += findingCards(account.findings, "Findings on this account");
      body += "<div class=\"actions\"><button type=\"button\" class=\"button\" data-open=\"person:" + esc(person.id) + "\">All access of " + esc(person.name) + "</button>" +
        "<button type=\"button\" class=\"button\" data-open=\"account:" + esc(account.id) + "\">Everyone on " + esc(account.name) + "</button></div>";
    } else if (kind === "person") {
      var who = personById.get(rest);
      if (!who) { drawer.hidden = true; drawer.innerHTML = ""; return; }
      title = "What can " + who.name + " reach?";
      body += personFacts(who);
      var reach = who.cells.filter(function (each) { return each.entries.length; }).sort(function (left, right) { return compareText(left.account.name, right.account.name); });
      body += "<h3>Access (" + plural(reach.length, "account") + ")</h3>";
      body += reach.length ? accessTable(reach, "account") : "<p class=\"muted\">No access on any account.</p>";
      var related = who.findings.slice();
      who.cells.forEach(function (each) { each.findings.forEach(function (finding) { if (related.indexOf(finding) < 0) { related.push(finding); } }); });
      body += findingCards(related, "Findings");
    } else if (kind === "account") {
      var where = accountById.get(rest);
      if (!where) { drawer.hidden = true; drawer.innerHTML = ""; return; }
      title = "Who can reach " + where.name + "?";
      body += accountFacts(where);
      var holders = where.cells.filter(function (each) { return each.entries.length; }).sort(function (left, right) { return compareText(left.person.sortName, right.person.sortName); });
      body += "<h3>People with access (" + holders.length.toLocaleString("en") + ")</h3>";
      body += holders.length ? accessTable(holders, "person") : "<p class=\"muted\">Nobody has access to this account.</p>";
      var accountRelated = where.findings.slice();
      where.cells.forEach(function (each) { each.findings.forEach(function (finding) { if (accountRelated.indexOf(finding) < 0) { accountRelated.push(finding); } }); });
      body += findingCards(accountRelated, "Findings");
    } else {
      drawer.hidden = true; drawer.innerHTML = ""; return;
    }
    drawer.innerHTML = "<div class=\"drawer-head\"><h2 id=\"drawer-title\">" + esc(title) + "</h2>" +
      "<button type=\"button\" class=\"button close\" id=\"drawer-close\" aria-label=\"Close the drill-down (Escape)\">Close ✕</button></div>" +
      "<div class=\"drawer-body\">" + body + "</div>";
    drawer.hidden = false;
  }

  function accessTable(list, show) {
    var limited = list.slice(0, DRAWER_LIST_LIMIT);
    var html = "<div class=\"table-wrap\"><table class=\"list\"><thead><tr><th>" + (show === "account" ? "Account" : "Person") +
      "</th><th>Permission sets and paths</th></tr></thead><tbody>";
    limited.forEach(function (cell) {
      var label = show === "account" ? esc(cell.account.name) + "<div class=\"muted mono\">" + esc(cell.account.id) + "</div>"
        : esc(cell.person.name) + " " + statusBadge(cell.person.status) + "<div class=\"muted\">" + esc(cell.person.email || cell.person.userName || "") + "</div>";
      html += "<tr><td>" + (cell.rank ? severityBadge(SEVERITIES[5 - cell.rank]) + " " : "") +
        "<button type=\"button\" class=\"link-button\" data-open=\"cell:" + esc(cell.person.id) + ":" + esc(cell.account.id) + "\">" + label + "</button></td><td>" +
        cell.entries.map(function (entry) {
          return "<div><span class=\"chip\">" + esc(abbreviation(entry.permission_set)) + "</span> " + esc(entry.permission_set) + " <span class=\"muted\">" +
            (entry.via && entry.via.kind === "group" ? "via " + esc(entry.via.group_name || entry.via.group_id) : "direct") + "</span> " + stateBadge(entry.state) + "</div>";
        }).join("") + "</td></tr>";
    });
    html += "</tbody></table></div>";
    if (list.length > limited.length) {
      html += "<p class=\"muted\">Showing the first " + limited.length.toLocaleString("en") + " of " + list.length.toLocaleString("en") + "; the matrix filters show the rest.</p>";
    }
    return html;
  }

  // ---------------------------------------------------------------- findings

  var findingsShown = PAGE_SIZE;
  function buildFindingsPanel() {
    var rules = new Map();
    findings.forEach(function (finding) { rules.set(finding.raw.rule, (rules.get(finding.raw.rule) || 0) + 1); });
    var html = "<h2 class=\"print-title\">Findings</h2><form class=\"toolbar\" role=\"search\" onsubmit=\"return false\">" +
      "<label class=\"field\"><span>Search</span><input type=\"search\" id=\"findings-search\" placeholder=\"Principal, account, text\" autocomplete=\"off\"></label>" +
      "<label class=\"field\"><span>Severity</span><select id=\"findings-sev\">" + option("", "All severities") +
      SEVERITIES.map(function (severity) { return option(severity, SEVERITY_LABEL[severity]); }).join("") + "</select></label>" +
      "<label class=\"field\"><span>Rule</span><select id=\"findings-rule\">" + option("", "All rules") +
      Array.from(rules.keys()).sort().map(function (rule) { return option(rule, rule + " (" + rules.get(rule) + ")"); }).join("") + "</select></label>" +
      "</form><div class=\"status-line\"><div id=\"findings-status\" aria-live=\"polite\"></div></div><div class=\"table-wrap\" id=\"findings-table-wrap\"></div>";
    byId("panel-findings").innerHTML = html;
    var timer = null;
    byId("findings-search").addEventListener("input", function (event) {
      var value = event.target.value;
      clearTimeout(timer);
      timer = setTimeout(function () { findingsShown = PAGE_SIZE; setState({ fq: value }); renderFindings(); }, 80);
    });
    byId("findings-sev").addEventListener("change", function (event) { findingsShown = PAGE_SIZE; setState({ fsev: event.target.value }); renderFindings(); });
    byId("findings-rule").addEventListener("change", function (event) { findingsShown = PAGE_SIZE; setState({ frule: event.target.value }); renderFindings(); });
    byId("findings-table-wrap").addEventListener("click", function (event) {
      if (event.target.closest("[data-action=\"more\"]")) { findingsShown += PAGE_SIZE; renderFindings(); }
    });
  }

  function findingText(raw) {
    return [raw.rule, raw.title, raw.explanation, raw.fix, raw.permission_set,
      raw.principal && raw.principal.name, raw.principal && raw.principal.id,
      raw.account && raw.account.name, raw.account && raw.account.id].join(" ").toLowerCase();
  }
  function principalLabel(finding) {
    var principal = finding.raw.principal;
    if (!principal) { return "<span class=\"muted\">—</span>"; }
    var name = principal.name || principal.id;
    var kind = principal.type === "GROUP" ? "group" : "user";
    if (finding.person) {
      return "<button type=\"button\" class=\"link-button\" data-open=\"person:" + esc(finding.person.id) + "\">" + esc(name) + "</button> " + statusBadge(finding.person.status) +
        "<div class=\"muted\">" + kind + "</div>";
    }
    return esc(name || "") + "<div class=\"muted\">" + kind + (principal.name ? "" : " (no longer exists)") + "</div>";
  }
  function accountLabel(finding) {
    var account = finding.raw.account;
    if (!account) { return "<span class=\"muted\">—</span>"; }
    return "<button type=\"button\" class=\"link-button\" data-open=\"account:" + esc(account.id) + "\">" + esc(account.name || account.id) + "</button><div class=\"muted mono\">" + esc(account.id) + "</div>";
  }

  function renderFindings() {
    if (byId("findings-search").value !== state.fq) { byId("findings-search").value = state.fq; }
    byId("findings-sev").value = state.fsev;
    byId("findings-rule").value = state.frule;
    var query = state.fq.trim().toLowerCase();
    var list = findings.filter(function (finding) {
      if (state.fsev && finding.raw.severity !== state.fsev) { return false; }
      if (state.frule && finding.raw.rule !== state.frule) { return false; }
      if (query && findingText(finding.raw).indexOf(query) < 0) { return false; }
      return true;
    });
    var limit = printing ? Math.min(list.length, 5000) : Math.min(list.length, findingsShown);
    var status = byId("findings-status");
    status.innerHTML = "Showing <strong id=\"shown-findings\">" + list.length.toLocaleString("en") + "</strong> of " + plural(findings.length, "finding");
    status.setAttribute("data-findings", String(list.length));
    if (!findings.length) {
      byId("findings-table-wrap").innerHTML = "<div class=\"empty-state\">No findings. Nothing in this organization broke a rule.</div>";
      return;
    }
    var html = "<table class=\"list\" id=\"findings-table\"><thead><tr><th>Severity</th><th>Finding</th><th>Principal</th><th>Account</th><th>Permission set</th><th class=\"no-print\"><span class=\"visually-hidden\">Actions</span></th></tr></thead><tbody>";
    for (var index = 0; index < limit; index += 1) {
      var finding = list[index];
      var raw = finding.raw;
      var why = "";
      if (finding.cells.length === 1) {
        var cell = finding.cells[0];
        why = "<button type=\"button\" class=\"button\" data-open=\"cell:" + esc(cell.person.id) + ":" + esc(cell.account.id) + "\" title=\"Why does this access exist?\">Why?</button>";
      } else if (finding.cells.length > 1) {
        // A group's finding concerns every member: the account's panel lists them all.
        why = "<button type=\"button\" class=\"button\" data-open=\"account:" + esc(finding.account.id) + "\" title=\"Everyone on this account, and why\">Who?</button>";
      }
      html += "<tr data-severity=\"" + esc(raw.severity) + "\" data-rule=\"" + esc(raw.rule) + "\"><td>" + severityBadge(raw.severity) + "</td>" +
        "<td><div class=\"title\">" + esc(raw.title) + "</div><div class=\"rule\">" + esc(raw.rule) + "</div><div class=\"explanation\">" + prose(raw.explanation) + "</div>" +
        "<div class=\"fix\"><b>Fix:</b> " + prose(raw.fix) + "</div></td>" +
        "<td>" + principalLabel(finding) + "</td><td>" + accountLabel(finding) + "</td><td>" + (raw.permission_set ? esc(raw.permission_set) : "<span class=\"muted\">—</span>") + "</td>" +
        "<td class=\"no-print\">" + why + "</td></tr>";
    }
    if (!list.length) { html += "<tr><td colspan=\"6\" class=\"empty-state\">No finding matches these filters.</td></tr>"; }
    html += "</tbody></table>";
    if (limit < list.length) {
      html += "<div class=\"more-row\"><button type=\"button\" class=\"button\" data-action=\"more\">Show " + Math.min(PAGE_SIZE, list.length - limit) + " more (" + (list.length - limit).toLocaleString("en") + " not shown)</button></div>";
    }
    byId("findings-table-wrap").innerHTML = html;
  }

  // ---------------------------------------------------------------- IAM users

  function renderIam() {
    var html = "<h2 class=\"print-title\">IAM users</h2>";
    if (data.iam_scan_errors.length) {
      html += "<div class=\"errors\" id=\"iam-scan-errors\"><strong>" + plural(data.iam_scan_errors.length, "IAM read") + " failed (an account that could not be scanned, or a policy that could not be read):</strong><ul>" +
        data.iam_scan_errors.map(function (error) {
          return "<li>" + esc(error.account_name || error.account_id) + " <span class=\"muted mono\">" + esc(error.account_id) + "</span>: " + esc(error.message) + "</li>";
        }).join("") + "</ul></div>";
    }
    if (!data.iam_users.length) {
      html += "<div class=\"table-wrap\"><div class=\"empty-state\">No IAM users in the scanned accounts. Good: people sign in through IAM Identity Center.</div></div>";
      byId("panel-iam").innerHTML = html;
      return;
    }
    html += "<p class=\"muted\">IAM users are long-lived credentials outside IAM Identity Center; each one is a finding. Keys older than 90 days or unused for 90 days are marked. Key ids are masked.</p>";
    html += "<div class=\"table-wrap\"><table class=\"list\" id=\"iam-table\"><thead><tr><th>Account</th><th>IAM user</th><th>Created</th><th>Console password last used</th><th>MFA devices</th><th>Access keys</th></tr></thead><tbody>";
    data.iam_users.forEach(function (user) {
      var keys = (user.access_keys || []).map(function (key) {
        var unusedDays = key.last_used ? daysBetween(key.last_used, data.generated_at) : null;
        var old = (key.age_days !== null && key.age_days !== undefined && key.age_days > 90);
        var unused = key.last_used ? unusedDays !== null && unusedDays > 90 : old;
        return "<div><code>" + esc(key.id) + "</code> " + "<span class=\"badge small " + (key.status === "Active" ? "state-declared" : "status-unknown") + "\">" + esc(key.status) + "</span> " +
          "<span class=\"" + (old ? "key-old" : "") + "\">" + (key.age_days === null || key.age_days === undefined ? "age unknown" : plural(key.age_days, "day") + " old") + "</span>, " +
          "<span class=\"" + (unused ? "key-old" : "") + "\">" + (key.last_used ? "last used " + esc(formatDate(key.last_used)) + (key.last_used_service ? " (" + esc(key.last_used_service) + ")" : "") : "never used") + "</span></div>";
      }).join("");
      html += "<tr><td>" + esc(user.account_name || user.account_id) + "<div class=\"muted mono\">" + esc(user.account_id) + "</div></td>" +
        "<td><b>" + esc(user.user_name) + "</b></td><td class=\"nowrap\">" + esc(formatDate(user.created)) + "</td>" +
        "<td class=\"nowrap\">" + esc(user.password_last_used ? formatDate(user.password_last_used) : "never / no password") + "</td>" +
        "<td>" + (user.mfa_devices ? esc(user.mfa_devices) : "<span class=\"key-old\">none</span>") + "</td>" +
        "<td>" + (keys || "<span class=\"muted\">no access keys</span>") + "</td></tr>";
    });
    html += "</tbody></table></div>";
    byId("panel-iam").innerHTML = html;
  }

  // ---------------------------------------------------------------- changes since the baseline

  function renderChanges() {
    var baseline = data.baseline;
    if (!baseline) { return; }
    function rows(list) {
      if (!list.length) { return "<p class=\"muted\">None.</p>"; }
      return "<div class=\"table-wrap\"><table class=\"list\"><thead><tr><th>Person</th><th>Account</th><th>Permission set</th><th>Path</th></tr></thead><tbody>" +
        list.map(function (row) {
          return "<tr><td>" + esc(row.user_name || row.user_id) + "</td><td>" + esc(row.account_name || row.account_id) + "</td><td>" + esc(row.permission_set) + "</td><td>" +
            (row.via && row.via.kind === "group" ? "via group " + esc(row.via.group_name || row.via.group_id) : "direct") + "</td></tr>";
        }).join("") + "</tbody></table></div>";
    }
    function findingRows(list) {
      if (!list.length) { return "<p class=\"muted\">None.</p>"; }
      return list.map(function (raw) {
        return "<div class=\"finding-card sev-border-" + esc(raw.severity) + "\"><div class=\"head\">" + severityBadge(raw.severity) + "<span class=\"title\">" + esc(raw.title) + "</span><span class=\"rule\">" + esc(raw.rule) + "</span></div><p>" + prose(raw.explanation) + "</p></div>";
      }).join("");
    }
    byId("panel-changes").innerHTML = "<h2 class=\"print-title\">Changes since the baseline</h2>" +
      "<p>Compared with the review generated <b>" + esc(formatTime(baseline.generated_at)) + "</b>.</p>" +
      "<h3 class=\"section-title\">Access added (" + baseline.access_added.length + ")</h3>" + rows(baseline.access_added) +
      "<h3 class=\"section-title\">Access removed (" + baseline.access_removed.length + ")</h3>" + rows(baseline.access_removed) +
      "<h3 class=\"section-title\">New findings (" + baseline.findings_new.length + ")</h3>" + findingRows(baseline.findings_new) +
      "<h3 class=\"section-title\">Resolved findings (" + baseline.findings_resolved.length + ")</h3>" + findingRows(baseline.findings_resolved);
  }

  // ---------------------------------------------------------------- wiring

  function renderAll() {
    showTab();
    if (state.tab === "matrix") { updateMatrix(false); }
    if (state.tab === "findings") { renderFindings(); }
    renderDrawer();
  }

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open]");
    if (opener && !opener.closest("#matrix-scroll")) { event.preventDefault(); openDrawer(opener.getAttribute("data-open")); return; }
    if (event.target.closest("#drawer-close")) { closeDrawer(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && state.open) { event.preventDefault(); closeDrawer(); return; }
    var typing = event.target && (event.target.tagName === "INPUT" || event.target.tagName === "SELECT" || event.target.tagName === "TEXTAREA");
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      var input = state.tab === "findings" ? byId("findings-search") : byId("search");
      if (state.tab !== "matrix" && state.tab !== "findings") { setState({ tab: "matrix" }); renderAll(); input = byId("search"); }
      input.focus();
      input.select();
    }
  });
  window.addEventListener("hashchange", function () {
    if (location.hash.replace(/^#/, "") === lastHash) { return; }
    readHash();
    lastHash = location.hash.replace(/^#/, "");
    renderAll();
  });
  window.addEventListener("beforeprint", function () {
    printing = true;
    TABS.forEach(function (tab) { var panel = byId("panel-" + tab.id); if (panel) { panel.hidden = false; } });
    updateMatrix(false);
    renderFindings();
  });
  window.addEventListener("afterprint", function () {
    printing = false;
    showTab();
    updateMatrix(false);
    renderFindings();
  });

  readHash();
  lastHash = location.hash.replace(/^#/, "");
  measureGrid();
  renderHeader();
  renderTabs();
  buildMatrixPanel();
  buildFindingsPanel();
  renderIam();
  renderChanges();
  renderAll();
  document.documentElement.setAttribute("data-ready", "true");
})();
