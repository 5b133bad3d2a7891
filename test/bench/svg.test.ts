import t from 'tap';
import { SHORT, VARIANT } from '../../bench/dataplane/figures.js';
import { summarize } from '../../bench/dataplane/summary.js';
import { escapeXml, renderChart } from '../../bench/dataplane/svg.js';
import { rawRun } from './fixture.js';

const bars = (svg: string): { width: number; fill: string }[] =>
  [...svg.matchAll(/<rect x="\d+" y="[\d.]+" width="([\d.]+)" height="\d+" fill="(#[0-9a-f]+)"\/>/g)].map(
    (m) => ({ width: Number(m[1]), fill: m[2]! }),
  );

t.test('escapes what XML would misread', async (t) => {
  t.equal(escapeXml(`a<b>&'"`), 'a&#60;b&#62;&#38;&#39;&#34;');
});

t.test('one bar per measured row, scaled to the panel’s largest max', async (t) => {
  const svg = renderChart(summarize(rawRun()));
  t.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="960" height="\d+"/);
  t.ok(svg.trimEnd().endsWith('</svg>'));
  const b = bars(svg);
  // packet: 4 measured rows; new flow: 4; connection: 1; request: 0; throughput: 1
  t.equal(b.length, 10);
  // packet panel: largest max is nftables' 900 -> 560 px; velox's median 210 -> 130.7 px
  t.equal(b[1]!.width, 130.7);
  t.equal(b[3]!.width, 466.7, 'nftables: median 750 of 900');
  t.equal(b[1]!.fill, '#e8590c', 'Velox stands out');
});

t.test('the processes’ share ends the bar, hatched', async (t) => {
  const svg = renderChart(summarize(rawRun()));
  const hatched = [
    ...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)" [^>]*class="processes"\/>/g),
  ];
  // only HAProxy's connection row has a processes' share: half of its 560 px bar
  t.equal(hatched.length, 1);
  t.equal(Number(hatched[0]![1]), 170 + 280);
  t.equal(Number(hatched[0]![2]), 280);
});

t.test('labels, n/a reasons and failures are written out, escaped', async (t) => {
  const svg = renderChart(summarize(rawRun()));
  t.match(svg, `>${SHORT[VARIANT.velox]}</text>`);
  t.match(svg, '>n/a: no UDP</text>');
  t.match(svg, '0.40× kernel');
  t.notMatch(svg, /<died>/);
  t.match(svg, 'Per forwarded packet (UDP, established flows): balancer ns/packet');
  t.match(svg, '2030-01-02, 2 round(s)');
  const quick = renderChart(summarize({ ...rawRun(), quick: true }));
  t.match(quick, 'QUICK smoke run');
});

t.test('a failed row says so instead of drawing a bar', async (t) => {
  const run = rawRun();
  run.samples[VARIANT.velox]!.packet = [{ error: 'agent <died>' }];
  const svg = renderChart(summarize(run));
  t.match(svg, '>failed: agent &#60;died&#62;</text>');
  t.equal(bars(svg).length, 9);
});
