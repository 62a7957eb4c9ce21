// The audit page's behaviour: pictures from the data block, two-way links, the inspector, zoom.
// Everything from the data is put into the page with textContent or element attributes, never as HTML.
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("page-data").textContent);
  const images = data.images || {};
  for (const el of document.querySelectorAll("img[data-img]")) {
    const ref = images[el.dataset.img];
    if (ref) el.src = ref.src;
  }

  const byId = new Map();
  const add = (map, key, el) => { const list = map.get(key); if (list) list.push(el); else map.set(key, [el]); };
  for (const el of document.querySelectorAll("[data-id]")) add(byId, el.dataset.id, el);
  for (const el of document.querySelectorAll("[data-ref]")) add(byId, el.dataset.ref, el);

  let lit = [];
  const clear = () => { for (const el of lit) el.classList.remove("sel", "hit"); lit = []; };
  const light = (id, cls) => { for (const el of byId.get(id) || []) { el.classList.add(cls); lit.push(el); } };

  const inspector = document.getElementById("inspector");
  const make = (tag, cls, text) => {
    const el = document.createElement(tag);
    if (cls) el.className = cls;
    if (text !== undefined) el.textContent = text;
    return el;
  };
  const span = (s, e) => (s === null || s === undefined) ? "no time" : (s === e ? `${s} s` : `${s} – ${e} s`);

  function show(id, anchor, item, linked) {
    inspector.replaceChildren();
    inspector.append(make("h2", "", id));
    if (anchor) {
      inspector.append(make("p", "meta", `${anchor.kind} · ${span(anchor.start, anchor.end)}` + (anchor.p ? ` · p=${JSON.stringify(anchor.p)}` : "")));
    } else {
      inspector.append(make("p", "meta", `${item.path} · ${span(item.start, item.end)}${item.derived ? " (from its anchors)" : ""}`));
    }
    inspector.append(make("h3", "", anchor ? `cited by ${linked.length} item(s)` : `cites ${linked.length} anchor(s)`));
    const chips = make("div", "chips");
    for (const other of linked) {
      const chip = make("button", "chip", other);
      chip.dataset.ref = other;
      chip.type = "button";
      chips.append(chip);
    }
    if (item) for (const bad of item.unknown) chips.append(make("span", "chip bad", `${bad} (no such anchor)`));
    inspector.append(chips);
    inspector.append(make("h3", "", anchor ? "content (c)" : "item JSON"));
    inspector.append(make("pre", "", JSON.stringify(anchor ? anchor.c : item.value, null, 2)));
  }

  // A reader who asked the system for reduced motion gets the card in view at once, not by a smooth scroll.
  const calm = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function select(id, from) {
    const anchor = data.anchors[id];
    const item = data.items[id];
    if (!anchor && !item) return;
    clear();
    light(id, "sel");
    const linked = anchor ? anchor.cited_by : item.anchor_ids;
    for (const other of linked) light(other, "hit");
    show(id, anchor, item, linked);
    const where = anchor ? (byId.get(linked[0]) || []).find((el) => el.classList.contains("card"))
                         : (byId.get(id) || []).find((el) => el.classList.contains("card"));
    if (where && from && !from.closest(".card")) where.scrollIntoView({ block: "nearest", behavior: calm() ? "auto" : "smooth" });
  }

  document.addEventListener("click", (ev) => {
    const el = ev.target.closest("[data-id],[data-ref]");
    if (el) select(el.dataset.id || el.dataset.ref, el);
  });
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape") { clear(); inspector.replaceChildren(make("p", "meta", "Click an item or an anchor.")); } });

  const zoom = document.getElementById("zoom");
  const tracks = document.getElementById("tracks");
  if (zoom && tracks) zoom.addEventListener("input", () => { tracks.style.width = `${zoom.value * 100}%`; });
  window.viewReady = performance.now();
})();
