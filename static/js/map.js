/* Leaflet maps, an enhancement over pages that work without them.
 *
 * #listing-map: the listings of the current result page as circles (never pins)
 *   around their public points, which are grid-cell centres, not addresses.
 * #pick-map: on the listing form, a click fills the latitude/longitude fields.
 * #place-map: on an event page, a ring around the event's place, whose address
 *   the page says in words above it.
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

  function pickMap() {
    var element = document.getElementById("pick-map");
    var config = readConfig("pick-map-config");
    var lat = document.getElementById("id_latitude");
    var lon = document.getElementById("id_longitude");
    if (!element || !config || !lat || !lon || typeof L === "undefined") return;
    element.hidden = false;
    var map = baseMap(element, config);
    var marker = null;
    function show(latlng) {
      if (marker) { marker.setLatLng(latlng); } else {
        marker = L.circle(latlng, { radius: 30, color: "#1f6f43", weight: 3 }).addTo(map);
      }
    }
    if (lat.value && lon.value) {
      var start = [parseFloat(lat.value), parseFloat(lon.value)];
      map.setView(start, 15);
      show(start);
    } else {
      map.setView([56.0, 10.0], 6);
    }
    map.on("click", function (event) {
      lat.value = event.latlng.lat.toFixed(6);
      lon.value = event.latlng.lng.toFixed(6);
      show(event.latlng);
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

  document.addEventListener("DOMContentLoaded", function () {
    listingMap();
    pickMap();
    placeMap();
  });
})();
