/**
 * The report's inline assets: its style sheet, the legend and the zoom script. Everything is
 * inlined so that the page needs no network (the page's Content-Security-Policy forbids any
 * fetch). The palette keeps workers in cool colors and faults in warm ones, so a shaded fault never
 * reads as a worker.
 */

/** Fill colors per fault type (the "shaded by fault type"). */
export const faultColors: Record<string, string> = {
  pause: "#f6b73c",
  partition: "#b57edc",
  crash: "#8d8d8d",
  "drop-renewals": "#f08c8c",
  "slow-network": "#c5e384",
  "clock-drift": "#f4a6c8",
  "leader-failover": "#b59a8a",
  "rate-limit": "#e6c36a",
  "leader-transfer": "#d7c4a3",
};

/** Worker colors (wc-0 … wc-7). */
export const workerColors = ["#1f77b4", "#00897b", "#3949ab", "#0097a7", "#5e35b1", "#2e7d32", "#455a64", "#6d4c41"];

const faultCss = Object.entries(faultColors)
  .map(([type, color]) => `.fault-${type}{fill:${color}} .swatch.fault-${type}{background:${color}}`)
  .join("\n");
const workerCss = workerColors.map((c, i) => `.wc-${i}{fill:${c}} .swatch.wc-${i}{background:${c}}`).join("\n");

