// The report page in Debian's Chromium, driven by playwright-core, against the real
// server and data prepared by tests/it/browser.rs. Set IMPACT_SCREENSHOTS=DIR to keep
// screenshots (docs/screenshots holds the committed ones).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const BASE = process.env.IMPACT_BASE_URL;
const SECRET = process.env.IMPACT_JWT_SECRET;
const DATABASE = process.env.IMPACT_TEST_DATABASE_URL;
const SHOTS = process.env.IMPACT_SCREENSHOTS;
const OCTOBER = '/reports/ai-agent-impact?from=2026-10-01&to=2026-10-31';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 740 };

let browser;
before(async () => {
  assert.ok(BASE && SECRET && DATABASE, 'run through `cargo test --test it browser::`');
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  if (SHOTS) mkdirSync(SHOTS, { recursive: true });
});
after(async () => { await browser?.close(); });

function token(org, role, locale = 'en') {
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'HS256', typ: 'JWT' });
  const payload = encode({ sub: `browser-${role}`, org_id: org, role, locale, exp: Math.floor(Date.now() / 1000) + 3600 });
  const signature = createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

async function api(org, role, path, options = {}) {
  const response = await fetch(`${BASE}${path}`, {
    ...options,
    headers: { Authorization: `Bearer ${token(org, role)}`, 'Content-Type': 'application/json', ...(options.headers || {}) },
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** A page signed in as this person, opened at `path`. */
async function open(org, role, path, { locale = 'en', viewport = DESKTOP } = {}) {
  // CSP stays on for the page itself; bypassing it only lets axe be injected.
  const context = await browser.newContext({ viewport, bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${BASE}/auth/handoff?token=${token(org, role, locale)}&next=${encodeURIComponent(path)}`);
  // The handoff answers with a page of its own that moves on to `path`.
  await page.waitForURL((url) => !url.pathname.startsWith('/auth/'));
  page.jsErrors = errors;
  return page;
}

function sql(statement) {
  execFileSync('psql', [DATABASE, '-q', '-c', statement]);
}

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function axe(page, name) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), [], `${name}: axe`);
}

const text = (page, selector) => page.locator(selector).first().innerText();

test('success in English at desktop width shows the API\'s figures in plain words', async () => {
  const { body: report } = await api('org_demo', 'owner', '/api/v1/reports/ai-agent-impact?from=2026-10-01&to=2026-10-31');
  const page = await open('org_demo', 'owner', OCTOBER);
  assert.equal(await page.locator('[data-state]').getAttribute('data-state'), 'success');
  assert.equal(await text(page, '[data-testid=net-rate]'), `${Math.round(report.containment.net_rate * 100)}%`);
  assert.equal(await text(page, '[data-testid=net-verdict]'), `● ${report.verdicts.net_containment.label}`);
  assert.equal(await text(page, '[data-testid=headline]'), report.headline);
  assert.match(await text(page, '[data-testid=hero]'), /Leaves out customers who came back within 2 days/);
  assert.equal(await page.locator('[data-testid=before-adjustment]').isVisible(), false, 'the before-adjustment figure is one click away');
  await page.click('summary');
  assert.match(await text(page, '[data-testid=before-adjustment]'),
    /^Closed by the AI alone: 52% \(11 of the 21 counted conversations\)\s+Closed by the AI, but the customer came back: 5% \(1 of the 21 counted conversations\)$/);
  assert.match(await text(page, '[data-testid=hero-base]'), /^10 of the 21 counted conversations$/);
  // How sure the hero is, from the API's own interval (21 conversations: wide).
  const [low, high] = report.containment.net_rate_interval.map((rate) => `${Math.round(rate * 100)}%`);
  assert.equal(await text(page, '[data-testid=hero-range]'), `Most likely between ${low} and ${high}.`);
  assert.match(await text(page, '[data-testid=volume]'), /21[\s\S]*17 of them/);
  assert.match(await text(page, '[data-testid=after-hours]'), /5[\s\S]*29% of the conversations[\s\S]*Always-on/);
  // English writes its numbers its own way (CLDR): 1.0 and Rp 40,000.
  assert.match(await text(page, '[data-testid=time-saved]'), /1\.0 hours[\s\S]*Rp 40,000, by your own cost numbers/);
  assert.equal(await text(page, '[data-testid=money-sum]'),
    'Worked out from your own numbers: 10 conversations solved on their own × 6 min = 60 min, or 1.0 hours; × Rp 40,000 an hour ≈ Rp 40,000.');
  const legend = await page.locator('.legend li').allInnerTexts();
  // Over all 21 counted: the hero's 48% first, then the one who came back, and the
  // rest made up to 100 (METRICS.md §4.5).
  assert.deepEqual(legend.map((l) => l.replace(/\s+/g, ' ').trim()), [
    'Solved on its own: 48% (10)', 'Closed by the AI, but the customer came back: 5% (1)',
    'AI helped, then your team took over: 9% (2)', 'Handed to your team: 19% (4)', 'No clear outcome: 19% (4)',
  ]);
  assert.match(await text(page, '[data-testid=bar-caption]'), /share of all 21 counted conversations/);
  assert.match(await text(page, '[data-testid=ledger-split]'),
    /Solved on its own 10; Closed by the AI, but the customer came back 1; AI helped, then your team took over 2; Handed to your team 4; No clear outcome 4\./);
  // Four moods a side are too few to compare: no verdict, and the tile says why.
  assert.equal(report.verdicts.sentiment, null);
  assert.match(await text(page, '[data-testid=mood-too-few]'),
    /^Too few conversations with a recorded mood to compare: 4 solved by the AI alone and 4 with your team \(at least 30 of each are needed\)\.$/);
  assert.doesNotMatch(await text(page, '[data-testid=mood]'), /More positive|Less positive/);
  assert.match(await text(page, '[data-testid=mood-note]'), /only 47% of conversations/);
  assert.match(await text(page, '[data-testid=turns]'), /1\.7[\s\S]*Quick/);
  assert.ok(await page.locator('[data-testid=trend] line.line').count() > 0, 'the trend is drawn');
  assert.match(await text(page, '[data-testid=freshness]'), /up to 1 Nov 2026 \(WIB\)/);
  const words = await page.locator('main').innerText();
  for (const jargon of ['net', 'gross', 'RESOLVE', 'ai_only', 'Phase']) assert.ok(!words.includes(jargon), `no "${jargon}" on the page`);
  // The tab shows the product's icon.
  const icon = await page.locator('link[rel=icon]').getAttribute('href');
  for (const path of [icon, '/favicon.ico']) {
    const response = await fetch(`${BASE}${path}`);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get('content-type'), 'image/svg+xml', path);
  }
  await shot(page, 'success-en-desktop');
  await axe(page, 'success');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

/**
 * Every figure's name with its value on this page: the figures the page marks, and
 * every other place its text says "name: value". Fails when one name has two values.
 */
async function figureNames(page, where) {
  await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
  const marked = await page.locator('[data-figure]').evaluateAll((nodes) =>
    nodes.map((node) => [node.getAttribute('data-figure'), node.textContent.trim()]));
  const names = new Map();
  for (const [name, value] of marked) {
    // A name may carry a percentage and a count; each must be one value.
    const key = `${name} ${value.endsWith('%') ? '%' : '#'}`;
    assert.equal(names.get(key) ?? value, value, `${where}: "${name}" shows ${names.get(key)} and ${value}`);
    names.set(key, value);
  }
  const words = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
  for (const [key, value] of names) {
    const name = key.slice(0, -2).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    for (const said of words.matchAll(new RegExp(`${name}:? (\\d[\\d.,]*%)`, 'g'))) {
      if (key.endsWith('%')) assert.equal(said[1], value, `${where}: "${key.slice(0, -2)}" is also said as ${said[1]}`);
    }
  }
  return names;
}

test('no two figures carry the same name with different values, in either language', async () => {
  const ranges = ['from=2026-10-01&to=2026-10-31', 'from=2026-10-01&to=2026-10-15', 'from=2026-10-10&to=2026-10-31'];
  for (const locale of ['en', 'id']) {
    for (const range of ranges) {
      const page = await open('org_demo', 'owner', `/reports/ai-agent-impact?${range}`, { locale });
      const where = `${locale} ${range}`;
      if ((await page.locator('[data-state]').getAttribute('data-state')) !== 'success') {
        await page.context().close();
        continue;
      }
      const names = await figureNames(page, where);
      // The hero and the bar's first part are one figure under one name.
      const solved = locale === 'en' ? 'Solved on its own' : 'Diselesaikan sendiri';
      assert.ok(names.has(`${solved} %`), `${where}: the hero is named`);
      assert.equal(await page.locator(`.legend [data-figure="${solved}"]`).innerText(), names.get(`${solved} %`));
      assert.ok(names.size >= 5, `${where}: the bar's parts are named (${[...names.keys()]})`);
      await page.context().close();
    }
  }
});

test('success in Bahasa Indonesia at phone width', async () => {
  const page = await open('org_demo', 'owner', OCTOBER, { locale: 'id', viewport: PHONE });
  assert.equal(await page.getAttribute('html', 'lang'), 'id');
  assert.match(await text(page, '[data-testid=hero]'), /Diselesaikan sendiri[\s\S]*48%[\s\S]*Sehat/);
  assert.match(await text(page, '[data-testid=time-saved]'), /1,0 jam[\s\S]*Rp 40\.000/);
  assert.match(await text(page, '[data-testid=money-sum]'), /10 percakapan selesai sendiri × 6 menit = 60 menit, atau 1,0 jam; × Rp 40\.000 per jam ≈ Rp 40\.000/);
  assert.match(await text(page, '[data-testid=freshness]'), /sampai 1 Nov 2026/);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `no sideways scrolling on a phone (${width}px)`);
  // Every word of the chart is at least 11 px as drawn, however narrow the screen.
  const sizes = await page.locator('[data-testid=trend]').evaluate((chart) => {
    const drawn = [];
    for (const node of chart.querySelectorAll('text, .x-axis span, .provisional-key')) {
      if (node.closest('.sr-only')) continue;
      const scale = node.getScreenCTM ? node.getScreenCTM().a : 1;
      drawn.push([node.textContent, parseFloat(getComputedStyle(node).fontSize) * scale]);
    }
    return drawn;
  });
  assert.ok(sizes.length >= 7, `the chart has its labels: ${JSON.stringify(sizes)}`);
  for (const [label, size] of sizes) assert.ok(size >= 11, `"${label}" is drawn at ${size.toFixed(1)} px`);
  // Each point names its day and figure for the mouse, and a table says them all
  // to a screen reader.
  const titles = await page.locator('[data-testid=trend] circle.dot title').allTextContents();
  // One conversation that day: its range is wide, and the title says so.
  assert.ok(titles.includes('1 Okt 2026: 100% (kemungkinan besar antara 21% dan 100%)'), titles.join(' | '));
  const rows = await page.locator('[data-testid=trend-table] tr').count();
  assert.equal(rows, 31, 'one row a day');
  assert.match(await page.locator('[data-testid=trend-table] tr').nth(1).innerText(), /2 Okt 2026\s+0%/);
  await shot(page, 'success-id-phone');
  await axe(page, 'success (id, phone)');
  // The language switch keeps the range.
  await page.click('[data-lang-switch]');
  await page.waitForURL(/lang=en/);
  assert.match(page.url(), /from=2026-10-01&to=2026-10-31/);
  assert.match(await text(page, '[data-testid=hero]'), /Solved on its own/);
  await shot(page, 'success-en-phone');
  await page.context().close();
  const desktop = await open('org_demo', 'owner', OCTOBER, { locale: 'id' });
  await shot(desktop, 'success-id-desktop');
  await desktop.context().close();
});

test('printed, the report is one A4 page with what it covers and none of the controls, in both languages', async () => {
  for (const locale of ['en', 'id']) {
    const page = await open('org_demo', 'owner', OCTOBER, { locale });
    const print = page.locator('[data-print]');
    assert.equal(await print.isVisible(), true, 'a print button');
    assert.equal(await print.innerText(), locale === 'en' ? 'Print or save as PDF' : 'Cetak atau simpan sebagai PDF');
    await page.emulateMedia({ media: 'print' });
    const pdf = `${process.env.TMPDIR || '/tmp'}/impact-print-${locale}-${process.pid}.pdf`;
    await page.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
    // The screenshot is the printed page itself, as poppler draws the PDF.
    if (SHOTS) execFileSync('pdftoppm', ['-png', '-r', '80', '-singlefile', pdf, `${SHOTS}/print-${locale}`]);
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    assert.match(info, /^Pages:\s+1$/m, `${locale}: one page\n${info}`);
    assert.match(info, /^Page size:\s+59[45](\.\d+)? x 84[12](\.\d+)? pts \(A4\)/m, `${locale}: A4 portrait\n${info}`);
    const words = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    const expected = locale === 'en'
      ? ['Toko Demo', 'Period: 1 Oct 2026 to 31 Oct 2026 (WIB)', 'up to 1 Nov 2026', 'your own estimate', 'Solved on its own', '48%']
      : ['Toko Demo', 'Periode: 1 Okt 2026 sampai 31 Okt 2026 (WIB)', 'sampai 1 Nov 2026', 'perkiraan Anda sendiri', 'Diselesaikan sendiri', '48%'];
    for (const part of expected) assert.ok(words.includes(part), `${locale}: the printed page says "${part}": ${words}`);
    const controls = locale === 'en'
      ? ['Show', 'Sign out', 'Bahasa Indonesia', 'Print or save as PDF', 'Your cost numbers', 'Download', 'Last 7 days']
      : ['Tampilkan', 'Keluar', 'English', 'Cetak atau simpan', 'Angka biaya Anda', 'Unduh', '7 hari terakhir'];
    for (const control of controls) assert.ok(!words.includes(control), `${locale}: no "${control}" on paper: ${words}`);
    await page.context().close();
  }
});

test('claims chance cannot explain: a range under the hero, "about the same", a decimal on a threshold, the band', async () => {
  const october = '/reports/ai-agent-impact?from=2026-10-01&to=2026-10-31';
  const { body: report } = await api('org_calm', 'owner', '/api/v1/reports/ai-agent-impact?from=2026-10-01&to=2026-10-31');
  assert.equal(report.status, 'ok');
  assert.equal(report.containment.net_rate, 0.4);
  assert.equal(report.period_before.levels.net_rate, 'about_the_same');
  assert.equal(report.trend.baseline.level, 'up');
  const words = {
    en: {
      hero: '40.0%', verdict: 'Healthy', range: 'Most likely between 37% and 43%.',
      change: 'about the same as the 31 days before: a move of 2 points is normal at this volume',
      headline: 'That is up from 26% in your first 30 days with the AI.', moves: /\b(up|down)\b/,
      band: 'where each point most likely lies',
    },
    id: {
      hero: '40,0%', verdict: 'Sehat', range: 'Kemungkinan besar antara 37% dan 43%.',
      change: 'kurang lebih sama dengan 31 hari sebelumnya: selisih 2 poin masih wajar untuk jumlah percakapan sebanyak ini',
      headline: 'Itu naik dari 26% pada 30 hari pertama Anda dengan AI.', moves: /\b(naik|turun)\b/,
      band: 'rentang yang paling mungkin untuk tiap titik',
    },
  };
  for (const [locale, expected] of Object.entries(words)) {
    const page = await open('org_calm', 'owner', october, { locale });
    assert.equal(await page.locator('[data-state]').getAttribute('data-state'), 'success');
    // Exactly on the Healthy threshold: written with its decimal, one verdict.
    assert.equal(await text(page, '[data-testid=net-rate]'), expected.hero);
    assert.match(await text(page, '[data-testid=net-verdict]'), new RegExp(expected.verdict));
    assert.equal(await page.locator('.legend [data-list=solved_alone] strong').innerText(), expected.hero, 'the bar writes the hero as the hero does');
    assert.equal(await text(page, '[data-testid=hero-range]'), expected.range);
    const change = await text(page, '[data-testid=change-net-rate]');
    assert.equal(change, expected.change);
    assert.doesNotMatch(change, expected.moves, `${locale}: no move word beside about_the_same`);
    assert.ok((await text(page, '[data-testid=headline]')).includes(expected.headline), `${locale}: headline`);
    // The range of every trend point, drawn lightly behind the line, with its key.
    assert.ok(await page.locator('[data-testid=trend] polygon.range-band').count() >= 1, 'the band is drawn');
    assert.match(await text(page, '[data-testid=trend] .band-key'), new RegExp(expected.band));
    const titles = await page.locator('[data-testid=trend] circle.dot title').allTextContents();
    const between = locale === 'en' ? /\(most likely between \d+% and \d+%\)$/ : /\(kemungkinan besar antara \d+% dan \d+%\)$/;
    assert.ok(titles.every((title) => between.test(title)), `each point says its range: ${titles.slice(0, 3).join(' | ')}`);
    await shot(page, `calm-${locale}`);
    if (locale === 'en') await axe(page, 'a comparison within chance');
    await page.context().close();
  }
  // One day with no conversations of a mature organization: a longer range, never "new".
  for (const [locale, title, holds] of [['en', 'Choose a longer range', 'This range holds 0 counted conversations.'],
    ['id', 'Pilih rentang yang lebih panjang', 'Rentang ini berisi 0 percakapan terhitung.']]) {
    const page = await open('org_calm', 'owner', '/reports/ai-agent-impact?from=2026-10-20&to=2026-10-20', { locale });
    assert.equal(await page.locator('[data-state]').getAttribute('data-state'), 'baseline-forming');
    const main = await page.locator('main').innerText();
    assert.ok(main.includes(title) && main.includes(holds), `${locale}: ${main}`);
    for (const never of ['getting ready', 'sedang disiapkan', 'So far', 'Sejauh ini']) assert.ok(!main.includes(never), `${locale}: no "${never}": ${main}`);
    await page.context().close();
  }
  const { body: day } = await api('org_calm', 'owner', '/api/v1/reports/ai-agent-impact?from=2026-10-20&to=2026-10-20');
  assert.equal(day.baseline_forming_reason, 'few_conversations');
});

test('baseline forming shows volume and a friendly note, no percentage anywhere', async () => {
  for (const [locale, viewport, name] of [['en', DESKTOP, 'baseline-forming-en-desktop'], ['id', PHONE, 'baseline-forming-id-phone']]) {
    const page = await open('org_other', 'admin', OCTOBER, { locale, viewport });
    assert.equal(await page.locator('[data-state]').getAttribute('data-state'), 'baseline-forming');
    const main = await page.locator('main').innerText();
    assert.ok(!main.includes('%'), `no percentage: ${main}`);
    assert.match(main, locale === 'en' ? /getting ready[\s\S]*29 days/ : /sedang disiapkan[\s\S]*29 hari/);
    // 29 days of the 30 (this server needs one conversation): ready the day after.
    assert.match(main, locale === 'en' ? /Your full report will be ready from 1 Nov 2026\./ : /Laporan lengkap Anda siap mulai 1 Nov 2026\./);
    await shot(page, name);
    if (locale === 'en') {
      await axe(page, 'baseline forming');
      // The daily series can be downloaded while forming too: volume only.
      const [daily] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-daily-csv]')]);
      const rows = readFileSync(await daily.path(), 'utf8').trim().split('\r\n').slice(1).map((line) => line.split(','));
      assert.ok(rows.length > 1, 'days and the whole period');
      for (const row of rows) {
        assert.ok(row[2] !== '' && row.slice(6).every((cell) => cell === ''), `volume only while forming: ${row}`);
      }
    }
    await page.context().close();
  }
});

