// k6 load test of the report API against the PRD's p95 targets (report ≤ 3 s) and
// our stricter ones. Run it with loadtests/run.sh, which prepares the data and the
// server; or against any server with IMPACT_BASE_URL, IMPACT_JWT_SECRET, IMPACT_ORGS
// (comma-separated organization ids with the report on) and IMPACT_LAST_DAY.
import http from 'k6/http';
import { check } from 'k6';
import crypto from 'k6/crypto';
import encoding from 'k6/encoding';

const BASE = __ENV.IMPACT_BASE_URL || 'http://127.0.0.1:18081';
// A second server with its cache switched off, so every request reads the datamart.
const UNCACHED = __ENV.IMPACT_UNCACHED_URL || BASE;
const SECRET = __ENV.IMPACT_JWT_SECRET;
const ORGS = (__ENV.IMPACT_ORGS || '').split(',').filter((o) => o);
const LAST_DAY = __ENV.IMPACT_LAST_DAY; // YYYY-MM-DD, the newest day of data
const DURATION = __ENV.IMPACT_DURATION || '20s';
const VUS = Number(__ENV.IMPACT_VUS || 4);

function scenario(name, startTime) {
  return { executor: 'constant-vus', vus: VUS, duration: DURATION, startTime, exec: name };
}

export const options = {
  scenarios: {
    cached_90_days: scenario('cached90', '0s'),
    uncached_90_days: scenario('uncached90', '25s'),
    cached_12_months: scenario('cached365', '50s'),
    uncached_12_months: scenario('uncached365', '75s'),
  },
  thresholds: {
    // The PRD: the report within 3 s at p95.
    'http_req_duration{scenario:cached_90_days}': ['p(95)<3000', 'p(95)<100'],
    'http_req_duration{scenario:uncached_90_days}': ['p(95)<3000', 'p(95)<500'],
    'http_req_duration{scenario:cached_12_months}': ['p(95)<3000', 'p(95)<100'],
    'http_req_duration{scenario:uncached_12_months}': ['p(95)<3000', 'p(95)<1000'],
    checks: ['rate>0.999'],
  },
  summaryTrendStats: ['avg', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

function token(org) {
  const encode = (value) => encoding.b64encode(JSON.stringify(value), 'rawurl');
  const header = encode({ alg: 'HS256', typ: 'JWT' });
  const payload = encode({
    sub: `loadtest-${org}`,
    org_id: org,
    role: 'supervisor',
    locale: 'id',
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  const signature = crypto.hmac('sha256', SECRET, `${header}.${payload}`, 'base64rawurl');
  return `${header}.${payload}.${signature}`;
}

const TOKENS = {};
function tokenFor(org) {
  if (!TOKENS[org]) TOKENS[org] = token(org);
  return TOKENS[org];
}

function day(offset) {
  const date = new Date(`${LAST_DAY}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() - offset);
  return date.toISOString().slice(0, 10);
}

function fetchReport(base, days, endOffset) {
  const org = ORGS[Math.floor(Math.random() * ORGS.length)];
  const to = day(endOffset);
  const from = day(endOffset + days - 1);
  const response = http.get(`${base}/api/v1/reports/ai-agent-impact?from=${from}&to=${to}`, {
    headers: { Authorization: `Bearer ${tokenFor(org)}` },
    tags: { name: 'report' },
  });
  check(response, {
    'status is 200': (r) => r.status === 200,
    'has figures': (r) => r.json('status') === 'ok',
  });
}

// The same range again and again: served from the organization's cache.
export function cached90() { fetchReport(BASE, 90, 0); }
export function cached365() { fetchReport(BASE, 365, 0); }
// No cache: every request reads the datamart (several ranges, several organizations).
export function uncached90() { fetchReport(UNCACHED, 90, Math.floor(Math.random() * 270)); }
export function uncached365() { fetchReport(UNCACHED, 365, Math.floor(Math.random() * 30)); }
