// The report page's behaviour: changing the range without a full reload (with a
// loading skeleton), Retry after an error, and the cost-assumption dialog. The page
// works without it too: every control is a plain link or form.
(function () {
  'use strict';
  const main = document.querySelector('[data-report]');
  if (!main) return;
  const lang = document.documentElement.lang || 'en';
  const loadingTemplate = document.querySelector('[data-loading-template]');
  const errorTemplate = document.querySelector('[data-error-template]');
  const form = document.querySelector('[data-range-form]');
  const preset = document.querySelector('[data-preset]');
  const custom = document.querySelector('[data-custom]');
  const fromInput = document.getElementById('from');
  const toInput = document.getElementById('to');
  const langSwitch = document.querySelector('[data-lang-switch]');
  const printButton = document.querySelector('[data-print]');

  // The print layout (report.css, @media print) fits the report on one A4 page
  // without the controls; the button only needs a script, so it shows with one.
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener('click', function () { window.print(); });
  }

  function showCustom() {
    if (custom && preset) custom.hidden = preset.value !== 'custom';
  }

  function currentRange() {
    const params = new URLSearchParams(window.location.search);
    return { from: params.get('from') || fromInput.value, to: params.get('to') || toInput.value };
  }

  // The controls show the range the body shows: after Back or Forward too.
  function showRange(range) {
    if (!fromInput || !toInput) return;
    fromInput.value = range.from;
    toInput.value = range.to;
    if (!preset) return;
    const match = Array.from(preset.options).find(function (option) {
      return option.dataset.from === range.from && option.dataset.to === range.to;
    });
    preset.value = match ? match.value : 'custom';
    showCustom();
  }

  // The address always names the range it shows, so that Back to this first view
  // (opened without one, on the default range) shows it again, not the last one
  // chosen.
  (function nameTheFirstRange() {
    const params = new URLSearchParams(window.location.search);
    if (!fromInput || !toInput || (params.get('from') && params.get('to'))) return;
    params.set('from', fromInput.value);
    params.set('to', toInput.value);
    params.set('lang', lang);
    history.replaceState(currentRange(), '', '?' + params.toString());
  })();

  async function load(range, push) {
    showRange(range);
    main.setAttribute('aria-busy', 'true');
    main.innerHTML = loadingTemplate.innerHTML;
    const query = new URLSearchParams({ from: range.from, to: range.to, lang: lang });
    if (push) history.pushState(range, '', '?' + query.toString());
    if (langSwitch) {
      const other = new URLSearchParams({ from: range.from, to: range.to, lang: langSwitch.getAttribute('lang') });
      langSwitch.setAttribute('href', '?' + other.toString());
    }
    try {
      const response = await fetch('/reports/ai-agent-impact/body?' + query.toString(), {
        credentials: 'same-origin',
        headers: { Accept: 'text/html' },
      });
      if (response.status === 401) { window.location.reload(); return; }
      const html = await response.text();
      main.innerHTML = response.ok || response.status === 503 ? html : errorTemplate.innerHTML;
    } catch (error) {
      main.innerHTML = errorTemplate.innerHTML;
    }
    main.setAttribute('aria-busy', 'false');
  }

  if (preset) {
    showCustom();
    preset.addEventListener('change', function () {
      showCustom();
      const option = preset.selectedOptions[0];
      if (option && option.dataset.from) {
        fromInput.value = option.dataset.from;
        toInput.value = option.dataset.to;
      }
    });
  }
  const rangeError = document.querySelector('[data-range-error]');
  // The server accepts at most 366 days (12 months); say so before asking it.
  function rangeProblem(from, to) {
    const days = (Date.parse(to) - Date.parse(from)) / 86400000 + 1;
    return !(days >= 1 && days <= 366);
  }
  if (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      rangeError.textContent = '';
      if (!form.reportValidity()) return;
      if (rangeProblem(fromInput.value, toInput.value)) {
        rangeError.textContent = form.dataset.invalid;
        return;
      }
      load({ from: fromInput.value, to: toInput.value }, true);
    });
  }
  window.addEventListener('popstate', function () { load(currentRange(), false); });

  main.addEventListener('click', function (event) {
    const retry = event.target.closest('[data-retry]');
    if (retry) {
      event.preventDefault();
      load(currentRange(), false);
    }
  });

  // The cost-assumption dialog (owners and admins only).
  const dialog = document.querySelector('[data-costs-dialog]');
  const backdrop = document.querySelector('[data-backdrop]');
  const costsForm = document.querySelector('[data-costs-form]');
  let opener = null;

  function focusables() {
    return Array.from(dialog.querySelectorAll('input, button, [href]')).filter(function (el) { return !el.disabled; });
  }
  function clearErrors() {
    dialog.querySelectorAll('[data-error-for]').forEach(function (el) { el.textContent = ''; });
    dialog.querySelectorAll('input').forEach(function (el) { el.removeAttribute('aria-invalid'); });
  }
  function openDialog(trigger) {
    if (!dialog) return;
    opener = trigger;
    clearErrors();
    dialog.hidden = false;
    backdrop.hidden = false;
    dialog.querySelector('input').focus();
  }
  function closeDialog() {
    dialog.hidden = true;
    backdrop.hidden = true;
    if (opener && document.body.contains(opener)) opener.focus();
    else { const gear = document.querySelector('.gear'); if (gear) gear.focus(); }
  }
  function csrfToken() {
    const match = document.cookie.split('; ').find(function (c) { return c.startsWith('impact_csrf='); });
    return match ? decodeURIComponent(match.split('=')[1]) : '';
  }

  document.addEventListener('click', function (event) {
    const trigger = event.target.closest('[data-open-costs]');
    if (trigger) openDialog(trigger);
    if (event.target.closest('[data-close-costs]') || event.target === backdrop) closeDialog();
  });
  if (dialog) {
    dialog.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') { event.preventDefault(); closeDialog(); return; }
      if (event.key !== 'Tab') return;
      const items = focusables();
      const first = items[0];
      const last = items[items.length - 1];
      if (event.shiftKey && document.activeElement === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && document.activeElement === last) { event.preventDefault(); first.focus(); }
    });
    costsForm.addEventListener('submit', async function (event) {
      event.preventDefault();
      clearErrors();
      const save = costsForm.querySelector('[data-save-costs]');
      const inputs = costsForm.querySelectorAll('input');
      save.disabled = true;
      save.textContent = costsForm.dataset.saving;
      inputs.forEach(function (input) { input.disabled = true; });
      // Whole rupiah and minutes: thousands grouped the way either language groups
      // them (45.000, 45,000, 45 000) are read as the number; anything else, a
      // decimal such as 7,5 among them, goes to the server as typed, which says
      // it must be a whole number.
      const number = function (name) {
        const typed = costsForm.elements[name].value.trim();
        const grouped = /^\d{1,3}([.,\s\u00a0\u202f]\d{3})+$/.test(typed);
        const text = grouped ? typed.replace(/[.,\s\u00a0\u202f]/g, '') : typed;
        return /^-?\d+$/.test(text) ? Number(text) : text;
      };
      // The AI's price is optional: an empty field is no price.
      const optional = function (name) {
        const value = number(name);
        return value === '' ? null : value;
      };
      try {
        const response = await fetch('/api/v1/reports/ai-agent-impact/cost-assumption?lang=' + lang, {
          method: 'PUT',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken() },
          body: JSON.stringify({
            agent_hour_rate: number('agent_hour_rate'),
            minutes_per_conversation: number('minutes_per_conversation'),
            ai_price_per_month: optional('ai_price_per_month'),
          }),
        });
        if (response.ok) {
          closeDialog();
          await load(currentRange(), false);
          return;
        }
        const body = await response.json().catch(function () { return null; });
        const fields = body && body.error && body.error.fields;
        if (fields) {
          Object.keys(fields).forEach(function (name) {
            const slot = dialog.querySelector('[data-error-for="' + name + '"]');
            if (slot) slot.textContent = fields[name].message;
            const input = costsForm.elements[name];
            if (input) input.setAttribute('aria-invalid', 'true');
          });
        } else {
          dialog.querySelector('[data-error-for="form"]').textContent =
            (body && body.error && body.error.message) || costsForm.dataset.failed;
        }
      } catch (error) {
        dialog.querySelector('[data-error-for="form"]').textContent = costsForm.dataset.failed;
      } finally {
        save.disabled = false;
        save.textContent = costsForm.dataset.save;
        inputs.forEach(function (input) { input.disabled = false; });
        const invalid = costsForm.querySelector('[aria-invalid="true"]');
        if (invalid && !dialog.hidden) invalid.focus();
      }
    });
  }
})();
