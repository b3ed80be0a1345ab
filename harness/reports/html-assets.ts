/**
 * The dashboard's inline stylesheet and script. Everything is inline so the page is one
 * file that opens anywhere with no network; the script only adds filtering, and the page
 * reads fully without it.
 */

export const CSS = `
:root{--bg:#f5f7fa;--card:#fff;--text:#1f2328;--muted:#59636e;--border:#d1d9e0;--soft:#eef1f4;
--pass:#1a7f37;--fail:#cf222e;--skip:#818b98;--xpass:#8250df;--timeout:#bc4c00;--crash:#82071e;--error:#bf3989;
--accent:#0969da;--code:#f6f8fa;--add:#dafbe1;--del:#ffebe9;--head:#24292f}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#151b23;--text:#e6edf3;--muted:#9198a1;--border:#30363d;--soft:#212830;
--code:#0d1117;--add:#12361f;--del:#4a1417;--accent:#4493f8;--head:#010409}}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--text);font:14px/1.5 system-ui,-apple-system,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif}
header.top{background:var(--head);color:#f0f6fc;padding:14px 28px}
header.top .inner{max-width:1240px;margin:0 auto;display:flex;align-items:baseline;gap:18px;flex-wrap:wrap}
header.top h1{font-size:19px;margin:0;font-weight:650;letter-spacing:.01em}
header.top .meta{color:#b7bdc8;font-size:13px}
main{max-width:1240px;margin:0 auto;padding:20px 28px 56px}
section.card{background:var(--card);border:1px solid var(--border);border-radius:10px;padding:16px 20px;margin:0 0 18px}
h2{font-size:15px;margin:0 0 12px;font-weight:650}
h2 .count{color:var(--muted);font-weight:500;margin-left:6px}
.muted{color:var(--muted)}
a{color:var(--accent);text-decoration:none}
a:hover{text-decoration:underline}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(180px,1fr));gap:14px;margin:0 0 18px}
.kpi{background:var(--card);border:1px solid var(--border);border-radius:10px;padding:12px 16px}
.kpi .v{font-size:26px;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.25}
.kpi .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.kpi .s{color:var(--muted);font-size:12.5px}
.up{color:var(--pass)}.down{color:var(--fail)}
table{border-collapse:collapse;width:100%}
th,td{padding:7px 10px;border-bottom:1px solid var(--border);text-align:left;vertical-align:top}
tbody tr:last-child td{border-bottom:0}
th{font-size:12px;color:var(--muted);font-weight:600;white-space:nowrap}
.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.sum td{font-weight:650;border-top:2px solid var(--border)}
td.zero{color:var(--muted);opacity:.55}
table.agent td:first-child{white-space:nowrap}
table.agent th{white-space:normal}
.gap{margin-top:16px}
details.more>summary{cursor:pointer;color:var(--accent);padding:4px 0;font-size:13px}
code.sample{background:var(--soft);border-radius:4px;padding:1px 6px}
.scroll{overflow-x:auto}
.bar{display:flex;height:10px;border-radius:5px;overflow:hidden;background:var(--soft);min-width:180px;margin-top:5px}
.bar span{display:block;height:100%}
.pct{font-variant-numeric:tabular-nums;font-weight:600}
code,pre,.mono{font-family:ui-monospace,SFMono-Regular,"SF Mono",Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace;font-size:12.5px}
code{overflow-wrap:anywhere}
pre.diff{background:var(--code);border:1px solid var(--border);border-radius:6px;padding:6px 0;overflow:auto;max-height:520px;margin:8px 0 4px}
pre.diff span{display:block;padding:0 12px;white-space:pre;min-height:1.45em}
.d-add{background:var(--add)}.d-del{background:var(--del)}.d-hunk{color:var(--accent)}.d-head{color:var(--muted)}
.badge{display:inline-block;border-radius:999px;padding:1px 9px;font-size:11.5px;font-weight:650;color:#fff;white-space:nowrap;line-height:1.5}
.s-pass{background:var(--pass)}.s-fail{background:var(--fail)}.s-skip{background:var(--skip)}.s-unexpected-pass{background:var(--xpass)}
.s-timeout{background:var(--timeout)}.s-crash{background:var(--crash)}.s-error{background:var(--error)}
.how{color:var(--muted);font-size:12px}
svg.chart{width:100%;height:auto;display:block}
svg.chart .grid{stroke:var(--border);stroke-width:1}
svg.chart .axis{fill:var(--muted);font-size:11px;font-family:inherit}
svg.chart .total{stroke:var(--muted);stroke-width:1.5;stroke-dasharray:5 4}
svg.chart .hover{fill:transparent}
svg.chart .hover:hover{fill:var(--text);fill-opacity:.06}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;margin-top:8px;font-size:13px}
.legend i{display:inline-block;width:12px;height:12px;border-radius:3px;margin-right:6px;vertical-align:-1px}
.legend i.dash{background:none;border-top:2px dashed var(--muted);height:0;width:16px;border-radius:0;vertical-align:4px}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:18px}
ul.plain{list-style:none;margin:0;padding:0}
ul.plain li{padding:3px 0;border-bottom:1px dashed var(--soft)}
details.cluster{border:1px solid var(--border);border-radius:8px;margin:0 0 10px;background:var(--card)}
details.cluster>summary{padding:9px 14px;cursor:pointer;list-style-position:inside}
details.cluster>div{padding:0 14px 12px}
details.cluster .n{margin-right:8px}
.ids{margin:4px 0 8px;line-height:1.9}
.ids a{margin-right:10px;color:var(--accent);text-decoration:none}
.ids a:hover{text-decoration:underline}
#filters{display:flex;flex-wrap:wrap;gap:8px 10px;align-items:center;margin:0 0 10px;position:sticky;top:0;z-index:2;background:var(--card);padding:8px 0}
#q{flex:1 1 220px;padding:7px 11px;border:1px solid var(--border);border-radius:6px;background:var(--card);color:var(--text);font:inherit}
#q:focus{outline:2px solid var(--accent);outline-offset:-1px}
.chip{display:inline-flex;align-items:center;gap:5px;border:1px solid var(--border);border-radius:999px;padding:2px 10px;font-size:12.5px;cursor:pointer;user-select:none}
.chip input{margin:0}
#shown{color:var(--muted);font-size:12.5px;margin-left:auto}
.cases{border:1px solid var(--border);border-radius:8px;overflow:hidden}
.case{border-bottom:1px solid var(--soft)}
.case:last-child{border-bottom:0}
.case>summary,.case>.row{display:grid;grid-template-columns:130px minmax(0,2.2fr) 90px minmax(0,3fr);gap:12px;align-items:center;padding:4px 12px 4px 28px;position:relative;min-height:30px}
.case>summary{cursor:pointer;list-style:none}
.case>summary::-webkit-details-marker{display:none}
.case>summary::before{content:"▸";position:absolute;left:11px;top:50%;transform:translateY(-52%);color:var(--muted)}
.case[open]>summary::before{content:"▾"}
.case>summary:hover{background:var(--soft)}
.case .why{color:var(--muted);font-size:12.5px;overflow-wrap:anywhere}
.case .ph{color:var(--muted);font-size:12.5px}
.case>.body{padding:0 12px 10px 28px}
.case:target>summary{background:var(--soft)}
footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}
@media (max-width:760px){.case>summary,.case>.row{grid-template-columns:110px minmax(0,1fr)}.case .ph,.case .why{grid-column:2}}
`;