test('an unreadable datamart shows the error state, and Retry recovers', async () => {
  const path = '/reports/ai-agent-impact?from=2026-10-02&to=2026-10-30';
  sql('ALTER TABLE ai_activity_logs RENAME COLUMN eligible TO eligible_broken');
  let page;
  try {
    page = await open('org_demo', 'owner', path);
    assert.equal(await page.locator('[data-state]').getAttribute('data-state'), 'error');
    assert.match(await page.locator('main').innerText(), /We couldn't load your report\./);
    await shot(page, 'error-en-desktop');
    await axe(page, 'error');
    const phone = await open('org_demo', 'owner', path, { locale: 'id', viewport: PHONE });
    assert.match(await phone.locator('main').innerText(), /Kami tidak dapat memuat laporan Anda/);
    await shot(phone, 'error-id-phone');
    await phone.context().close();
  } finally {
    sql('ALTER TABLE ai_activity_logs RENAME COLUMN eligible_broken TO eligible');
  }
  await page.click('[data-retry]');
  await page.locator('[data-state=success]').waitFor();
  const { body: report } = await api('org_demo', 'owner', '/api/v1/reports/ai-agent-impact?from=2026-10-02&to=2026-10-30');
  assert.equal(await text(page, '[data-testid=net-rate]'), `${Math.round(report.containment.net_rate * 100)}%`);
  await page.context().close();
});

test('a failed tile group shows its own placeholder while the rest renders', async () => {
  sql('ALTER TABLE ai_activity_logs RENAME COLUMN other TO other_broken');
  try {
    const page = await open('org_demo', 'owner', '/reports/ai-agent-impact?from=2026-10-03&to=2026-10-29');
    assert.equal(await page.locator('[data-state]').getAttribute('data-state'), 'success');
    assert.match(await text(page, '[data-testid=journey-failed]'), /couldn't load this part/);
    assert.match(await text(page, '[data-testid=net-rate]'), /%$/);
    await page.context().close();
  } finally {
    sql('ALTER TABLE ai_activity_logs RENAME COLUMN other_broken TO other');
  }
});

test('the range selector keeps the chosen range in the URL', async () => {
  const page = await open('org_demo', 'supervisor', OCTOBER);
  await page.selectOption('[data-preset]', 'custom');
  await page.fill('#from', '2026-10-05');
  await page.fill('#to', '2026-10-20');
  await page.click('form[data-range-form] button[type=submit]');
  await page.waitForURL(/from=2026-10-05&to=2026-10-20/);
  await page.locator('[data-state=success]').waitFor();
  assert.match(await text(page, '[data-testid=headline]'), /From 5 Oct 2026 to 20 Oct 2026/);
  // A range longer than 12 months is refused on the page, with words.
  await page.fill('#from', '2025-01-01');
  await page.click('form[data-range-form] button[type=submit]');
  assert.match(await text(page, '[data-range-error]'), /at most 12 months/);
  assert.match(page.url(), /from=2026-10-05/, 'the URL keeps the last good range');
  // While a range loads, skeletons show instead of old figures.
  await page.route('**/reports/ai-agent-impact/body*', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 700));
    await route.continue();
  });
  await page.fill('#from', '2026-10-06');
  await page.click('form[data-range-form] button[type=submit]');
  await page.locator('[data-state=loading]').waitFor();
  assert.equal(await page.locator('main').getAttribute('aria-busy'), 'true');
  await shot(page, 'loading-en-desktop');
  await page.locator('[data-state=success]').waitFor();
  await page.unroute('**/reports/ai-agent-impact/body*');
  // The link shows the same report when opened afresh.
  const again = await page.context().newPage();
  await again.goto(page.url());
  assert.equal(await text(again, '[data-testid=headline]'), await text(page, '[data-testid=headline]'));
  await page.context().close();
});

