/* Leaflet maps, an enhancement over pages that work without them.
 *
 * #listing-map: the listings of the current result page as circles (never pins)
 *   around their public points, which are grid-cell centres, not addresses.
 * #pick-map: on the listing form, a marker put by a click (or by keyboard at the
 *   map's centre) and moved by dragging fills the hidden latitude/longitude inputs.
 * #place-map: on an event page, a ring around the event's place, whose address
 *   the page says in words above it.
 * #board-map: on the contractor's task board (?view=map), a marker for each site
 *   of the days shown, with its number of tasks on it and a popup that lists
 *   them; drawn again when the board renews itself (board.js).
 * Tiles come from the NABOLAG_MAP_TILE_URL setting, passed in the page's JSON.
 * The controls' words come translated from the map element's data-* attributes
 * (Leaflet's own are English).
 */
(function () {
  "use strict";

  function readConfig(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function leafletLink(title) {
    var anchor = document.createElement("a");
    anchor.href = "https://leafletjs.com";
    anchor.title = title;
    anchor.textContent = "Leaflet";
    return anchor.outerHTML;
  }

  function baseMap(element, config) {
    var words = element.dataset;
    var map = L.map(element, {
      scrollWheelZoom: false, zoomControl: false, attributionControl: false
    });
    L.control.zoom({
      zoomInTitle: words.zoomIn || "Zoom in", zoomOutTitle: words.zoomOut || "Zoom out"
    }).addTo(map);
    L.control.attribution({
      prefix: leafletLink(words.leafletTitle || "A JavaScript library for interactive maps")
    }).addTo(map);
    L.tileLayer(config.tiles, { maxZoom: 18, attribution: config.attribution }).addTo(map);
    return map;
  }

  function link(point) {
    var anchor = document.createElement("a");
    anchor.href = point.url;
    anchor.textContent = point.title;
    var wrap = document.createElement("div");
    var kind = document.createElement("div");
    kind.textContent = point.kind;
    wrap.appendChild(anchor);
    wrap.appendChild(kind);
    return wrap;
  }

  function listingMap() {
    var element = document.getElementById("listing-map");
    var config = readConfig("listing-map-config");
    if (!element || !config || typeof L === "undefined") return;
    element.classList.add("is-ready");
    var map = baseMap(element, config);
    var bounds = [];
    if (config.centre && config.radius_km) {
      L.circle(config.centre, {
        radius: config.radius_km * 1000, color: "#14492c", weight: 1, fill: false, dashArray: "4 6"
      }).addTo(map);
      bounds.push(config.centre);
    }
    config.points.forEach(function (point) {
      var circle = L.circle([point.lat, point.lon], {
        radius: config.cell_m * 0.75, color: "#b3401b", weight: 2, fillOpacity: 0.25
      }).addTo(map);
      circle.bindPopup(link(point));
      bounds.push([point.lat, point.lon]);
    });
    if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    } else if (bounds.length === 1) {
      map.setView(bounds[0], 14);
    } else {
      map.setView([56.0, 10.0], 6);
    }
  }

  // The listing form's place: a marker put by a click, moved by dragging, or
  // by keyboard: the arrow keys pan the focused map and "Put the point here"
  // drops it at the map's centre (the cross). Its point fills the hidden
  // latitude/longitude inputs; the address field stays the typed alternative.
  function pickMap() {
    var element = document.getElementById("pick-map");
    var config = readConfig("pick-map-config");
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    var tools = document.getElementById("pick-map-tools");
    var status = document.getElementById("pick-map-status");
    if (!element || !config || !lat || !lon || !tools || typeof L === "undefined") return;
    element.hidden = false;
    tools.hidden = false;
    var map = baseMap(element, config);
    var marker = null;
    var words = element.dataset;
    function say(text) { if (status) status.textContent = text; }
    function store(latlng) {
      lat.value = latlng.lat.toFixed(6);
      lon.value = latlng.lng.toFixed(6);
      say(words.picked || "");
    }
    function show(latlng) {
      if (marker) { marker.setLatLng(latlng); return; }
      marker = L.circleMarker(latlng, {
        radius: 10, color: "#14492c", weight: 3, fillColor: "#1f6f43", fillOpacity: 0.6
      }).addTo(map);
    }
    function put(latlng) { show(latlng); store(latlng); }
    if (lat.value && lon.value) {
      var start = [parseFloat(lat.value), parseFloat(lon.value)];
      map.setView(start, 15);
      show(start);
    } else if (config.centre) {
      map.setView(config.centre, 13);
    } else {
      map.setView([56.0, 10.0], 6);
    }
    map.on("click", function (event) { put(event.latlng); });
    // Dragging: press on the marker and move; the map does not pan meanwhile.
    map.on("mousedown", function (event) {
      if (!marker || map.latLngToContainerPoint(marker.getLatLng())
        .distanceTo(event.containerPoint) > 14) return;
      map.dragging.disable();
      map.on("mousemove", drag);
      map.once("mouseup", function () {
        map.off("mousemove", drag);
        map.dragging.enable();
        store(marker.getLatLng());
      });
    });
    function drag(event) { marker.setLatLng(event.latlng); }
    document.getElementById("pick-map-here").addEventListener("click", function () {
      put(map.getCenter());
    });
    document.getElementById("pick-map-clear").addEventListener("click", function () {
      lat.value = "";
      lon.value = "";
      if (marker) { map.removeLayer(marker); marker = null; }
      say(words.cleared || "");
    });
  }

  function placeMap() {
    var element = document.getElementById("place-map");
    var config = readConfig("place-map-config");
    if (!element || !config || typeof L === "undefined") return;
    element.hidden = false;
    var map = baseMap(element, config);
    L.circleMarker(config.point, {
      radius: 10, color: "#14492c", weight: 3, fillColor: "#1f6f43", fillOpacity: 0.5
    }).addTo(map).bindTooltip(config.title);
    map.setView(config.point, 15);
  }

  // The contractor's board: one marker per site, its number of tasks written
  // on it, filled and ringed where a task there waits for the contractor and
  // white where none does (the difference is not in the colour alone, and
  // each marker's name says it in words). Its popup lists the site's tasks,
  // each linked, with its club, when, state and whose move it is. The board
  // renews itself when a step comes (board.js says "nabolag:board-renewed"):
  // the map is drawn again from the new page's data, where the reader had
  // moved it, with the popup they had open.
  var shownBoard = null; // { map, open: the id of the site whose popup is open }

  function sitePin(site) {
    var count = document.createElement("span");
    count.textContent = String(site.count);
    return L.divIcon({
      className: "board-pin" + (site.yours ? " is-yours" : ""),
      html: count, iconSize: [36, 36], iconAnchor: [18, 18], popupAnchor: [0, -16]
    });
  }

  function line(tag, text, className) {
    var node = document.createElement(tag);
    node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function sitePopup(site) {
    var wrap = document.createElement("div");
    wrap.className = "board-popup";
    wrap.appendChild(line("p", site.name, "board-popup-site"));
    if (site.address) wrap.appendChild(line("p", site.address, "board-popup-address"));
    var list = document.createElement("ul");
    site.tasks.forEach(function (task) {
      var item = document.createElement("li");
      var anchor = line("a", task.title);
      anchor.href = task.url;
      item.appendChild(anchor);
      item.appendChild(line("div", [task.club, task.when, task.state].join(" · ")));
      item.appendChild(line("div", task.waiting, task.yours ? "is-yours" : ""));
      list.appendChild(item);
    });
    wrap.appendChild(list);
    return wrap;
  }

  function boardMap() {
    var kept = null;
    if (shownBoard) {
      var old = shownBoard;
      shownBoard = null;
      kept = { centre: old.map.getCenter(), zoom: old.map.getZoom(), open: old.open };
      old.map.remove();
    }
    var element = document.getElementById("board-map");
    var area = document.getElementById("board-map-area");
    var config = readConfig("board-map-config");
    if (!element || !area || !config || typeof L === "undefined") return;
    area.hidden = false;
    var words = element.dataset;
    var map = baseMap(element, config);
    var state = { map: map, open: null };
    shownBoard = state;
    var bounds = config.sites.map(function (site) { return [site.lat, site.lon]; });
    if (kept) {
      map.setView(kept.centre, kept.zoom);
    } else if (bounds.length > 1) {
      map.fitBounds(bounds, { padding: [32, 32], maxZoom: 15 });
    } else if (bounds.length === 1) {
      map.setView(bounds[0], 14);
    } else {
      map.setView([56.0, 10.0], 6);
    }
    // Leaflet's own word for the popup's close button is English.
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close && words.close) {
        close.setAttribute("aria-label", words.close);
        close.title = words.close;
      }
    });
    var markers = {};
    function popupWidth() {
      return Math.max(150, Math.min(320, element.clientWidth - 140));
    }
    // A phone turned on its side (or a window made narrower) with a site's
    // popup open: lay it out again at the new width, panned into view
    // (Leaflet's update does both, without fading it out and in).
    map.on("resize", function () {
      var marker = state.open === null ? null : markers[state.open];
      if (!marker) return;
      var popup = marker.getPopup();
      if (popup.options.maxWidth === popupWidth()) return;
      popup.options.maxWidth = popupWidth();
      popup.update();
    });
    config.sites.forEach(function (site) {
      var marker = L.marker([site.lat, site.lon], {
        icon: sitePin(site), title: site.label, keyboard: true
      }).addTo(map);
      // Narrow enough to stay clear of the zoom buttons on a phone.
      marker.bindPopup(sitePopup(site), {
        maxHeight: 280,
        maxWidth: popupWidth(),
        autoPanPaddingTopLeft: [64, 12]
      });
      markers[site.id] = marker;
      var pin = marker.getElement();
      if (pin) {
        // An id, so board.js puts the focus back on it after a renewal.
        pin.id = "board-pin-" + site.id;
        pin.setAttribute("aria-label", site.label);
      }
      marker.on("popupopen", function () { state.open = site.id; });
      marker.on("popupclose", function () {
        if (state.open === site.id) state.open = null;
      });
      if (kept && kept.open === site.id) marker.openPopup();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    listingMap();
    pickMap();
    placeMap();
    boardMap();
  });
  document.addEventListener("nabolag:board-renewed", boardMap);
})();