/** Filtering for the case list; the list itself is plain HTML and works without this. */
export const SCRIPT = `
(function () {
  var list = document.getElementById('cases');
  var filters = document.getElementById('filters');
  if (!list || !filters) return;
  var rows = Array.prototype.slice.call(list.children);
  var text = rows.map(function (r) { return (r.getAttribute('data-id') + ' ' + r.getAttribute('data-phase') + ' ' + (r.getAttribute('data-why') || '')).toLowerCase(); });
  var q = document.getElementById('q');
  var chips = Array.prototype.slice.call(filters.querySelectorAll('input[type=checkbox]'));
  var shown = document.getElementById('shown');
  function apply() {
    var terms = q.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var on = {};
    chips.forEach(function (c) { if (c.checked) on[c.value] = true; });
    var n = 0;
    for (var i = 0; i < rows.length; i++) {
      var t = text[i];
      var show = on[rows[i].getAttribute('data-s')] === true && terms.every(function (w) { return t.indexOf(w) !== -1; });
      rows[i].hidden = !show;
      if (show) n++;
    }
    shown.textContent = n + ' of ' + rows.length + ' shown';
  }
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === 'DETAILS') { el.hidden = false; el.open = true; }
  }
  filters.hidden = false;
  q.addEventListener('input', apply);
  chips.forEach(function (c) { c.addEventListener('change', apply); });
  window.addEventListener('hashchange', openTarget);
  apply();
  openTarget();
})();
`;
