/// The management page at `/_stratus/ui`: one self-contained HTML document (no scripts, fonts or
/// styles from elsewhere, so it works with no internet access). It signs in with the admin
/// token, kept in the tab's session storage, and reads the admin API and `/metrics`.
/// `#token=TOKEN&view=VIEW` in the address signs in at once (the fragment never reaches the
/// server); `&app=APP` picks the app of the keys view.
enum WebUI {
    static let html = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Stratus</title>
    <style>
      :root { --fg: #1d2330; --muted: #6b7385; --line: #dde1e8; --accent: #2f6fde; --bad: #c23b32; --good: #23884a; --bg: #f6f7f9; }
      * { box-sizing: border-box; }
      body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
      header { display: flex; align-items: center; gap: 18px; padding: 10px 20px; background: #fff; border-bottom: 1px solid var(--line); }
      header h1 { font-size: 17px; margin: 0 12px 0 0; }
      nav a { color: var(--muted); text-decoration: none; padding: 6px 2px; margin-right: 14px; border-bottom: 2px solid transparent; }
      nav a.active { color: var(--fg); border-bottom-color: var(--accent); }
      header .right { margin-left: auto; color: var(--muted); }
      main { padding: 18px 20px; max-width: 1200px; }
      h2 { font-size: 15px; margin: 18px 0 8px; }
      table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
      th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
      th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; }
      td.num { text-align: right; font-variant-numeric: tabular-nums; }
      code, .mono { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
      .ok { color: var(--good); } .bad { color: var(--bad); } .muted { color: var(--muted); }
      .banner { padding: 8px 12px; margin-bottom: 12px; border-radius: 4px; background: #fdecea; color: var(--bad); }
      .empty { padding: 14px; color: var(--muted); background: #fff; border: 1px dashed var(--line); }
      button { font: inherit; padding: 4px 12px; border: 1px solid var(--line); background: #fff; border-radius: 4px; cursor: pointer; }
      button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
      input, select { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px; }
      form.signin { max-width: 380px; margin: 60px auto; background: #fff; padding: 24px; border: 1px solid var(--line); border-radius: 6px; }
      form.signin input { width: 100%; margin: 8px 0 14px; }
      tr.logs td { background: #fafbfc; white-space: pre-wrap; }
      tr.invocation { cursor: pointer; }
      .charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 14px; }
      .chart { background: #fff; border: 1px solid var(--line); padding: 10px 12px; }
      .chart h3 { margin: 0 0 6px; font-size: 14px; }
      .chart .figures { color: var(--muted); font-size: 12px; margin-bottom: 4px; }
      .chart svg { width: 100%; height: 70px; display: block; }
      .toolbar { display: flex; gap: 8px; align-items: center; margin-bottom: 10px; }
    </style>
    </head>
    <body>
    <header>
      <h1>Stratus</h1>
      <nav id="nav">
        <a href="#apps" data-view="apps">Apps</a>
        <a href="#invocations" data-view="invocations">Invocations</a>
        <a href="#charts" data-view="charts">Charts</a>
        <a href="#keys" data-view="keys">Keys</a>
        <a href="#dead-letters" data-view="dead-letters">Dead letters</a>
      </nav>
      <span class="right"><span id="status"></span> <button id="signout" hidden>Sign out</button></span>
    </header>
    <main id="main"></main>
    <script>
    "use strict";
    const state = { token: sessionStorage.getItem("stratus-token"), timer: null, invocations: [], latest: 0, open: new Set(),
                    series: {}, lastScrape: null, keysApp: null, keysPrefix: "", keysPages: [null] };
    const main = document.getElementById("main");
    const esc = (text) => String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

    // A link may carry the token in its fragment: #token=...&view=...[&app=...]; the server never sees it.
    (function fromFragment() {
      const params = new URLSearchParams(location.hash.slice(1));
      if (params.get("app")) state.keysApp = params.get("app");
      if (params.get("token")) {
        state.token = params.get("token");
        sessionStorage.setItem("stratus-token", state.token);
        history.replaceState(null, "", "#" + (params.get("view") || "apps"));
      }
    })();

    class APIError extends Error {}
    async function api(path, options = {}) {
      const response = await fetch(path, { ...options, headers: { ...(options.headers || {}), Authorization: "Bearer " + state.token } });
      if (response.status === 401) { signOut("The token was refused; sign in again."); throw new APIError("unauthorized"); }
      if (!response.ok) {
        let message = "HTTP " + response.status;
        try { const body = await response.json(); message = body.error.message + " [" + body.error.code + "]"; } catch (e) {}
        throw new APIError(message);
      }
      return response.status === 204 || response.status === 202 ? null : response.json();
    }

    function signOut(message) {
      sessionStorage.removeItem("stratus-token");
      state.token = null;
      render(message);
    }

    function showSignIn(message) {
      document.getElementById("signout").hidden = true;
      main.innerHTML = `<form class="signin" id="signin">
          <h2>Sign in</h2>
          ${message ? `<div class="banner">${esc(message)}</div>` : ""}
          <label>Admin token<input type="password" id="token" autocomplete="current-password" required></label>
          <div class="muted">The server's token is in <code>DIR/admin-token</code>, or <code>STRATUS_TOKEN</code>.</div><br>
          <button class="primary" type="submit">Sign in</button></form>`;
      document.getElementById("signin").onsubmit = (event) => {
        event.preventDefault();
        state.token = document.getElementById("token").value.trim();
        sessionStorage.setItem("stratus-token", state.token);
        render();
      };
    }

    const views = {
      async apps() {
        const { apps } = await api("/_stratus/apps");
        if (!apps.length) return `<div class="empty">No apps are deployed. Deploy one with <code>stratus deploy DIR</code>.</div>`;
        return apps.map((app) => `<h2 data-app="${esc(app.app)}">${esc(app.app)} <span class="muted">version ${app.version}, deployed ${esc(app.deployed_at)}</span></h2>
          <table><tr><th>name</th><th>kind</th><th>module / steps</th><th>routes</th></tr>
          ${app.functions.map((f) => `<tr data-function="${esc(app.app)}/${esc(f.name)}"><td>${esc(f.name)}</td><td>function</td>
              <td class="mono">${esc(f.module)} [${esc(f.entry)}] <span class="muted">on ${esc(f.engine)}</span></td><td class="mono">${f.routes.map(esc).join("<br>")}</td></tr>`).join("")}
          ${app.sequences.map((s) => `<tr><td>${esc(s.name)}</td><td>sequence</td><td class="mono">${s.steps.map(esc).join(" → ")}</td>
              <td class="mono">${s.routes.map(esc).join("<br>")}</td></tr>`).join("")}
          ${app.plans.map((p) => `<tr><td>${esc(p.name)}</td><td>plan</td><td class="mono">split ${esc(p.split)}, map ${esc(p.map)}, reduce ${esc(p.reduce)}</td>
              <td class="mono">${p.routes.map(esc).join("<br>")}</td></tr>`).join("")}
          </table>`).join("");
      },

      async invocations() {
        const fresh = await api("/_stratus/logs?limit=200" + (state.latest ? "&after=" + state.latest : ""));
        state.invocations = fresh.invocations.concat(state.invocations).slice(0, 200);
        state.invocations.sort((a, b) => b.seq - a.seq);
        state.latest = Math.max(state.latest, fresh.latest);
        if (!state.invocations.length) return `<div class="empty">No invocations yet.</div>`;
        return `<table id="invocations"><tr><th>time</th><th>function</th><th>trigger</th><th>outcome</th><th>duration</th><th>id</th></tr>
          ${state.invocations.map((r) => `<tr class="invocation" data-seq="${r.seq}" data-invocation="${esc(r.app)}/${esc(r.function)}">
              <td class="mono">${esc(r.start)}</td><td>${esc(r.app)}/${esc(r.function)}</td><td>${esc(r.trigger)}</td>
              <td class="${r.outcome === "ok" ? "ok" : "bad"}">${esc(r.outcome)}${r.status ? " " + r.status : ""}</td>
              <td class="num">${r.duration_ms.toFixed(2)} ms</td><td class="mono muted">${esc(r.id)}</td></tr>
              ${state.open.has(r.seq) ? `<tr class="logs"><td colspan="6" class="mono">${r.error ? `<span class="bad">error: ${esc(r.error)}</span>\n` : ""}${
                r.lines.map((l) => `${l.source === "stderr" ? "stderr" : esc(l.level)}: ${esc(l.message)}`).join("\n") || '<span class="muted">no log lines</span>'}</td></tr>` : ""}`).join("")}
          </table>`;
      },

      async charts() {
        const response = await fetch("/metrics");
        const now = Date.now() / 1000;
        const totals = {};
        for (const line of (await response.text()).split("\n")) {
          const match = line.match(/^stratus_invocation_duration_seconds_(count|sum)\{app="([^"]*)",function="([^"]*)"\} ([0-9.e+-]+)$/);
          if (!match) continue;
          const key = match[2] + "/" + match[3];
          totals[key] = totals[key] || { count: 0, sum: 0 };
          totals[key][match[1]] = Number(match[4]);
        }
        for (const [key, total] of Object.entries(totals)) {
          const series = state.series[key] = state.series[key] || { points: [], last: null };
          if (series.last && now > series.last.time) {
            const calls = total.count - series.last.count;
            series.points.push({ rate: calls / (now - series.last.time), latency: calls > 0 ? 1000 * (total.sum - series.last.sum) / calls : null });
            series.points = series.points.slice(-90);
          }
          series.last = { time: now, count: total.count, sum: total.sum };
        }
        const keys = Object.keys(totals).sort();
        if (!keys.length) return `<div class="empty">No function has run yet.</div>`;
        const line = (values, color, unit) => {
          const known = values.map((v, i) => [i, v]).filter(([, v]) => v !== null);
          if (known.length < 2) return `<svg viewBox="0 0 300 60"><text x="4" y="34" fill="#6b7385" font-size="11">${unit}: collecting…</text></svg>`;
          const top = Math.max(...known.map(([, v]) => v), 1e-9);
          const points = known.map(([i, v]) => `${(i * 300 / Math.max(values.length - 1, 1)).toFixed(1)},${(58 - 50 * v / top).toFixed(1)}`).join(" ");
          return `<svg viewBox="0 0 300 60" preserveAspectRatio="none"><text x="2" y="9" fill="${color}" font-size="9">${unit}, peak ${top < 10 ? top.toFixed(2) : top.toFixed(0)}</text>
            <polyline fill="none" stroke="${color}" stroke-width="1.5" points="${points}"/></svg>`;
        };
        return `<p class="muted">From <code>/metrics</code> every 2 s: requests per second and mean latency per function.</p><div class="charts">${keys.map((key) => {
          const s = state.series[key], last = s.points[s.points.length - 1] || { rate: 0, latency: null };
          return `<div class="chart" data-chart="${esc(key)}"><h3>${esc(key)}</h3>
            <div class="figures">${totals[key].count} invocations · ${last.rate.toFixed(1)}/s now · ${last.latency === null ? "–" : last.latency.toFixed(2) + " ms"} mean</div>
            ${line(s.points.map((p) => p.rate), "#2f6fde", "requests/s")}${line(s.points.map((p) => p.latency), "#c27a32", "mean latency, ms")}</div>`;
        }).join("")}</div>`;
      },

      async keys() {
        const { apps } = await api("/_stratus/apps");
        if (!apps.length) return `<div class="empty">No apps are deployed.</div>`;
        if (!apps.some((a) => a.app === state.keysApp)) { state.keysApp = apps[0].app; state.keysPages = [null]; }
        const after = state.keysPages[state.keysPages.length - 1];
        const list = await api(`/_stratus/apps/${encodeURIComponent(state.keysApp)}/kv?limit=50&prefix=${encodeURIComponent(state.keysPrefix)}` +
                               (after ? "&after=" + encodeURIComponent(after) : ""));
        return `<div class="toolbar"><select id="keys-app">${apps.map((a) => `<option${a.app === state.keysApp ? " selected" : ""}>${esc(a.app)}</option>`).join("")}</select>
            <input id="keys-prefix" placeholder="prefix" value="${esc(state.keysPrefix)}"><button id="keys-go">List</button>
            ${state.keysPages.length > 1 ? `<button id="keys-first">First page</button>` : ""}${list.next ? `<button id="keys-next">Next page</button>` : ""}</div>
          ${list.items.length ? `<table id="keys"><tr><th>key</th><th>size</th><th>value</th></tr>${list.items.map((item) => `<tr data-key="${esc(item.key)}">
              <td class="mono">${esc(item.key)}</td><td class="num">${item.size}</td>
              <td class="mono">${item.value !== undefined && item.value !== null ? esc(item.value.length > 300 ? item.value.slice(0, 300) + "…" : item.value) : `<span class="muted">binary, base64 ${esc(item.value_base64.slice(0, 80))}</span>`}</td></tr>`).join("")}</table>`
            : `<div class="empty">No keys${state.keysPrefix ? " with this prefix" : ""}.</div>`}`;
      },

      async "dead-letters"() {
        const { dead_letters: letters } = await api("/_stratus/dead-letters");
        if (!letters.length) return `<div class="empty">No dead letters: every event ran.</div>`;
        return `<table id="dead-letters"><tr><th>id</th><th>function</th><th>trigger</th><th>attempts</th><th>last error</th><th></th></tr>
          ${letters.map((d) => `<tr data-dead-letter="${d.id}"><td class="mono">${d.id}</td><td>${esc(d.app)}/${esc(d.function)}</td>
            <td>${esc(d.trigger)}${d.key ? ` <span class="mono">${esc(d.op)} ${esc(d.key)}</span>` : ""}</td><td class="num">${d.attempts}</td>
            <td class="bad">${esc(d.error)}</td><td><button data-replay="${d.id}">Replay</button></td></tr>`).join("")}</table>`;
      },
    };

    // Views that change by themselves are drawn again every 2 s.
    const live = new Set(["invocations", "charts", "dead-letters"]);

    async function render(message) {
      clearTimeout(state.timer);
      if (!state.token) return showSignIn(message);
      document.getElementById("signout").hidden = false;
      const view = views[location.hash.slice(1)] ? location.hash.slice(1) : "apps";
      for (const link of document.querySelectorAll("nav a")) link.classList.toggle("active", link.dataset.view === view);
      try {
        const html = await views[view]();
        if ((location.hash.slice(1) || "apps") !== view && views[location.hash.slice(1)]) return;
        main.innerHTML = (message ? `<div class="banner">${esc(message)}</div>` : "") + html;
        main.dataset.view = view;
        document.getElementById("status").textContent = "updated " + new Date().toLocaleTimeString();
        wire(view);
      } catch (error) {
        if (!(error instanceof APIError) || error.message !== "unauthorized") {
          main.innerHTML = `<div class="banner">${esc(error.message)}</div>`;
        }
        if (!state.token) return;
      }
      if (live.has(view)) state.timer = setTimeout(() => render(), 2000);
    }

    function wire(view) {
      if (view === "invocations") {
        for (const row of main.querySelectorAll("tr.invocation")) {
          row.onclick = () => { const seq = Number(row.dataset.seq); state.open.has(seq) ? state.open.delete(seq) : state.open.add(seq); render(); };
        }
      }
      if (view === "keys") {
        const go = () => { state.keysApp = document.getElementById("keys-app").value; state.keysPrefix = document.getElementById("keys-prefix").value; state.keysPages = [null]; render(); };
        document.getElementById("keys-go").onclick = go;
        document.getElementById("keys-app").onchange = go;
        const next = document.getElementById("keys-next");
        if (next) next.onclick = () => { const rows = main.querySelectorAll("tr[data-key]"); state.keysPages.push(rows[rows.length - 1].dataset.key); render(); };
        const first = document.getElementById("keys-first");
        if (first) first.onclick = () => { state.keysPages = [null]; render(); };
      }
      if (view === "dead-letters") {
        for (const button of main.querySelectorAll("button[data-replay]")) {
          button.onclick = async () => {
            try { await api(`/_stratus/dead-letters/${button.dataset.replay}/replay`, { method: "POST" }); render("Dead letter " + button.dataset.replay + " queued again."); }
            catch (error) { render(error.message); }
          };
        }
      }
    }

    document.getElementById("signout").onclick = () => signOut();
    window.addEventListener("hashchange", () => render());
    render();
    </script>
    </body>
    </html>
    """#
}
