// The README's chart: one panel per figure, one bar per variant for the balancer's CPU
// cost (median, with a min–max whisker), each panel on its own scale. Plain SVG text
// built here from the results, so the chart needs no charting library. Pure.
import { SHORT, VARIANT } from './figures.js';
import type { DataplaneResult, FigureResult, Row } from './summary.js';

const WIDTH = 960;
const LABEL_W = 170;
const BAR_W = 560;
const ROW_H = 20;
const PANEL_GAP = 18;
const TITLE_H = 22;

const COLOR: Record<string, string> = {
  [VARIANT.drop]: '#adb5bd',
  [VARIANT.fwd]: '#74c0fc',
  [VARIANT.velox]: '#e8590c',
  [VARIANT.kernel]: '#495057',
  [VARIANT.nft]: '#9775fa',
  [VARIANT.haproxy]: '#20c997',
};

export function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const text = (x: number, y: number, s: string, attrs = ''): string =>
  `<text x="${x}" y="${y}"${attrs ? ` ${attrs}` : ''}>${escapeXml(s)}</text>`;

const fmt = (x: number, digits: number): string => x.toFixed(digits);

function rowSvg(r: Row, f: FigureResult, y: number, maxCost: number, reference: string): string[] {
  const label = text(LABEL_W - 8, y + 14, SHORT[r.variant] ?? r.variant, 'text-anchor="end"');
  if (r.na || !r.cost) {
    const why = r.na
      ? `n/a: ${r.na}`
      : r.failures.length
        ? `failed: ${r.failures.join('; ')}`
        : 'not measured';
    return [label, text(LABEL_W + 4, y + 14, why, 'class="na"')];
  }
  const scale = BAR_W / maxCost;
  const w = Math.max(1, r.cost.median * scale);
  const x0 = LABEL_W + r.cost.min * scale;
  const x1 = LABEL_W + r.cost.max * scale;
  const ratio = r.vsReference && r.variant !== reference ? `, ${fmt(r.vsReference.median, 2)}× kernel` : '';
  const value = `${fmt(r.cost.median * f.cost.scale, f.cost.digits)}${ratio}`;
  const fill = COLOR[r.variant] ?? '#868e96';
  // The processes' part (agent, HAProxy) ends the bar, hatched, so the NAPI part stays visible.
  const pw = w * (r.processShare?.median ?? 0);
  const processes =
    pw >= 0.5
      ? [
          `<rect x="${(LABEL_W + w - pw).toFixed(1)}" y="${y + 3}" width="${pw.toFixed(1)}" height="${ROW_H - 6}" fill="url(#processes)" class="processes"/>`,
        ]
      : [];
  return [
    label,
    `<rect x="${LABEL_W}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW_H - 6}" fill="${fill}"/>`,
    ...processes,
    `<line x1="${x0.toFixed(1)}" x2="${x1.toFixed(1)}" y1="${y + ROW_H / 2}" y2="${y + ROW_H / 2}" class="whisker"/>`,
    text(Math.max(LABEL_W + w, x1) + 6, y + 14, value),
  ];
}

/** The chart for `r` as a standalone SVG document. */
export function renderChart(r: DataplaneResult): string {
  const parts: string[] = [];
  let y = 72;
  for (const f of r.figures) {
    parts.push(text(8, y + 15, `${f.title}: ${f.cost.label}`, 'class="panel"'));
    y += TITLE_H + 4;
    const maxCost = Math.max(1e-9, ...f.rows.flatMap((row) => (row.na || !row.cost ? [] : [row.cost.max])));
    for (const row of f.rows) {
      parts.push(...rowSvg(row, f, y, maxCost, r.reference));
      y += ROW_H;
    }
    y += PANEL_GAP;
  }
  const height = y + 10;
  const machine = [r.machine.cpu, r.machine.kernel && `Linux ${r.machine.kernel}`].filter(Boolean).join(', ');
  const subtitle =
    `${r.date.slice(0, 10)}, ${r.options.rounds} round(s), median with min–max; ${machine}` +
    (r.quick ? ' — QUICK smoke run' : '');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    '<style>.panel{font-weight:bold;font-size:13px}.na{fill:#868e96;font-style:italic}' +
      '.whisker{stroke:#212529;stroke-width:1.5}.title{font-weight:bold;font-size:16px}</style>',
    '<defs><pattern id="processes" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">' +
      '<rect width="6" height="6" fill="#ffffff" fill-opacity="0.55"/><line x1="0" y1="0" x2="0" y2="6" stroke="#212529" stroke-width="1.5"/></pattern></defs>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(8, 22, 'Velox data plane: balancer CPU per unit of work (shorter is better)', 'class="title"'),
    text(8, 40, subtitle),
    text(
      8,
      56,
      'Hatched: the part spent in the balancer’s processes (the agent, HAProxy); the rest is its NAPI threads.',
    ),
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
