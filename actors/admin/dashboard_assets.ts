// The dashboard page and its script, served from memory by admin_server.ts (no files to find at
// run time, nothing fetched from elsewhere: it works offline and ships in dist/). Plain HTML, CSS
// and a vanilla script written for browsers as they are, without a build step; the script only
// reads /api/events (or /api/overview) and redraws.
//
// The page is served with the current overview in it (#initial-overview, filled by
// `dashboardPage`), so the first paint shows data rather than "Loading…" until the live stream's
// first event; the stream then redraws it every second.
//
// The script marks what it draws with data-* attributes (data-group, data-member, data-partition
// with data-owner, data-rebalance, data-chart with data-points, data-transaction with data-held
// and data-stable-lag), which the browser tests wait on.

export const dashboardHtml = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lanes</title>
<style>
:root { --ink: #111827; --muted: #6b7280; --line: #e5e7eb; --card: #ffffff; --page: #f6f7f9; --lag: #ef4444; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header.top { display: flex; align-items: baseline; gap: 16px; padding: 14px 24px; background: var(--card); border-bottom: 1px solid var(--line); }
header.top h1 { margin: 0; font-size: 18px; letter-spacing: 0.02em; }
#summary, #updated { color: var(--muted); }
#updated { margin-left: auto; font-variant-numeric: tabular-nums; }
#status { font-size: 12px; padding: 1px 8px; border-radius: 10px; }
#status.live { background: #dcfce7; color: #166534; }
#status.offline { background: #fee2e2; color: #991b1b; }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(320px, 2fr); gap: 20px; padding: 20px 24px; max-width: 1500px; }
h2 { font-size: 13px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); margin: 0 0 10px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 14px 16px; margin-bottom: 16px; }
.group header { display: flex; align-items: center; gap: 10px; margin-bottom: 8px; flex-wrap: wrap; }
.group h3 { margin: 0; font-size: 15px; }
.meta, .sub { color: var(--muted); font-size: 12px; }
.state { font-size: 11px; padding: 1px 7px; border-radius: 9px; background: #e5e7eb; }
.state-Stable { background: #dcfce7; color: #166534; }
.state-PreparingRebalance, .state-CompletingRebalance { background: #fef3c7; color: #92400e; }
.lagging { color: var(--lag); fill: var(--lag); }
svg .box { fill: #fafafa; stroke: var(--line); }
svg .member-box { stroke-width: 1.5; fill: #fff; }
svg .label { font-size: 13px; font-weight: 600; fill: var(--ink); }
svg .figures { font-size: 11.5px; fill: #374151; font-variant-numeric: tabular-nums; }
svg .sub { font-size: 11px; fill: var(--muted); }
svg .track { fill: #eef0f3; }
svg .lagbar { fill: var(--lag); opacity: 0.8; }
svg .arrow { fill: none; stroke-width: 2; opacity: 0.85; }
table.topics { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.topics th, table.topics td { padding: 4px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.topics thead th { font-size: 12px; color: var(--muted); font-weight: 500; }
table.topics .n { text-align: right; }
table.topics th .sub { display: block; font-weight: 400; }
ol.timeline { list-style: none; margin: 0; padding: 0; }
ol.timeline li { display: grid; grid-template-columns: 64px 1fr auto; gap: 2px 10px; padding: 8px 0; border-bottom: 1px solid var(--line); }
ol.timeline time { color: var(--muted); font-variant-numeric: tabular-nums; }
.tl-group { font-weight: 600; }
.tl-gen { grid-column: 3; text-align: right; font-variant-numeric: tabular-nums; }
.tl-reason { grid-column: 2; color: #374151; }
.tl-duration { grid-column: 3; text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; }
.tl-members { grid-column: 2; }
.chip { display: inline-block; border: 1.5px solid; border-radius: 9px; padding: 0 7px; font-size: 12px; margin: 1px 2px; }
.chip i { color: var(--muted); font-style: normal; }
.plus { color: #16a34a; font-weight: 700; }
.minus { color: var(--lag); font-weight: 700; }
.empty { color: var(--muted); margin: 4px 0; }
svg.spark { display: inline-block; vertical-align: middle; overflow: visible; }
svg.spark polyline { fill: none; stroke-width: 1.5; }
svg.spark .area { stroke: none; opacity: 0.15; }
.spark-label { color: var(--muted); font-size: 12px; margin-left: 6px; }
table.txns { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
table.txns th, table.txns td { padding: 4px 6px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.txns thead th { font-size: 12px; color: var(--muted); font-weight: 500; }
table.txns .n { text-align: right; white-space: nowrap; }
table.txns td .sub { display: block; }
.held { display: block; white-space: nowrap; }
@media (max-width: 1000px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header class="top">
  <h1>Lanes</h1>
  <span id="status" class="offline">connecting…</span>
  <span id="summary"></span>
  <span id="updated"></span>
</header>
<main>
  <div>
    <h2>Consumer groups</h2>
    <div id="groups"><p class="empty">Loading…</p></div>
    <h2>Topics</h2>
    <div class="card" id="topics"><p class="empty">Loading…</p></div>
  </div>
  <div>
    <h2>Open transactions</h2>
    <div class="card" id="transactions"><p class="empty">Loading…</p></div>
    <h2>Rebalance timeline</h2>
    <div class="card" id="timeline"><p class="empty">Loading…</p></div>
  </div>
</main>
<script id="initial-overview" type="application/json">null</script>
<script type="module" src="/dashboard.js"></script>
</body>
</html>
`;

const initialOverviewSlot = '<script id="initial-overview" type="application/json">null</script>';

/**
 * The page with `overview` (the JSON of an Overview) in it. `<` is escaped so that no value (a
 * topic name, a client id) can close the script element; JSON.parse reads the escape back.
 */
export function dashboardPage(overviewJson: string | null): string {
  if (overviewJson === null) return dashboardHtml;
  const safe = overviewJson.replace(/</g, '\\u003c');
  return dashboardHtml.replace(initialOverviewSlot, () => initialOverviewSlot.replace('>null<', '>' + safe + '<'));
}

export const dashboardScript = String.raw`// The dashboard's script: subscribes to /api/events (server-sent events; falls back to polling
// /api/overview) and redraws topics, groups and the rebalance timeline from each overview.
// No dependencies, no build step: it is served as written.
'use strict';

var palette = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#65a30d', '#9333ea', '#0d9488'];
var unowned = '#9ca3af';
/** group id → member id → palette index, kept while the member lives so colours do not jump. */
var colours = new Map();

function esc(value) {
  return String(value).replace(/[&<>"']/g, function (c) {
    return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
  });
}

function num(value) {
  return value === null || value === undefined || value < 0 ? '–' : Number(value).toLocaleString('en-US');
}

function rate(value) {
  if (value === null || value === undefined) return '–';
  if (value === 0) return '0/s';
  return (value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')) + '/s';
}

function shortId(memberId) {
  return memberId.length > 28 ? memberId.slice(0, 18) + '…' + memberId.slice(-6) : memberId;
}

function clock(ms) {
  var d = new Date(ms);
  function two(n) { return (n < 10 ? '0' : '') + n; }
  return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds());
}

function colourOf(groupId, memberId) {
  var byMember = colours.get(groupId);
  if (byMember === undefined || memberId === null) return unowned;
  var index = byMember.get(memberId);
  return index === undefined ? unowned : palette[index % palette.length];
}

function assignColours(group) {
  var byMember = colours.get(group.groupId) || new Map();
  var live = new Set(group.members.map(function (m) { return m.memberId; }));
  Array.from(byMember.keys()).forEach(function (id) { if (!live.has(id)) byMember.delete(id); });
  group.members.forEach(function (m) {
    if (byMember.has(m.memberId)) return;
    var used = new Set(byMember.values());
    var index = 0;
    while (used.has(index)) index += 1;
    byMember.set(m.memberId, index);
  });
  colours.set(group.groupId, byMember);
}

/**
 * A small line chart of one series (null points leave gaps), scaled to its own maximum, with the
 * newest value beside it. data-chart names it for tests; data-points counts the known points.
 */
function sparkline(name, points, colour, format) {
  var w = 120;
  var h = 22;
  var known = points.filter(function (p) { return p !== null && p !== undefined; });
  if (known.length < 2) return '<span class="spark-label" data-chart="' + esc(name) + '" data-points="' + known.length + '">collecting…</span>';
  var max = Math.max.apply(null, known.concat([1e-9]));
  var step = w / (points.length - 1);
  var segments = [];
  var current = [];
  points.forEach(function (p, i) {
    if (p === null || p === undefined) {
      if (current.length > 0) segments.push(current);
      current = [];
      return;
    }
    current.push((i * step).toFixed(1) + ',' + (h - (p / max) * h).toFixed(1));
  });
  if (current.length > 0) segments.push(current);
  var lines = segments.map(function (seg) {
    return '<polyline points="' + seg.join(' ') + '" stroke="' + colour + '"/>';
  }).join('');
  var latest = known[known.length - 1];
  return '<svg class="spark" width="' + w + '" height="' + h + '" viewBox="0 0 ' + w + ' ' + h + '" data-chart="' + esc(name) + '" data-points="' + known.length + '" role="img" aria-label="' + esc(name) + '">' +
    '<title>' + esc(name) + ': max ' + format(max) + ', now ' + format(latest) + '</title>' + lines + '</svg>' +
    '<span class="spark-label">' + format(latest) + '</span>';
}

var history = { stepMs: 5000, topicRates: { atMs: [], series: {} }, groupLag: { atMs: [], series: {} } };

/** How long a history covers, for the charts' labels: "40 s", "5 min". */
function span(snapshot) {
  var times = snapshot.atMs;
  var ms = times.length < 2 ? 0 : times[times.length - 1] - times[0];
  return ms < 60000 ? Math.round(ms / 1000) + ' s' : Math.round(ms / 60000) + ' min';
}

function seriesOf(snapshot, name) {
  return snapshot.series[name] || [];
}

function renderTopics(topics) {
  if (topics.length === 0) return '<p class="empty">No topics yet.</p>';
  var rows = '';
  topics.forEach(function (topic) {
    topic.partitions.forEach(function (p, i) {
      rows += '<tr data-topic-partition="' + esc(topic.name + '/' + p.partition) + '">' +
        (i === 0 ? '<th rowspan="' + topic.partitions.length + '" scope="rowgroup">' + esc(topic.name) +
          '<span class="sub">' + topic.partitions.length + ' partition' + (topic.partitions.length === 1 ? '' : 's') + ' · ' + rate(topic.recordsPerSecond) + '</span>' +
          '<span class="sub">' + sparkline('rate:' + topic.name, seriesOf(history.topicRates, topic.name), '#2563eb', rate) + '</span></th>' : '') +
        '<td class="n">' + p.partition + '</td><td class="n">' + p.shard + '</td><td class="n">' + num(p.logStartOffset) +
        '</td><td class="n">' + num(p.logEndOffset) + '</td><td class="n">' + rate(p.recordsPerSecond) + '</td></tr>';
    });
  });
  return '<table class="topics"><thead><tr><th>topic</th><th class="n">partition</th><th class="n">shard</th>' +
    '<th class="n">log start</th><th class="n">log end offset</th><th class="n">rate</th></tr></thead><tbody>' + rows + '</tbody></table>';
}

function seconds(ms) {
  return ms === null || ms === undefined ? '–' : (ms / 1000).toFixed(ms < 10000 ? 1 : 0) + ' s';
}

/**
 * Open transactions: state, age against its timeout, and for each partition it writes how many
 * records a read_committed reader cannot read yet (log end − last stable offset).
 */
function renderTransactions(transactions) {
  if (!transactions || transactions.length === 0) return '<p class="empty">No open transactions.</p>';
  var rows = transactions.map(function (t) {
    var held = t.partitions.map(function (p) {
      return '<span class="held" data-held="' + esc(p.topic + '/' + p.partition) + '" data-stable-lag="' + p.stableLag + '" title="last stable offset ' + num(p.lastStableOffset) + ', log end ' + num(p.logEndOffset) + '">' +
        esc(p.topic) + ' [' + p.partition + '] <b class="' + (p.stableLag > 0 ? 'lagging' : '') + '">' + num(p.stableLag) + '</b> held back</span>';
    }).join('');
    var groups = t.groups.length === 0 ? '' : '<span class="sub">offsets of ' + t.groups.map(esc).join(', ') + '</span>';
    return '<tr data-transaction="' + esc(t.transactionalId) + '" data-state="' + esc(t.state) + '">' +
      '<td><b>' + esc(t.transactionalId) + '</b><span class="sub">producer ' + t.producerId + ' · epoch ' + t.producerEpoch + '</span>' + groups + '</td>' +
      '<td><span class="state">' + esc(t.state) + '</span></td>' +
      '<td class="n">' + seconds(t.ageMs) + '<span class="sub">timeout ' + seconds(t.timeoutMs) + '</span></td>' +
      '<td>' + (held || '<span class="sub">no partitions yet</span>') + '</td></tr>';
  }).join('');
  return '<table class="txns"><thead><tr><th>transactional id</th><th>state</th><th class="n">open for</th>' +
    '<th title="records a read_committed reader cannot read until the transaction ends (log end − last stable offset)">records held back</th></tr></thead><tbody>' + rows + '</tbody></table>';
}

var rowHeight = 46;
var rowGap = 10;
var width = 820;
var partitionWidth = 330;
var memberWidth = 250;

function renderGroup(group) {
  assignColours(group);
  var gid = group.groupId;
  var partitions = group.partitions;
  var members = group.members;
  var rows = Math.max(partitions.length, members.length, 1);
  var height = rows * (rowHeight + rowGap) + rowGap;
  var memberX = width - memberWidth;
  var barWidth = partitionWidth - 24;
  var barMax = 1;
  partitions.forEach(function (p) { barMax = Math.max(barMax, p.logEndOffset, p.committedOffset); });
  var memberY = new Map();
  var memberBlock = members.length * (rowHeight + rowGap) - rowGap;
  var memberTop = Math.max(rowGap, (height - memberBlock) / 2);
  members.forEach(function (m, i) { memberY.set(m.memberId, memberTop + i * (rowHeight + rowGap)); });
  var partitionTop = Math.max(rowGap, (height - (partitions.length * (rowHeight + rowGap) - rowGap)) / 2);

  var defs = '';
  var arrows = '';
  var boxes = '';
  var markers = new Set();
  partitions.forEach(function (p, i) {
    var y = partitionTop + i * (rowHeight + rowGap);
    var colour = colourOf(gid, p.memberId);
    var committed = Math.max(0, p.committedOffset);
    var committedWidth = (committed / barMax) * barWidth;
    var lagWidth = ((p.lag || 0) / barMax) * barWidth;
    boxes += '<g class="partition" data-partition="' + esc(p.topic + '/' + p.partition) + '" data-owner="' + esc(p.memberId || '') + '" data-lag="' + (p.lag === null ? '' : p.lag) + '">' +
      '<rect x="0.5" y="' + y + '" width="' + partitionWidth + '" height="' + rowHeight + '" rx="6" class="box"/>' +
      '<rect x="0.5" y="' + y + '" width="6" height="' + rowHeight + '" rx="3" fill="' + colour + '"/>' +
      '<text x="14" y="' + (y + 17) + '" class="label">' + esc(p.topic) + ' [' + p.partition + ']</text>' +
      '<text x="' + (partitionWidth - 8) + '" y="' + (y + 17) + '" class="figures" text-anchor="end">committed ' + num(p.committedOffset) + ' · lag ' +
        '<tspan class="' + (p.lag > 0 ? 'lagging' : '') + '">' + (p.lag === null ? '–' : num(p.lag)) + '</tspan></text>' +
      '<rect x="14" y="' + (y + 27) + '" width="' + barWidth + '" height="9" rx="2" class="track"/>' +
      '<rect x="14" y="' + (y + 27) + '" width="' + committedWidth.toFixed(1) + '" height="9" rx="2" fill="' + colour + '" opacity="0.75"><title>committed ' + num(p.committedOffset) + '</title></rect>' +
      '<rect x="' + (14 + committedWidth).toFixed(1) + '" y="' + (y + 27) + '" width="' + lagWidth.toFixed(1) + '" height="9" class="lagbar"><title>lag ' + num(p.lag) + ' (log end ' + num(p.logEndOffset) + ')</title></rect>' +
      '</g>';
    if (p.memberId !== null && memberY.has(p.memberId)) {
      var marker = 'arrow-' + colour.slice(1);
      if (!markers.has(marker)) {
        markers.add(marker);
        defs += '<marker id="' + marker + '" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">' +
          '<path d="M0,0 L10,5 L0,10 z" fill="' + colour + '"/></marker>';
      }
      var x1 = partitionWidth + 1;
      var y1 = y + rowHeight / 2;
      var x2 = memberX - 2;
      var y2 = memberY.get(p.memberId) + rowHeight / 2;
      var mid = (x1 + x2) / 2;
      arrows += '<path class="arrow" data-arrow="' + esc(p.topic + '/' + p.partition) + '" d="M' + x1 + ',' + y1 + ' C' + mid + ',' + y1 + ' ' + mid + ',' + y2 + ' ' + x2 + ',' + y2 +
        '" stroke="' + colour + '" marker-end="url(#' + marker + ')"/>';
    }
  });
  members.forEach(function (m) {
    var y = memberY.get(m.memberId);
    var colour = colourOf(gid, m.memberId);
    var owned = 0;
    (m.assignment || []).forEach(function (a) { owned += a.partitions.length; });
    // Consumer protocol: owned now / meant to own, and the member epoch (they differ while reconciling).
    var target = null;
    if (m.targetAssignment) { target = 0; m.targetAssignment.forEach(function (a) { target += a.partitions.length; }); }
    var figures = target === null || target === owned ? owned + ' partition' + (owned === 1 ? '' : 's') : owned + ' → ' + target + ' partitions';
    var epoch = m.memberEpoch === null || m.memberEpoch === undefined ? '' : ' · epoch ' + m.memberEpoch;
    boxes += '<g class="member" data-member="' + esc(m.memberId) + '" data-client-id="' + esc(m.clientId) + '"' +
      (m.memberEpoch === null || m.memberEpoch === undefined ? '' : ' data-member-epoch="' + m.memberEpoch + '" data-owned="' + owned + '" data-target="' + target + '"') + '>' +
      '<title>' + esc(m.memberId) + '</title>' +
      '<rect x="' + memberX + '" y="' + y + '" width="' + (memberWidth - 1) + '" height="' + rowHeight + '" rx="6" class="box member-box" stroke="' + colour + '"/>' +
      '<rect x="' + memberX + '" y="' + y + '" width="6" height="' + rowHeight + '" rx="3" fill="' + colour + '"/>' +
      '<text x="' + (memberX + 14) + '" y="' + (y + 18) + '" class="label">' + esc(m.clientId || '(no client id)') + '</text>' +
      '<text x="' + (memberWidth + memberX - 10) + '" y="' + (y + 18) + '" class="figures" text-anchor="end">' + figures + '</text>' +
      '<text x="' + (memberX + 14) + '" y="' + (y + 36) + '" class="sub">' + esc(m.host.replace(/^\//, '')) + ' · ' + esc(shortId(m.memberId)) + epoch + '</text>' +
      '</g>';
  });
  if (members.length === 0) {
    boxes += '<text x="' + (memberX + memberWidth / 2) + '" y="' + (height / 2) + '" class="sub" text-anchor="middle">no members</text>';
  }
  var svg = '<svg viewBox="0 0 ' + width + ' ' + height + '" width="100%" role="img" aria-label="partitions of group ' + esc(gid) + ' and the members that own them">' +
    '<defs>' + defs + '</defs>' + arrows + boxes + '</svg>';
  // Consumer-protocol groups (KIP-848) show their group epoch; classic ones the generation last seen.
  var generation = group.generationId === null ? '' : group.type === 'consumer' ? ' · group epoch <b>' + group.generationId + '</b>' : ' · generation <b>' + group.generationId + '</b>';
  return '<section class="card group" data-group="' + esc(gid) + '" data-members="' + members.length + '" data-state="' + esc(group.state) + '"' +
    ' data-generation="' + (group.generationId === null ? '' : group.generationId) + '" data-type="' + esc(group.type) + '">' +
    '<header><h3>' + esc(gid) + '</h3><span class="state state-' + esc(group.state) + '">' + esc(group.state) + '</span>' +
    '<span class="meta">' + esc(group.type) + ' · ' + esc(group.protocol || group.protocolType || '–') + generation + ' · ' + members.length + ' member' + (members.length === 1 ? '' : 's') +
    ' · total lag <b class="' + (group.totalLag > 0 ? 'lagging' : '') + '">' + num(group.totalLag) + '</b></span>' +
    '<span class="meta">lag over ' + span(history.groupLag) + ' ' + sparkline('lag:' + gid, seriesOf(history.groupLag, gid), '#ef4444', num) + '</span></header>' +
    (partitions.length === 0 && members.length === 0 ? '<p class="empty">No members and no committed offsets.</p>' : svg) +
    '</section>';
}

var causeText = { leaveGroup: 'left', sessionTimeout: 'timed out', rebalanceTimeout: 'missed the rebalance', syncTimeout: 'missed the sync', fenced: 'fenced', left: 'left' };

function memberChip(groupId, memberId, suffix) {
  return '<span class="chip" style="border-color:' + colourOf(groupId, memberId) + '" title="' + esc(memberId) + '">' + esc(shortId(memberId)) + (suffix ? ' <i>' + esc(suffix) + '</i>' : '') + '</span>';
}

function renderTimeline(entries) {
  if (entries.length === 0) return '<p class="empty">No rebalances yet.</p>';
  return '<ol class="timeline">' + entries.map(function (e) {
    var joined = e.joined.map(function (id) { return memberChip(e.groupId, id, ''); }).join(' ');
    var removed = e.removed.map(function (r) { return memberChip(e.groupId, r.memberId, causeText[r.cause] || r.cause); }).join(' ');
    return '<li data-rebalance="' + e.id + '" data-group="' + esc(e.groupId) + '" data-generation="' + e.generationId + '" data-reason="' + esc(e.reason) + '">' +
      '<time>' + clock(e.atMs) + '</time>' +
      '<span class="tl-group">' + esc(e.groupId) + '</span>' +
      '<span class="tl-gen">gen ' + e.generationId + '</span>' +
      '<span class="tl-reason">' + esc(e.reason) + '</span>' +
      '<span class="tl-members">' + (joined ? '<span class="plus">+</span>' + joined : '') + (removed ? ' <span class="minus">−</span>' + removed : '') +
        (e.members.length === 0 ? ' <span class="sub">group empty</span>' : ' <span class="sub">' + e.members.length + ' member' + (e.members.length === 1 ? '' : 's') + '</span>') + '</span>' +
      '<span class="tl-duration">' + num(e.durationMs) + ' ms</span>' +
      '</li>';
  }).join('') + '</ol>';
}

function render(overview) {
  if (overview.history) history = overview.history;
  var lag = 0;
  overview.groups.forEach(function (g) { lag += g.totalLag; });
  document.getElementById('summary').textContent = overview.topics.length + ' topics · ' + overview.groups.length + ' groups · total lag ' + num(lag) + ' · ' + (overview.transactions || []).length + ' open transactions · ' + overview.shards + ' shard' + (overview.shards === 1 ? '' : 's');
  document.getElementById('topics').innerHTML = renderTopics(overview.topics);
  document.getElementById('transactions').innerHTML = renderTransactions(overview.transactions);
  document.getElementById('groups').innerHTML = overview.groups.length === 0 ? '<p class="empty">No consumer groups yet.</p>' : overview.groups.map(renderGroup).join('');
  document.getElementById('timeline').innerHTML = renderTimeline(overview.rebalances) +
    (overview.droppedEvents > 0 ? '<p class="sub">' + overview.droppedEvents + ' events were dropped; the timeline may miss some.</p>' : '');
  document.getElementById('updated').textContent = 'updated ' + clock(overview.atMs);
  document.body.dataset.updated = String(overview.atMs);
}

function setLive(live) {
  var status = document.getElementById('status');
  status.className = live ? 'live' : 'offline';
  status.textContent = live ? 'live' : 'reconnecting…';
}

function poll() {
  fetch('/api/overview').then(function (response) { return response.json(); }).then(function (overview) {
    setLive(true);
    render(overview);
  }, function () { setLive(false); }).finally(function () { setTimeout(poll, 2000); });
}

// The overview the page was served with: drawn at once, before the stream's first event.
var initial = JSON.parse(document.getElementById('initial-overview').textContent || 'null');
if (initial !== null) render(initial);

if (typeof EventSource === 'function') {
  var source = new EventSource('/api/events');
  source.addEventListener('overview', function (event) {
    setLive(true);
    render(JSON.parse(event.data));
  });
  source.addEventListener('error', function () { setLive(false); });
} else {
  poll();
}
`;