test('roles: a supervisor sees no editor; an agent and an organization without the add-on see no report', async () => {
  const supervisor = await open('org_demo', 'supervisor', OCTOBER);
  assert.equal(await supervisor.locator('.gear').count(), 0);
  assert.equal(await supervisor.locator('[data-costs-dialog]').count(), 0);
  assert.match(await text(supervisor, '[data-testid=time-saved]'), /Rp 40,000/);
  await supervisor.context().close();
  // Anyone without the report learns nothing more; the owner of an organization
  // without the add-on is told why. Each page leads to their reports and out.
  for (const [org, role, words] of [
    ['org_demo', 'agent', /There is no report for you here/],
    ['org_demo', 'billing', /There is no report for you here/],
    ['org_plain', 'owner', /comes with the AI Agent add-on/],
  ]) {
    const page = await open(org, role, OCTOBER);
    const body = await page.locator('body').innerText();
    assert.match(body, words, `${org} ${role}`);
    assert.ok(!body.includes('%'), `${org} ${role} sees no figure`);
    assert.equal(await page.locator('a[href^="/reports?lang="]').count(), 1, `${org} ${role}: a way back`);
    assert.equal(await page.locator('form[action="/auth/sign-out"]').count(), 1, `${org} ${role}: a way out`);
    await axe(page, `no report (${org} ${role})`);
    await page.context().close();
  }
  const reports = await open('org_demo', 'admin', '/reports');
  assert.match(await reports.locator('main').innerText(), /AI agent impact/);
  await reports.context().close();
});

