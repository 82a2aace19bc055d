(function () {
  "use strict";
  var root = document.documentElement;
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  // Times: the server writes them in UTC; show them in the reader's zone, UTC on hover.
  function localTimes(within) {
    var ts = within.querySelectorAll("time[datetime]");
    for (var i = 0; i < ts.length; i++) {
      var t = ts[i], d = new Date(t.getAttribute("datetime"));
      if (isNaN(d.getTime()) || t.getAttribute("data-local")) continue;
      var hm = pad(d.getHours()) + ":" + pad(d.getMinutes());
      t.textContent = t.getAttribute("data-day") ?
        d.toLocaleDateString(undefined, { day: "numeric", month: "short" }) + " " + hm : hm;
      t.setAttribute("data-local", "1");
    }
    var zone = document.getElementById("zone");
    if (zone) zone.textContent = "times in your time zone (UTC on hover)";
  }
  localTimes(document);
  if (!root.hasAttribute("data-live") || !window.EventSource || !window.fetch) return;
  var stream = null, busy = false, again = false;
  function listen() {
    if (stream) stream.close();
    var page = location.pathname + location.search;
    stream = new EventSource("/events?page=" + encodeURIComponent(page) + "&since=" +
      encodeURIComponent(root.getAttribute("data-since") || ""));
    stream.addEventListener("changed", refresh);
    stream.onerror = function () {
      // Refused (too many open, or the server went): try again in a minute.
      if (stream.readyState === EventSource.CLOSED) setTimeout(listen, 60000);
    };
  }
  // The page changed: fetch it and swap its main part in place (no reload, no flash).
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(location.href, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.text();
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.querySelector("main"), old = document.querySelector("main");
      if (!fresh || !old) { location.reload(); return; }
      old.replaceWith(document.importNode(fresh, true));
      document.title = doc.title;
      root.setAttribute("data-since", doc.documentElement.getAttribute("data-since") || "");
      localTimes(document);
      root.setAttribute("data-refreshed", String(Number(root.getAttribute("data-refreshed") || 0) + 1));
    }).catch(function () { }).then(function () {
      busy = false;
      if (again) { again = false; refresh(); }
    });
  }
  listen();
})();
