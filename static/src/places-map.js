// The places map: markers from the page's JSON, on tiles from settings when a tile server is configured.
(function () {
  const element = document.getElementById("places-map");
  if (!element || typeof L === "undefined") return;
  const settings = JSON.parse(document.getElementById("map-settings").textContent);
  const markers = JSON.parse(document.getElementById("map-markers").textContent);
  const map = L.map(element).setView(settings.centre, settings.zoom);
  if (settings.tiles) {
    L.tileLayer(settings.tiles, { attribution: settings.attribution, maxZoom: 19 }).addTo(map);
  }
  const bounds = [];
  for (const place of markers) {
    const link = document.createElement("a");
    link.href = place.url;
    link.textContent = place.name;
    const popup = document.createElement("div");
    popup.append(link, document.createElement("br"), `${place.kind} · ${place.status}`);
    L.marker([place.lat, place.lng], { title: place.name, alt: place.name }).addTo(map).bindPopup(popup);
    bounds.push([place.lat, place.lng]);
  }
  if (bounds.length) map.fitBounds(bounds, { padding: [30, 30], maxZoom: 15 });
  element.dataset.markers = String(bounds.length);
})();