test('page weight and time until the report is visible', async () => {
  const page = await open('org_demo', 'owner', OCTOBER);
  // Five cold loads of the page; the report is visible when its headline is.
  const visible = [];
  for (let i = 0; i < 5; i += 1) {
    const started = Date.now();
    await page.goto(`${BASE}/reports/ai-agent-impact?from=2026-09-0${i + 1}&to=2026-10-31`, { waitUntil: 'commit' });
    await page.locator('[data-testid=headline]').waitFor({ state: 'visible' });
    visible.push(Date.now() - started);
  }
  visible.sort((a, b) => a - b);
  await page.reload({ waitUntil: 'load' });
  const numbers = await page.evaluate(() => {
    const navigation = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const paint = performance.getEntriesByType('paint').find((e) => e.name === 'first-contentful-paint');
    const size = (e) => e.encodedBodySize || e.decodedBodySize || 0;
    return {
      html_bytes: size(navigation),
      css_bytes: resources.filter((r) => r.name.endsWith('.css')).reduce((n, r) => n + size(r), 0),
      js_bytes: resources.filter((r) => r.name.endsWith('.js')).reduce((n, r) => n + size(r), 0),
      first_contentful_paint_ms: paint ? Math.round(paint.startTime) : null,
      dom_content_loaded_ms: Math.round(navigation.domContentLoadedEventEnd),
    };
  });
  numbers.report_visible_ms = { median: visible[2], max: visible[4] };
  console.log(`PERFORMANCE ${JSON.stringify(numbers)}`);
  assert.ok(numbers.html_bytes > 0);
  await page.context().close();
});

