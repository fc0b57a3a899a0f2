#!/usr/bin/env node
// Draws Wactorz's icons and writes them as PNG with nothing but node:zlib: the app icon (three
// actors linked on a bus, on an indigo→sky rounded square) and the tray icons (the same glyph,
// dark for light panels and light for dark panels, with a status badge: ok green, alert red,
// offline faded with a grey ring). Shapes are signed-distance functions, supersampled 4×4 per
// pixel for clean anti-aliased edges at 16 px.
// Usage: node resources/make-icons.mjs   (rewrites the PNGs under resources/)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));

// ---- PNG encoding -------------------------------------------------------------------------
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** rgba: Float32Array of premultiplied-free RGBA in 0..1, row-major. */
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < size * 4; x++) raw[y * (size * 4 + 1) + 1 + x] = Math.round(Math.min(1, Math.max(0, rgba[y * size * 4 + x])) * 255);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- shapes (coordinates in 0..1 of the icon) ----------------------------------------------
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const segment = (ax, ay, bx, by, w) => (x, y) => {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - (ax + t * dx), y - (ay + t * dy)) - w / 2;
};
const roundedSquare = (inset, radius) => (x, y) => {
  const qx = Math.abs(x - 0.5) - (0.5 - inset - radius);
  const qy = Math.abs(y - 0.5) - (0.5 - inset - radius);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
};
const union = (...fs) => (x, y) => Math.min(...fs.map((f) => f(x, y)));
const ring = (cx, cy, r, w) => (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r) - w / 2;

/** The glyph: three actors (nodes) linked in a triangle, centred in a box [x0,y0,x0+s,y0+s]. */
function glyph(x0, y0, s, nodeR, lineW) {
  const p = (u, v) => [x0 + u * s, y0 + v * s];
  const [ax, ay] = p(0.5, 0.2);
  const [bx, by] = p(0.2, 0.76);
  const [cx, cy] = p(0.8, 0.76);
  return union(
    segment(ax, ay, bx, by, lineW),
    segment(bx, by, cx, cy, lineW),
    segment(cx, cy, ax, ay, lineW),
    circle(ax, ay, nodeR),
    circle(bx, by, nodeR),
    circle(cx, cy, nodeR),
  );
}

const hex = (h, a = 1) => [parseInt(h.slice(1, 3), 16) / 255, parseInt(h.slice(3, 5), 16) / 255, parseInt(h.slice(5, 7), 16) / 255, a];

/**
 * Renders layers bottom to top. A layer: { sdf, color: [r,g,b,a] | (x,y)=>[r,g,b,a], knockout? }
 * (`knockout` erases what is below inside the shape, for a badge's clear margin).
 */
function render(size, layers) {
  const out = new Float32Array(size * size * 4);
  const SS = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let acc = [0, 0, 0, 0];
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const x = (px + (sx + 0.5) / SS) / size;
          const y = (py + (sy + 0.5) / SS) / size;
          let c = [0, 0, 0, 0];
          for (const layer of layers) {
            if (layer.sdf(x, y) > 0) continue;
            if (layer.knockout) {
              c = [0, 0, 0, 0];
              continue;
            }
            const col = typeof layer.color === 'function' ? layer.color(x, y) : layer.color;
            const a = col[3];
            const outA = a + c[3] * (1 - a);
            c = outA === 0 ? [0, 0, 0, 0] : [0, 1, 2].map((i) => (col[i] * a + c[i] * c[3] * (1 - a)) / outA).concat(outA);
          }
          // Accumulate premultiplied, un-premultiply at the end.
          acc = [acc[0] + c[0] * c[3], acc[1] + c[1] * c[3], acc[2] + c[2] * c[3], acc[3] + c[3]];
        }
      }
      const n = SS * SS;
      const a = acc[3] / n;
      const o = (py * size + px) * 4;
      out[o] = a ? acc[0] / n / a : 0;
      out[o + 1] = a ? acc[1] / n / a : 0;
      out[o + 2] = a ? acc[2] / n / a : 0;
      out[o + 3] = a;
    }
  }
  return out;
}

// ---- the icons ---------------------------------------------------------------------------
function appIcon(size) {
  const top = hex('#4f46e5');
  const bottom = hex('#0ea5e9');
  const gradient = (x, y) => {
    const t = Math.min(1, Math.max(0, (x + y) / 2));
    return [0, 1, 2].map((i) => top[i] + (bottom[i] - top[i]) * t).concat(1);
  };
  return render(size, [
    { sdf: roundedSquare(0.06, 0.2), color: gradient },
    { sdf: glyph(0.2, 0.2, 0.6, 0.085, 0.045), color: hex('#ffffff') },
  ]);
}

const TRAY_STATES = {
  ok: { badge: hex('#22c55e'), faded: false },
  alert: { badge: hex('#ef4444'), faded: false },
  offline: { badge: null, faded: true },
};

function trayIcon(size, state, panel) {
  const ink = panel === 'light' ? hex('#1f2328') : hex('#f3f4f6');
  const { badge, faded } = TRAY_STATES[state];
  // The glyph sits top-left and the badge in the free bottom-right corner, so no actor is hidden.
  const layers = [{ sdf: glyph(0.03, 0.0, 0.78, 0.12, 0.085), color: faded ? [ink[0], ink[1], ink[2], 0.45] : ink }];
  const bx = 0.83;
  const by = 0.83;
  const br = 0.16;
  layers.push({ sdf: circle(bx, by, br + 0.06), knockout: true });
  if (badge) layers.push({ sdf: circle(bx, by, br), color: badge });
  else layers.push({ sdf: ring(bx, by, br - 0.04, 0.09), color: hex(panel === 'light' ? '#6b7280' : '#9ca3af') });
  return render(size, layers);
}

function write(rel, size, pixels) {
  const file = join(here, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, encodePng(size, pixels));
  return rel;
}

const written = [];
// electron-builder's source icon (it derives .icns/.ico) and the window/notification icon.
written.push(write('icon.png', 1024, appIcon(1024)));
written.push(write('icons/icon.png', 256, appIcon(256)));
// Linux icon set (hicolor sizes) for AppImage/deb.
for (const s of [16, 32, 48, 64, 128, 256, 512]) written.push(write(`icons/linux/${s}x${s}.png`, s, appIcon(s)));
// Tray: 16 px and @2x for HiDPI (nativeImage picks @2x by itself), per state and panel.
for (const state of Object.keys(TRAY_STATES)) {
  for (const panel of ['light', 'dark']) {
    written.push(write(`icons/tray-${state}-${panel}.png`, 16, trayIcon(16, state, panel)));
    written.push(write(`icons/tray-${state}-${panel}@2x.png`, 32, trayIcon(32, state, panel)));
  }
}
console.log(`wrote ${written.length} icons under resources/`);
