// The layer catalogue from GET /tiles: titles, zoom ranges and tile URLs, shared by the UI.
let layers = [];

export function setCatalog(tileLayers) {
  layers = tileLayers;
}

export function catalog() {
  return layers;
}

export function tileLayer(id) {
  return layers.find((layer) => layer.name === id);
}