test('the cost dialog: keyboard, invalid values, and a save that updates the figures without a reload', async () => {
  const page = await open('org_demo', 'owner', OCTOBER);
  await page.click('.gear');
  const dialog = page.locator('[data-costs-dialog]');
  assert.equal(await dialog.isVisible(), true);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'agent_hour_rate');
  for (let i = 0; i < 6; i += 1) await page.keyboard.press('Tab');
  assert.ok(await page.evaluate(() => !!document.activeElement.closest('[data-costs-dialog]')), 'focus stays inside');
  await page.keyboard.press('Escape');
  assert.equal(await dialog.isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('gear')), true, 'focus returns to the gear');

  await page.click('.gear');
  await page.fill('#agent_hour_rate', '500');
  await page.fill('#minutes_per_conversation', '600');
  await page.click('[data-save-costs]');
  await page.locator('[data-error-for=agent_hour_rate]:not(:empty)').waitFor();
  assert.match(await text(page, '[data-error-for=agent_hour_rate]'), /from 1,000 to 10,000,000/);
  assert.match(await text(page, '[data-error-for=minutes_per_conversation]'), /from 1 to 480/);
  await shot(page, 'modal-invalid-en-desktop');
  await axe(page, 'cost dialog');
  const { body: unchanged } = await api('org_demo', 'owner', '/api/v1/reports/ai-agent-impact/cost-assumption');
  assert.equal(unchanged.agent_hour_rate, 40000, 'nothing was stored');

  await page.click('[data-close-costs]');
  await page.evaluate(() => { window.stillTheSamePage = true; });
  await page.click('.gear');
  await page.fill('#agent_hour_rate', '60.000');
  await page.fill('#minutes_per_conversation', '6');
  // A slow save shows its saving state.
  await page.route('**/cost-assumption*', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 600));
    await route.continue();
  });
  await page.click('[data-save-costs]');
  assert.equal(await text(page, '[data-save-costs]'), 'Saving…');
  assert.equal(await page.locator('#agent_hour_rate').isDisabled(), true);
  await page.locator('[data-testid=saved-money]', { hasText: 'Rp 60,000' }).waitFor();
  assert.equal(await dialog.isVisible(), false);
  assert.equal(await page.evaluate(() => window.stillTheSamePage), true, 'no full reload');
  await page.context().close();

  const phone = await open('org_demo', 'admin', OCTOBER, { locale: 'id', viewport: PHONE });
  await phone.click('.gear');
  await shot(phone, 'modal-id-phone');
  await phone.fill('#minutes_per_conversation', 'enam');
  await phone.click('[data-save-costs]');
  await phone.locator('[data-error-for=minutes_per_conversation]:not(:empty)').waitFor();
  assert.match(await text(phone, '[data-error-for=minutes_per_conversation]'), /bilangan bulat/);
  // A decimal is not a grouped thousand: 7,5 minutes is refused, never saved as 75.
  await phone.fill('#minutes_per_conversation', '7,5');
  await phone.click('[data-save-costs]');
  await phone.locator('[data-error-for=minutes_per_conversation]:not(:empty)').waitFor();
  assert.match(await text(phone, '[data-error-for=minutes_per_conversation]'), /bilangan bulat/);
  const { body: kept } = await api('org_demo', 'owner', '/api/v1/reports/ai-agent-impact/cost-assumption');
  assert.notEqual(kept.minutes_per_conversation, 75, 'a decimal is never read as thousands');
  await shot(phone, 'modal-invalid-id-phone');
  await phone.context().close();
  const restored = await api('org_demo', 'owner', '/api/v1/reports/ai-agent-impact/cost-assumption', {
    method: 'PUT', body: JSON.stringify({ agent_hour_rate: 40000, minutes_per_conversation: 6 }),
  });
  assert.equal(restored.status, 200);
});

