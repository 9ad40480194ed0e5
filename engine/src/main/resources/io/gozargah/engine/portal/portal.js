// The portal's only script (the Content-Security-Policy allows no inline one). Every page works without it: the
// catalogue's search form then goes to the server, and the statistics show as tables without the chart.
(function () {
  'use strict';

  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
  }

  // The catalogue narrows as one types: the same match as the server's (every word in the service's text, the
  // tag among its tags, the agency its provider).
  function catalogue(form) {
    var q = document.getElementById('q');
    var tag = document.getElementById('tag');
    var agency = document.getElementById('agency');
    var services = Array.prototype.slice.call(document.querySelectorAll('article.service'));
    var agencies = Array.prototype.slice.call(document.querySelectorAll('section.agency'));
    var shown = document.getElementById('shown');
    var none = document.getElementById('none');

    function apply() {
      var want = words(q.value);
      var count = 0;
      services.forEach(function (s) {
        var text = s.getAttribute('data-search');
        var tags = s.getAttribute('data-tags').split(' ');
        var ok = want.every(function (w) { return text.indexOf(w) >= 0; })
          && (tag.value === '' || tags.indexOf(tag.value) >= 0)
          && (agency.value === '' || s.getAttribute('data-agency') === agency.value);
        s.hidden = !ok;
        if (ok) { count++; }
      });
      agencies.forEach(function (a) {
        a.hidden = a.querySelector('article.service:not([hidden])') === null;
      });
      shown.textContent = String(count);
      none.hidden = count > 0;
      var params = new URLSearchParams();
      if (q.value.trim() !== '') { params.set('q', q.value.trim()); }
      if (tag.value !== '') { params.set('tag', tag.value); }
      if (agency.value !== '') { params.set('agency', agency.value); }
      var query = params.toString();
      history.replaceState(null, '', query === '' ? location.pathname : location.pathname + '?' + query);
    }

    q.addEventListener('input', apply);
    tag.addEventListener('change', apply);
    agency.addEventListener('change', apply);
    form.addEventListener('submit', function (e) { e.preventDefault(); apply(); });
  }

  // The monthly chart: transactions per month from /api/statistics, drawn by uPlot (served from the jar).
  function chart(figure) {
    if (typeof uPlot === 'undefined') { return; }
    var persian = document.documentElement.lang === 'fa';
    fetch('/api/statistics', { credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (doc) {
        var months = doc.months || [];
        if (months.length === 0) { return; }
        var labels = months.map(function (m) { return persian ? m.labelFa : m.label; });
        var xs = months.map(function (m, i) { return i; });
        var ys = months.map(function (m) { return m.transactions; });
        var bars = uPlot.paths && uPlot.paths.bars ? uPlot.paths.bars({ size: [0.6, 80] }) : undefined;
        var width = Math.max(300, Math.min(900, figure.clientWidth || 600));
        new uPlot({
          width: width,
          height: 280,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: false, range: [-0.5, months.length - 0.5] }, y: { range: [0, null] } },
          axes: [
            { splits: function () { return xs; }, values: function (u, splits) {
              return splits.map(function (i) { return labels[i] === undefined ? '' : labels[i]; });
            } },
            { size: 70 }
          ],
          series: [
            {},
            { label: persian ? 'تراکنش‌ها' : 'Transactions', stroke: '#1f6f8b', fill: 'rgba(31, 111, 139, 0.45)',
              paths: bars, points: { show: false } }
          ]
        }, [xs, ys], figure);
      })
      .catch(function () { figure.hidden = true; });
  }

  var form = document.getElementById('filter');
  if (form !== null) { catalogue(form); }
  var figure = document.getElementById('chart');
  if (figure !== null) { chart(figure); }
}());