/** The page's style sheet. */
export const reportCss = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:16px 20px;color:#1d2330;background:#fff}
h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:14px 0 4px} .why{color:#4a5263;margin:0 0 10px;max-width:1100px}
.legend{display:flex;flex-wrap:wrap;gap:6px 16px;margin:8px 0 10px;font-size:12.5px;color:#333}
.legend span{display:inline-flex;align-items:center;gap:5px}
.swatch{display:inline-block;width:16px;height:11px;border-radius:2px;border:1px solid rgba(0,0,0,.15)}
.swatch.lock-delay{background:repeating-linear-gradient(45deg,#e65100 0 2px,#fff3e0 2px 5px)}
.swatch.unsafe{background:repeating-linear-gradient(-45deg,#d32f2f 0 2px,#ffebee 2px 6px)}
.swatch.bars{background:linear-gradient(#8fb3d9 0 35%,transparent 35% 50%,#1f77b4 50% 100%);border:none}
.swatch.mark{border:none;width:auto;height:auto;font-weight:700}
.runs{display:flex;flex-wrap:wrap;gap:10px 30px}
table.verdicts{border-collapse:collapse;font-size:13px} .verdicts td{padding:1px 10px 1px 0}
.v-violated{color:#c62828;font-weight:700} .v-holds{color:#2e7d32} .v-not-applicable{color:#777}
ul.violations{margin:6px 0 4px;padding-left:18px;max-width:1200px}
li.violation{color:#b71c1c;margin:2px 0} li.violation b{color:#7f0000}
.controls{margin:10px 0 6px;display:flex;gap:6px;align-items:center;font-size:12.5px;color:#555}
.controls button{font:inherit;padding:2px 10px;border:1px solid #bbb;background:#f7f7f7;border-radius:4px;cursor:pointer}
.chart{display:flex;border:1px solid #d9dde5;border-radius:4px;background:#fff}
.chart svg.labels{flex:none;border-right:1px solid #d9dde5;background:#fafbfc}
.plot-scroll{overflow-x:auto;overflow-y:hidden;flex:1}
svg text{font-family:inherit}
.lane-label{font-size:13px;font-weight:600;fill:#1d2330} .lane-label.small{font-size:11.5px;font-weight:500}
.lane-label.run-label{font-size:13.5px;font-weight:700;fill:#0d47a1}
.lane-sub{font-size:10.5px;fill:#6b7280} .axis-title{font-size:11px;fill:#6b7280}
.lane-bg{fill:transparent;stroke:#eef0f4;stroke-width:1}
.lane-worker .lane-bg{fill:#fcfcfd}
.grid{stroke:#e7e9ef;stroke-width:1} .tick-label{font-size:11px;fill:#4b5563;text-anchor:middle}
.run-separator{stroke:#9aa4b5;stroke-width:1}
.fault{opacity:.45} .fault-label{font-size:10.5px;fill:#5d4037;font-style:italic;pointer-events:none} .fault-skipped{fill:none;stroke:#999}
.tenure{opacity:.55} .execution{opacity:.9;stroke:rgba(0,0,0,.25)} .execution.ended-abort{stroke:#c62828;stroke-dasharray:3 2}
.execution.flagged,.effect.flagged path{stroke:#d50000;stroke-width:2}
.exec-label,.hold-label{font-size:10.5px;fill:#fff;font-weight:600;pointer-events:none}
.abort path,.key-deleted path,.session-expired path{stroke:#c62828;stroke-width:2;fill:none}
.point-crash path{fill:#212121} .point-restart path{fill:#4caf50} .point-lock-lost path{fill:#ef6c00} .point-failed path{stroke:#000;stroke-width:2}
.effect path{stroke:#1b1b1b;stroke-width:1.2} .effect.accepted path:first-child{fill:#43a047} .effect.refused path:first-child{fill:#fff;stroke:#c62828}
.effect.refused path+path{stroke:#c62828;stroke-width:1.5}
.effect-label{font-size:10.5px;fill:#263238}
.session{opacity:.5} .session.session-expire{opacity:.7;stroke:#c62828;stroke-width:1}
.ttl-mark line{stroke:#37474f;stroke-dasharray:2 2;stroke-width:1.5} .ttl2-mark line{stroke:#c62828;stroke-width:2}
.hold{opacity:.85} .hold.believed{opacity:.55}
.lock-delay{fill:url(#hatch-lock-delay);opacity:.8} .hatch-lock-delay{fill:#e65100}
.lock-delay-refusal path{fill:#e65100}
.leader-change path{fill:#6d4c41}
.unsafe-window{fill:url(#hatch-unsafe);stroke:#d32f2f;stroke-width:1.5;opacity:.55;pointer-events:none} .hatch-unsafe{fill:#d32f2f}
.unsafe-label-text{font-size:11.5px;font-weight:700;fill:#b71c1c}
.violation-mark line{stroke:#d50000;stroke-width:1.5;stroke-dasharray:5 3} .violation-flag{font-weight:800;fill:#d50000;font-size:13px}
g[data-t]:hover,rect[data-t0]:hover{filter:brightness(.85)}
.tenure:hover,.execution:hover,.hold:hover,.session:hover{stroke:#000;stroke-width:1.5}
${faultCss}
${workerCss}
`;

/** The legend: what each color and mark means. */
export function legendHtml(workers: readonly string[]): string {
  const item = (swatch: string, text: string): string => `<span>${swatch}${text}</span>`;
  const box = (cls: string): string => `<i class="swatch ${cls}"></i>`;
  const mark = (symbol: string, color: string): string => `<i class="swatch mark" style="color:${color}">${symbol}</i>`;
  return [
    ...workers.map((w, i) => item(box(`wc-${i % workerColors.length}`), w)),
    item(`<i class="swatch bars"></i>`, "thin bar: lock held as the worker believes · thick bar: task running · key lane: holder as Consul says"),
    ...Object.keys(faultColors).map((t) => item(box(`fault-${t}`), t)),
    item(box("lock-delay"), "lock-delay window"),
    item(mark("◆", "#43a047"), "effect accepted (#token)"),
    item(mark("◇", "#c62828"), "effect refused"),
    item(mark("✕", "#c62828"), "abort / session expired / key deleted"),
    item(mark("¦", "#37474f"), "TTL after last renewal"),
    item(mark("|", "#c62828"), "2×TTL: Consul expires"),
    item(mark("▾", "#e65100"), "acquire refused by lock-delay"),
    item(box("unsafe"), "unsafe window: two holders at once"),
  ].join("");
}

/**
 * The zoom script (plain ES2017, no library): scales the time axis by re-placing every element
 * that carries data-t or data-t0/data-t1, and redraws the axis ticks with the same steps as
 * svg-kit.ts. Buttons zoom around the centre; Ctrl+wheel (or a trackpad pinch) around the pointer.
 */
export function zoomScript(tickStepsMs: readonly number[]): string {
  return `(function(){
var plot=document.querySelector('svg.plot'),box=document.querySelector('.plot-scroll');if(!plot||!box)return;
var base=+plot.dataset.pxPerMs,left=+plot.dataset.padLeft,right=+plot.dataset.padRight,domain=+plot.dataset.domainMs,zoom=1,steps=${JSON.stringify(tickStepsMs)};
function X(t){return left+t*base*zoom}
function label(t){var s=t/1000;return (Number.isInteger(s)?s:s.toFixed(1))+' s'}
function axis(){var g=plot.querySelector('g.axis'),h=+g.dataset.height,step=steps[steps.length-1];
for(var i=0;i<steps.length;i++){if(steps[i]*base*zoom>=64){step=steps[i];break}}
var out='';for(var t=0;t<=domain;t+=step){out+='<g class="tick" data-t="'+t+'" data-y="0" transform="translate('+X(t)+',0)"><line class="grid" x1="0" x2="0" y1="30" y2="'+(h-30)+'"></line><text class="tick-label" x="0" y="20">'+label(t)+'</text><text class="tick-label" x="0" y="'+(h-10)+'">'+label(t)+'</text></g>'}
g.innerHTML=out}
function layout(){plot.setAttribute('width',left+right+domain*base*zoom);
plot.querySelectorAll('[data-t0]').forEach(function(e){var a=X(+e.dataset.t0),b=X(+e.dataset.t1);e.setAttribute('x',a);e.setAttribute('width',Math.max(+e.dataset.minw||1,b-a))});
plot.querySelectorAll('[data-t]').forEach(function(e){var x=X(+e.dataset.t);if(e.tagName==='g')e.setAttribute('transform','translate('+x+','+e.dataset.y+')');else e.setAttribute('x',x+(+e.dataset.dx||0))});
axis();document.body.dataset.zoom=zoom}
function zoomAt(f,px){var t=(box.scrollLeft+px-left)/(base*zoom);zoom=Math.min(400,Math.max(1,zoom*f));layout();box.scrollLeft=left+t*base*zoom-px}
document.querySelectorAll('[data-zoom]').forEach(function(b){b.addEventListener('click',function(){var k=b.dataset.zoom;if(k==='reset'){zoom=1;layout();box.scrollLeft=0}else zoomAt(k==='in'?2:0.5,box.clientWidth/2)})});
box.addEventListener('wheel',function(ev){if(!ev.ctrlKey)return;ev.preventDefault();var r=box.getBoundingClientRect();zoomAt(Math.exp(-ev.deltaY*0.002),ev.clientX-r.left)},{passive:false});
})();`;
}