test('her money in her language: CLDR numbers, the sum to redo on paper, a whole month at its price, nothing charged past the data', async () => {
  const saved = await api('org_calm', 'owner', '/api/v1/reports/ai-agent-impact/cost-assumption', {
    method: 'PUT', body: JSON.stringify({ agent_hour_rate: 45000, minutes_per_conversation: 6, ai_price_per_month: 1500000 }),
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
  // October (its data ends on 31 Oct) is a whole calendar month: exactly the price.
  const report = async (range) => (await api('org_calm', 'owner', `/api/v1/reports/ai-agent-impact?${range}`)).body;
  const october = await report('from=2026-10-01&to=2026-10-31');
  assert.equal(october.work_absorbed.ai_cost, 1500000, 'a whole calendar month costs the monthly price');
  assert.deepEqual(october.cost_numbers, { agent_hour_rate: 45000, minutes_per_conversation: 6, ai_price_per_month: 1500000 });
  // A range past the data: November has none, so it costs nothing and no ratio moves.
  const past = await report('from=2026-10-01&to=2026-11-30');
  assert.equal(past.counted_through, '2026-10-31');
  assert.equal(past.work_absorbed.ai_cost, 1500000);
  assert.equal(past.work_absorbed.value_ratio, october.work_absorbed.value_ratio, 'a range past the data changes no ratio');

  // 1,200 counted conversations (40 a day, none on 20 Oct), 480 solved on their own:
  // 480 × 6 min = 48 hours; × Rp 45,000 = Rp 2,160,000, 1.44 times Rp 1,500,000.
  const expected = {
    en: {
      count: '1,200', hero: '40.0%',
      sum: 'Worked out from your own numbers: 480 conversations solved on their own × 6 min = 2,880 min, or 48.0 hours; × Rp 45,000 an hour ≈ Rp 2,160,000.',
      ret: 'The AI costs you Rp 1,500,000 a month, or Rp 1,500,000 for this period: the time it saved is worth about 1.4 times what it cost.',
      paper: ['Rp 45,000 an hour', '6 minutes a conversation', 'Rp 1,500,000 a month', 'Rp 2,160,000'],
      cut: 'There is no data after 31 Oct 2026 yet',
    },
    id: {
      count: '1.200', hero: '40,0%',
      sum: 'Dihitung dari angka Anda sendiri: 480 percakapan selesai sendiri × 6 menit = 2.880 menit, atau 48,0 jam; × Rp 45.000 per jam ≈ Rp 2.160.000.',
      ret: 'Biaya AI Anda Rp 1.500.000 per bulan, atau Rp 1.500.000 untuk periode ini: waktu yang dihemat bernilai sekitar 1,4 kali biayanya.',
      paper: ['Rp 45.000 per jam', '6 menit per percakapan', 'Rp 1.500.000 per bulan', 'Rp 2.160.000'],
      cut: 'Belum ada data setelah 31 Okt 2026',
    },
  };
  for (const [locale, words] of Object.entries(expected)) {
    const page = await open('org_calm', 'owner', '/reports/ai-agent-impact?from=2026-10-01&to=2026-10-31', { locale });
    assert.ok((await text(page, '[data-testid=volume]')).split('\n').includes(words.count), `${locale}: ${words.count} counted`);
    assert.equal(await text(page, '[data-testid=net-rate]'), words.hero);
    assert.equal(await text(page, '[data-testid=money-sum]'), words.sum);
    assert.equal(await text(page, '[data-testid=ai-return]'), words.ret);
    // On paper too: the rate, the minutes and the price, to redo the sum by hand.
    await page.emulateMedia({ media: 'print' });
    const pdf = `${process.env.TMPDIR || '/tmp'}/impact-money-${locale}-${process.pid}.pdf`;
    await page.pdf({ path: pdf, format: 'A4', printBackground: true, preferCSSPageSize: true });
    assert.match(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }), /^Pages:\s+1$/m, `${locale}: still one page`);
    const paper = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const part of words.paper) assert.ok(paper.includes(part), `${locale}: the printed page says "${part}": ${paper}`);
    await page.context().close();
    // Past the data the page says where its money stops, and the return is the same.
    const later = await open('org_calm', 'owner', '/reports/ai-agent-impact?from=2026-10-01&to=2026-11-30', { locale });
    assert.equal(await text(later, '[data-testid=ai-return]'), words.ret);
    assert.ok((await later.locator('main').innerText()).includes(words.cut), `${locale}: the cut is said`);
    await later.context().close();
  }
});

