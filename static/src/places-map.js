// The places map: markers from the page's JSON (coloured by status, lettered by kind, named when zoomed in), the
// incidents layer, and the wards' names; on tiles from settings when a tile server is configured, else on a plain
// background with a scale. Keyboard: every marker is in the Tab order (Leaflet's own, kept); a popup's link takes the
// focus when it opens, and Escape closes it and gives the focus back to its marker.
(function () {
  const element = document.getElementById("places-map");
  if (!element || typeof L === "undefined") return;
  const settings = JSON.parse(document.getElementById("map-settings").textContent);
  const markers = JSON.parse(document.getElementById("map-markers").textContent);
  const incidents = JSON.parse(document.getElementById("map-incidents").textContent);
  const LABELS_FROM_ZOOM = 14; // names on every marker once zoomed in this far
  const SIZE = 28; // CSS px: above the 24 px minimum target size (WCAG 2.2, 2.5.8)
  const map = L.map(element, { keyboard: true }).setView(settings.centre, settings.zoom);
  if (settings.tiles) {
    L.tileLayer(settings.tiles, { attribution: settings.attribution, maxZoom: 19 }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);

  let opener = null; // the marker whose popup is open, to give the focus back to
  function bindPopup(marker, content, focusOnOpen) {
    marker.bindPopup(content, { autoPanPadding: [40, 40] });
    marker.on("popupopen", (event) => {
      opener = marker;
      const link = event.popup.getElement().querySelector("a[href]");
      if (link && focusOnOpen.value) link.focus();
      focusOnOpen.value = true;
    });
  }
  function closeAndReturn() {
    const marker = opener;
    map.closePopup();
    if (marker && marker.getElement()) marker.getElement().focus();
  }
  element.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && opener && map.hasLayer(opener.getPopup())) {
      event.preventDefault();
      event.stopPropagation();
      closeAndReturn();
    }
  });
  map.on("popupclose", () => {
    const marker = opener;
    if (marker && element.contains(document.activeElement) && document.activeElement.closest(".leaflet-popup")) {
      marker.getElement()?.focus();
    }
  });

  const places = L.layerGroup().addTo(map);
  const byId = {};
  const bounds = [];
  const focusOnOpen = { value: true };
  for (const place of markers) {
    const icon = L.divIcon({
      className: `app-marker app-marker--${place.status}`,
      html: `<span class="app-marker__mark" aria-hidden="true"></span>`,
      iconSize: [SIZE, SIZE],
      iconAnchor: [SIZE / 2, SIZE / 2],
      popupAnchor: [0, -SIZE / 2],
      tooltipAnchor: [SIZE / 2, 0],
    });
    const marker = L.marker([place.lat, place.lng], {
      icon, title: `${place.name}: ${place.kind_label}, ${place.status_label}`, keyboard: true,
    });
    marker.on("add", () => {
      const mark = marker.getElement().querySelector(".app-marker__mark");
      if (mark) mark.textContent = place.mark;
      marker.getElement().dataset.place = String(place.id);
    });
    const link = document.createElement("a");
    link.href = place.url;
    link.className = "govuk-link";
    link.textContent = place.name;
    const popup = document.createElement("div");
    popup.append(link, document.createElement("br"), `${place.kind_label} · ${place.status_label}`);
    bindPopup(marker, popup, focusOnOpen);
    marker.bindTooltip(place.name, { permanent: true, direction: "right", className: "app-map-label", offset: [2, 0] });
    marker.addTo(places);
    byId[place.id] = marker;
    bounds.push([place.lat, place.lng]);
  }

  const incidentLayer = L.layerGroup().addTo(map);
  for (const at of incidents) {
    const icon = L.divIcon({
      className: "app-incident",
      html: `<span aria-hidden="true">${at.entries.length > 9 ? "9+" : String(at.entries.length)}</span>`,
      iconSize: [24, 24],
      iconAnchor: [-4, 28], // beside the place's own marker, not over it
      popupAnchor: [16, -28],
    });
    const count = at.entries.length;
    const marker = L.marker([at.lat, at.lng], {
      icon, keyboard: true, title: `${count} incident${count === 1 ? "" : "s"} at ${at.place}`,
    });
    const popup = document.createElement("div");
    const heading = document.createElement("strong");
    heading.textContent = `Incidents at ${at.place}`;
    const list = document.createElement("ul");
    list.className = "app-incident__list";
    for (const entry of at.entries.slice(0, 10)) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = entry.url;
      link.className = "govuk-link";
      link.textContent = `${entry.kind}, ${entry.date}`;
      item.append(link);
      list.append(item);
    }
    popup.append(heading, list);
    if (count > 10) popup.append(`and ${count - 10} more`);
    bindPopup(marker, popup, focusOnOpen);
    marker.addTo(incidentLayer);
  }
  L.control.layers(null, { "Places": places, "Incidents": incidentLayer }, { collapsed: false }).addTo(map);

  // The wards' names, at the middle of their places: a rough guide to where things are without a tile server.
  if (!settings.tiles) {
    const wards = {};
    for (const place of markers) {
      if (!place.ward) continue;
      (wards[place.ward] ||= []).push([place.lat, place.lng]);
    }
    for (const [ward, spots] of Object.entries(wards)) {
      const lat = spots.reduce((sum, spot) => sum + spot[0], 0) / spots.length;
      const lng = spots.reduce((sum, spot) => sum + spot[1], 0) / spots.length;
      // Above its places, so the name does not cover a marker.
      L.tooltip({ permanent: true, direction: "top", offset: [0, -24], className: "app-map-ward", interactive: false })
        .setLatLng([lat, lng]).setContent(ward).addTo(map);
    }
  }

  function showLabels() {
    element.classList.toggle("app-map--labels", map.getZoom() >= LABELS_FROM_ZOOM);
    const centre = map.getCenter();
    element.dataset.centreLat = centre.lat.toFixed(5);
    element.dataset.centreLng = centre.lng.toFixed(5);
    element.dataset.zoom = String(map.getZoom());
  }
  map.on("zoomend moveend", showLabels);

  const focus = settings.focus && byId[settings.focus];
  if (focus) {
    map.setView(focus.getLatLng(), 16);
    focusOnOpen.value = false; // opened for the reader, not by them: the focus stays at the top of the page
    focus.openPopup();
  } else if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
  }
  showLabels();
  element.dataset.markers = String(bounds.length);
  element.dataset.incidents = String(incidents.length);
})();
