// The customer's tracking page (issue 17): keeps the first paint current.
// Live: graphql-transport-ws on the app's /graphql (when the server names a websocket path),
// subscribing to VisitEvents(ticketId) and refreshing the state on each event; otherwise, or
// when the socket fails, it polls /t/<token>/state (ETag) every few seconds.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("config").textContent);
  var words = config.words;
  var state = config.state;
  var etag = null;
  var timer = null;
  var map = null;
  var mode = "";          // what #live says while all is well: live or polling
  var pausedUntil = 0;    // a 429's Retry-After: no request before this (ms since epoch)

  function $(id) { return document.getElementById(id); }
  function text(id, value) { var el = $(id); if (el) { el.textContent = value; } }

  // ---- the map: Leaflet with the configured tiles, else (or when tiles fail) an SVG ----
  var SVG = "http://www.w3.org/2000/svg";

  function svgMap(box) {
    box.textContent = "";
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 300 200");
    svg.setAttribute("aria-hidden", "true");
    var bg = document.createElementNS(SVG, "rect");
    bg.setAttribute("width", "300"); bg.setAttribute("height", "200"); bg.setAttribute("fill", "#e6ecf1");
    svg.appendChild(bg);
    for (var i = 1; i < 6; i++) {
      var line = document.createElementNS(SVG, "path");
      line.setAttribute("d", "M0 " + i * 33 + " H300 M" + i * 50 + " 0 V200");
      line.setAttribute("stroke", "#d3d8de");
      svg.appendChild(line);
    }
    box.appendChild(svg);
    return {
      kind: "svg",
      update: function (pos, home) {
        Array.prototype.forEach.call(svg.querySelectorAll(".dot"), function (n) { n.remove(); });
        var points = [pos, home].filter(Boolean);
        if (!points.length) { return; }
        var lats = points.map(function (p) { return p.lat; });
        var lons = points.map(function (p) { return p.lon; });
        var pad = 0.005;
        var minLat = Math.min.apply(null, lats) - pad, maxLat = Math.max.apply(null, lats) + pad;
        var minLon = Math.min.apply(null, lons) - pad, maxLon = Math.max.apply(null, lons) + pad;
        function xy(p) {
          return [20 + 260 * (p.lon - minLon) / (maxLon - minLon),
                  180 - 160 * (p.lat - minLat) / (maxLat - minLat)];
        }
        if (home) {
          var h = xy(home), sq = document.createElementNS(SVG, "rect");
          sq.setAttribute("x", h[0] - 7); sq.setAttribute("y", h[1] - 7);
          sq.setAttribute("width", 14); sq.setAttribute("height", 14);
          sq.setAttribute("fill", "#17643a"); sq.setAttribute("class", "dot home-marker");
          svg.appendChild(sq);
        }
        if (pos) {
          var e = xy(pos), dot = document.createElementNS(SVG, "circle");
          dot.setAttribute("cx", e[0]); dot.setAttribute("cy", e[1]); dot.setAttribute("r", 9);
          dot.setAttribute("fill", "#0b5cad"); dot.setAttribute("stroke", "#fff");
          dot.setAttribute("stroke-width", 3); dot.setAttribute("class", "dot engineer-marker");
          dot.setAttribute("data-lat", pos.lat); dot.setAttribute("data-lon", pos.lon);
          svg.appendChild(dot);
        }
      }
    };
  }

  function leafletMap(box) {
    var L = window.L;
    var failures = 0;
    var m = L.map(box, { zoomControl: true, attributionControl: true }).setView([31.23, 121.47], 13);
    var layer = L.tileLayer(config.tiles.url, {
      maxZoom: 18, attribution: config.tiles.attribution || "", subdomains: "abc"
    }).addTo(m);
    var marks = { pos: null, home: null };
    var view = {
      kind: "leaflet",
      update: function (pos, home) {
        [["pos", pos, "engineer-marker"], ["home", home, "home-marker"]].forEach(function (item) {
          var key = item[0], p = item[1];
          if (marks[key]) { m.removeLayer(marks[key]); marks[key] = null; }
          if (p) {
            var icon = L.divIcon({ className: item[2], iconSize: [18, 18] });
            marks[key] = L.marker([p.lat, p.lon], { icon: icon, keyboard: false, interactive: false }).addTo(m);
            var el = marks[key].getElement();
            if (el) { el.setAttribute("data-lat", p.lat); el.setAttribute("data-lon", p.lon); }
          }
        });
        var pts = [pos, home].filter(Boolean).map(function (p) { return [p.lat, p.lon]; });
        if (pts.length > 1) { m.fitBounds(pts, { padding: [30, 30], maxZoom: 16 }); }
        else if (pts.length) { m.setView(pts[0], 15); }
      }
    };
    // Tiles that cannot load (offline, blocked, a wrong URL) give way to the SVG map.
    layer.on("tileerror", function () {
      failures += 1;
      if (failures === 3 && map === view) {
        m.remove();
        map = svgMap(box);
        map.update(state.position, state.destination);
      }
    });
    return view;
  }

  function setupMap() {
    var box = $("map");
    if (!box) { return; }
    if (config.tiles && window.L) {
      try { map = leafletMap(box); } catch (err) { map = svgMap(box); }
    } else {
      map = svgMap(box);
    }
    box.setAttribute("data-map", map.kind);
  }

  // ---- rendering ----
  function render(s) {
    state = s;
    text("stage", s.stageLabel);
    s.steps.forEach(function (step) {
      var li = document.querySelector('.step[data-stage="' + step.stage + '"]');
      if (!li) { return; }
      li.classList.toggle("reached", step.reached);
      li.classList.toggle("current", step.current);
      if (step.current) { li.setAttribute("aria-current", "step"); } else { li.removeAttribute("aria-current"); }
      li.querySelector(".time").textContent = step.time || "";
    });
    text("window", s.window || "—");
    text("eta", s.eta || "—");
    text("engineer", s.engineer ? s.engineer.name : "—");
    $("map-note").hidden = Boolean(s.position);
    if (map) { map.update(s.position, s.destination); }
    $("rate").hidden = !(s.canRate || s.score);
    $("rate-form").hidden = !s.canRate;
    $("rated").hidden = !s.score;
    text("rated-score", s.score ? words.your_score + " " + s.score + "/5" : "");
    // A change already asked and waiting is not offered again; the page says it was asked.
    var asked = s.changeRequested || [];
    $("change").hidden = !s.canRequestChange && !asked.length;
    $("ask-reschedule").hidden = !s.canRequestChange || asked.indexOf("RESCHEDULE") >= 0;
    $("ask-cancel").hidden = !s.canRequestChange || asked.indexOf("CANCEL") >= 0;
    $("change-note").hidden = !s.canRequestChange;
    $("change-note-label").hidden = !s.canRequestChange;
    if (asked.length) { say("change-done", words.requested); }
  }

  function status(message) { mode = message; if (!pausedUntil) { text("live", message); } }

  // Too many requests (429): say so, ask nothing before Retry-After has passed, then refresh.
  function slowDown(retryAfter) {
    var seconds = parseInt(retryAfter, 10);
    if (!(seconds > 0)) { seconds = 60; }
    pausedUntil = Date.now() + seconds * 1000;
    text("live", words.slow_down);
    window.setTimeout(function () { pausedUntil = 0; text("live", mode); refresh(); }, seconds * 1000);
  }

  function refresh() {
    if (pausedUntil) { return Promise.resolve(); }
    var headers = { "Accept": "application/json" };
    if (etag) { headers["If-None-Match"] = etag; }
    return fetch(config.stateUrl, { headers: headers, cache: "no-store", credentials: "omit" })
      .then(function (r) {
        if (r.status === 304) { return null; }
        if (r.status === 429) { slowDown(r.headers.get("Retry-After")); return null; }
        if (r.status === 404) { window.location.reload(); return null; }
        if (!r.ok) { return null; }
        etag = r.headers.get("ETag");
        return r.json();
      })
      .then(function (s) { if (s) { render(s); } })
      .catch(function () { /* offline for a moment: the next round tries again */ });
  }

  function poll() {
    if (timer) { return; }
    status(words.polling);
    timer = window.setInterval(refresh, Math.max(200, config.pollSeconds * 1000));
  }

  // ---- live: graphql-transport-ws, spoken here in a few lines ----
  function live() {
    if (!config.websocketPath || !window.WebSocket) { poll(); return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws, acked = false;
    try { ws = new WebSocket(scheme + window.location.host + config.websocketPath, "graphql-transport-ws"); }
    catch (err) { poll(); return; }
    var giveUp = window.setTimeout(function () { if (!acked) { ws.close(); } }, 5000);
    ws.onopen = function () {
      ws.send(JSON.stringify({ type: "connection_init", payload: { trackingToken: config.token } }));
    };
    ws.onmessage = function (event) {
      var msg = JSON.parse(event.data);
      if (msg.type === "connection_ack") {
        acked = true; window.clearTimeout(giveUp); status(words.live);
        ws.send(JSON.stringify({ id: "visit", type: "subscribe", payload: {
          query: "subscription VisitEvents($ticketId: ID!) { visitEvents(ticketId: $ticketId) { __typename } }",
          variables: { ticketId: state.ticketId } } }));
      } else if (msg.type === "next") {
        refresh();
      } else if (msg.type === "ping") {
        ws.send(JSON.stringify({ type: "pong" }));
      } else if (msg.type === "error" || msg.type === "complete") {
        ws.close();
      }
    };
    ws.onclose = function () { window.clearTimeout(giveUp); poll(); };
  }

  // ---- the customer's actions, through the same GraphQL operations every client uses ----
  function gql(query, input) {
    return fetch(config.graphqlUrl, {
      method: "POST", credentials: "omit",
      headers: { "Content-Type": "application/json", "Accept-Language": config.locale },
      body: JSON.stringify({ query: query, variables: { input: input } })
    }).then(function (r) { return r.json(); });
  }

  function say(id, message) { var el = $(id); el.textContent = message; el.hidden = false; }

  $("rate-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    var chosen = form.querySelector("input[name=score]:checked");
    if (!chosen) { return; }
    gql("mutation RateVisit($input: RateVisitInput!) { rateVisit(input: $input) { errors { code message } } }",
        { token: config.token, score: Number(chosen.value), comment: $("rate-comment").value })
      .then(function (body) {
        var errors = body.data && body.data.rateVisit ? body.data.rateVisit.errors : [{ message: words.error }];
        if (errors.length) { say("rated", errors[0].message); return; }
        etag = null; refresh().then(function () { say("rated", words.thanks + " " + $("rated-score").textContent); });
      })
      .catch(function () { say("rated", words.error); });
  });

  function ask(kind) {
    gql("mutation RequestVisitChange($input: RequestVisitChangeInput!) { requestVisitChange(input: $input) { errors { code message } } }",
        { token: config.token, kind: kind, note: $("change-note").value })
      .then(function (body) {
        var errors = body.data && body.data.requestVisitChange ? body.data.requestVisitChange.errors : [{ message: words.error }];
        say("change-done", errors.length ? errors[0].message : words.requested);
        if (!errors.length) { etag = null; refresh(); }
      })
      .catch(function () { say("change-done", words.error); });
  }
  $("ask-reschedule").addEventListener("click", function () { ask("RESCHEDULE"); });
  $("ask-cancel").addEventListener("click", function () { ask("CANCEL"); });

  setupMap();
  render(state);
  live();
  window.wellspringTracking = { refresh: function () { etag = null; return refresh(); } };
})();
