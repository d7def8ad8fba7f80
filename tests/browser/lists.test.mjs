// The conversations behind every figure, in Debian's Chromium against the real
// server (run through `cargo test --test it browser::`): each figure links to its
// list, the list reads plainly in both languages and on a phone, "back" keeps the
// range, and both downloads arrive. IMPACT_SCREENSHOTS=DIR keeps screenshots.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const BASE = process.env.IMPACT_BASE_URL;
const SECRET = process.env.IMPACT_JWT_SECRET;
const SHOTS = process.env.IMPACT_SCREENSHOTS;
const OCTOBER = '/reports/ai-agent-impact?from=2026-10-01&to=2026-10-31';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 740 };

let browser;
before(async () => {
  assert.ok(BASE && SECRET, 'run through `cargo test --test it browser::`');
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

async function api(path) {
  const response = await fetch(`${BASE}${path}`, { headers: { Authorization: `Bearer ${token('org_demo', 'owner')}` } });
  return response.json();
}

async function open(path, { locale = 'en', viewport = DESKTOP } = {}) {
  const context = await browser.newContext({ viewport, bypassCSP: true, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${BASE}/auth/handoff?token=${token('org_demo', 'owner', locale)}&next=${encodeURIComponent(path)}`);
  await page.waitForURL((url) => !url.pathname.startsWith('/auth/'));
  page.jsErrors = errors;
  return page;
}

async function shot(page, name, selector) {
  if (!SHOTS) return;
  if (selector) await page.locator(selector).screenshot({ path: `${SHOTS}/${name}.png` });
  else await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function axe(page, name) {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), [], `${name}: axe`);
}

test('every figure opens exactly its conversations, and back keeps the range', async () => {
  const page = await open(OCTOBER);
  const figures = await page.locator('[data-state=success] a[data-list]').evaluateAll(
    (links) => links.map((link) => ({ list: link.dataset.list, href: link.getAttribute('href') })),
  );
  const lists = new Set(figures.map((f) => f.href.match(/outcome=([a-z_]+)/)[1]));
  // Every list there is (`metrics::rooms::LISTS`, passed by tests/it/browser.rs).
  assert.ok(process.env.IMPACT_LISTS, 'IMPACT_LISTS names every list (tests/it/browser.rs sets it)');
  assert.deepEqual([...lists].sort(), process.env.IMPACT_LISTS.split(',').sort());
  for (const list of lists) {
    const { conversations, total } = await api(`/api/v1/reports/ai-agent-impact/conversations?outcome=${list}&from=2026-10-01&to=2026-10-31&limit=200`);
    assert.equal(total, conversations.length, `${list}: the total is the whole list`);
    // The bar's parts say their count beside their name: the list holds that many.
    const part = page.locator(`.legend a[href*="outcome=${list}&"]`);
    if (await part.count()) {
      const shown = (await part.innerText()).match(/\(([\d.]+)\)$/)[1].replace(/\./g, '');
      assert.equal(Number(shown), total, `${list}: the bar says ${shown}, the list holds ${total}`);
    }
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => { d.open = true; }));
    await page.locator(`[data-state=success] a[href*="outcome=${list}&"]`).first().click();
    await page.waitForURL(/\/conversations\?/);
    assert.match(page.url(), /from=2026-10-01&to=2026-10-31/);
    const ids = await page.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.dataset.roomId));
    assert.deepEqual(ids, conversations.map((c) => c.room_id), `${list}: the page lists the API's conversations, newest first`);
    if (ids.length === 0) assert.ok(await page.locator('[data-testid=list-empty]').isVisible());
    const count = await page.locator('[data-testid=list-count]').innerText();
    const said = total === 1 ? '1 conversation in all' : `${total} conversations in all`;
    assert.ok(count.startsWith(said), `${list}: "${count}" says how many in all`);
    await page.click('[data-testid=back-button]');
    await page.waitForURL((url) => url.pathname === '/reports/ai-agent-impact');
    assert.match(page.url(), /from=2026-10-01&to=2026-10-31/);
  }
  // The ledger adds up on the page as in the API.
  const report = await api('/api/v1/reports/ai-agent-impact?from=2026-10-01&to=2026-10-31');
  const ledger = await page.locator('[data-testid=ledger-text]').innerText();
  assert.ok(ledger.includes(`${report.ledger.all} conversations in all: ${report.ledger.counted} counted`), ledger);
  assert.equal(report.ledger.all, report.ledger.counted + report.ledger.test_chats + report.ledger.spam);
  await shot(page, 'ledger-en-desktop', '[data-testid=ledger]');
  assert.deepEqual(page.jsErrors, []);
  await page.context().close();
});

test('a list by keyboard, in Bahasa Indonesia, on a phone', async () => {
  const page = await open(OCTOBER, { locale: 'id', viewport: PHONE });
  const hero = page.locator('[data-testid=net-rate]');
  await hero.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/outcome=solved_alone/);
  assert.equal(await page.getAttribute('html', 'lang'), 'id');
  assert.match(await page.locator('[data-testid=list-title]').innerText(), /^Diselesaikan sendiri/);
  assert.match(await page.locator('thead').innerText(), /Mulai \(waktu setempat\)/);
  // One outcome: its title says it, so no column repeats it; times, channels and
  // mood as people write them.
  assert.ok(!(await page.locator('thead').innerText()).includes('Hasil'), 'no outcome column');
  const cells = await page.locator('tbody tr').first().innerText();
  assert.match(cells, /\d{1,2} Okt 2026, \d{2}\.\d{2}/, cells);
  assert.match(cells, /WhatsApp|Instagram|Live chat/, cells);
  assert.match(cells, /Positif|Netral|Negatif|tidak tercatat/, cells);
  // On a phone each conversation is a card whose cells name their column, and
  // nothing scrolls sideways, not even inside the list.
  assert.equal(await page.locator('tbody tr').first().evaluate((row) => getComputedStyle(row).display), 'block');
  const labels = await page.locator('tbody tr').first().locator('th, td').evaluateAll(
    (nodes) => nodes.map((node) => getComputedStyle(node, '::before').content));
  assert.deepEqual(labels, ['"Mulai (waktu setempat)"', '"Kanal"', '"Kembali lewat percakapan"', '"Di luar jam kerja"', '"Pesan"',
    '"Suasana hati pelanggan (−1 sampai 1)"', '"Buka di kotak masuk"']);
  const crowded = await page.locator('tbody th, tbody td').evaluateAll(
    (cells) => cells.filter((cell) => cell.scrollWidth > cell.clientWidth + 1).map((cell) => cell.textContent));
  assert.deepEqual(crowded, [], 'every line of a card fits its width');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `the page does not scroll sideways on a phone (${width}px)`);
  const inner = await page.locator('.table-wrap').evaluate((box) => box.scrollWidth - box.clientWidth);
  assert.equal(inner, 0, 'the list does not scroll sideways in its own box either');
  const about = await page.locator('[data-testid=list-about]').innerText();
  assert.match(about, /tidak memulai percakapan lain dalam 2 hari/);
  await axe(page, 'list (id, phone)');
  await shot(page, 'list-id-phone');
  await page.goto(`${BASE}${OCTOBER}&lang=id`);
  await shot(page, 'ledger-id-phone', '[data-testid=ledger]');
  await page.context().close();

  const desktop = await open(OCTOBER);
  await desktop.click('[data-testid=hero] summary');
  await desktop.click('a[data-list="ai_only"]');
  await desktop.waitForURL(/outcome=ai_only/);
  await axe(desktop, 'list (en, desktop)');
  await shot(desktop, 'list-en-desktop');
  await desktop.context().close();
});

test('both downloads arrive with the figures of the report', async () => {
  const page = await open(OCTOBER);
  const [daily] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-daily-xlsx]')]);
  assert.equal(daily.suggestedFilename(), 'ai-agent-impact-daily-2026-10-01-2026-10-31.xlsx');
  const workbook = readFileSync(await daily.path());
  assert.equal(workbook.subarray(0, 2).toString(), 'PK', 'an .xlsx is a zip file');

  await page.click('[data-testid=net-rate]');
  await page.waitForURL(/outcome=solved_alone/);
  const [list] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-list-csv]')]);
  assert.equal(list.suggestedFilename(), 'ai-agent-impact-conversations-solved_alone-2026-10-01-2026-10-31.csv');
  const lines = readFileSync(await list.path(), 'utf8').trim().split('\r\n');
  const report = await api('/api/v1/reports/ai-agent-impact?from=2026-10-01&to=2026-10-31');
  assert.equal(lines.length - 1, report.ledger.solved_alone, 'one row per conversation the hero counts');
  assert.match(lines[0], /^Conversation,Day,Started \(local time\)/);
  await page.context().close();
});