test('the projected month is drawn filled, never hollow like a point that can still change', async () => {
  const page = await open('org_calm', 'owner', '/reports/ai-agent-impact?from=2026-10-01&to=2026-10-31');
  const projected = page.locator('[data-testid=trend] circle.projected');
  // The months behind a projection are read within the report's time limit and
  // then kept; on a busy machine the first read may be left out, so look again.
  for (let tries = 0; tries < 5 && (await projected.count()) === 0; tries += 1) {
    await page.waitForTimeout(500);
    await page.reload();
  }
  assert.equal(await projected.count(), 1, 'next month is projected');
  // How the chart draws each kind of point, read from the page's own style.
  const drawn = await page.locator('[data-testid=trend] svg.trend').evaluate((svg) => {
    const look = (className) => {
      const probe = document.createElementNS('http://www.w3.org/2000/svg', 'circle');
      probe.setAttribute('class', className);
      svg.appendChild(probe);
      const style = getComputedStyle(probe);
      const seen = { fill: style.fill, opacity: Number(style.fillOpacity) };
      probe.remove();
      return seen;
    };
    return { projected: look('projected'), provisional: look('dot provisional'), dot: look('dot') };
  });
  assert.notEqual(drawn.projected.fill, drawn.provisional.fill, `not hollow: ${JSON.stringify(drawn)}`);
  assert.equal(drawn.projected.fill, drawn.dot.fill, 'filled in the line\'s colour');
  assert.ok(drawn.projected.opacity > 0.3 && drawn.projected.opacity < 1, `a lighter shade: ${JSON.stringify(drawn)}`);
  await page.context().close();
});

test('Back after a preset and a language switch shows the range the address bar names', async () => {
  const page = await open('org_calm', 'owner', '/reports/ai-agent-impact', { locale: 'en' });
  // Opened without a range, the address names the default one it shows.
  await page.waitForURL(/from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d/);
  const first = new URL(page.url());
  const firstHeadline = await text(page, '[data-testid=headline]');
  await page.selectOption('[data-preset]', 'last_7');
  await page.click('form[data-range-form] button[type=submit]');
  await page.waitForURL((url) => url.searchParams.get('from') !== first.searchParams.get('from'));
  await page.locator('[data-state]').first().waitFor();
  const chosen = new URL(page.url());
  await page.click('[data-lang-switch]');
  await page.waitForURL(/lang=id/);
  assert.equal(new URL(page.url()).searchParams.get('from'), chosen.searchParams.get('from'), 'the switch keeps the range');
  await page.goBack();
  await page.waitForURL((url) => url.searchParams.get('lang') === 'en');
  const shows = async () => ({
    from: await page.locator('#from').inputValue(),
    to: await page.locator('#to').inputValue(),
  });
  const address = () => new URL(page.url()).searchParams;
  assert.deepEqual(await shows(), { from: address().get('from'), to: address().get('to') });
  await page.goBack();
  await page.waitForURL((url) => url.searchParams.get('from') === first.searchParams.get('from'));
  await page.locator('[data-state]:not([data-state=loading])').first().waitFor();
  assert.deepEqual(await shows(), { from: first.searchParams.get('from'), to: first.searchParams.get('to') }, 'Back shows the first range again');
  assert.equal(await text(page, '[data-testid=headline]'), firstHeadline);
  assert.notEqual(await page.locator('[data-preset]').inputValue(), 'last_7');
  await page.context().close();
});

test('the demo sign-in page fits a phone in both languages', async () => {
  const DEMO = process.env.IMPACT_DEMO_URL;
  assert.ok(DEMO, 'run through `cargo test --test it browser::`');
  const context = await browser.newContext({ viewport: PHONE });
  const page = await context.newPage();
  for (const path of ['/demo/sign-in', '/demo/sign-in?lang=id']) {
    await page.goto(`${DEMO}${path}`);
    assert.ok(await page.locator('a[href*="/demo/sign-in/org_kopi_nusantara/owner"]').count() === 1, `${path}: a person to sign in as`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= PHONE.width, `${path}: no sideways scrolling at 360 px (${width} px)`);
  }
  await context.close();
});

test('sign-in from the host admin on another site lands on the report, and sign-out ends the session', async () => {
  // The host's admin lives on another site (localhost is not 127.0.0.1's site).
  const handoff = `${BASE}/auth/handoff?token=${token('org_demo', 'owner')}&next=${encodeURIComponent(OCTOBER)}`;
  const host = createServer((request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>Host admin</title><a id="open" href="${handoff}">Open AI report</a>`);
  });
  await new Promise((resolve) => host.listen(0, 'localhost', resolve));
  const context = await browser.newContext({ viewport: DESKTOP });
  try {
    const page = await context.newPage();
    await page.goto(`http://localhost:${host.address().port}/`);
    await page.click('#open');
    await page.waitForURL((url) => url.pathname === '/reports/ai-agent-impact');
    assert.equal(await page.locator('[data-state]').getAttribute('data-state'), 'success');
    const cookies = await context.cookies(BASE);
    const session = cookies.find((cookie) => cookie.name === 'impact_session');
    assert.equal(session.sameSite, 'Strict');
    assert.ok(session.httpOnly);
    assert.ok(session.expires > Date.now() / 1000 && session.expires <= Date.now() / 1000 + 3700, 'the cookie ends with the token');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/auth/signed-out');
    assert.match(await text(page, 'h1'), /signed out/);
    const after = await page.goto(`${BASE}${OCTOBER}`);
    assert.equal(after.status(), 401, 'signed out means signed out');
  } finally {
    await context.close();
    host.close();
  }
});

