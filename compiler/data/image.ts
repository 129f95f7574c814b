/**
 * Image files for `tempo-cim run --image`: PNG (decoded with node:zlib; grayscale, RGB, palette, with
 * or without alpha; 1-16 bits; non-interlaced) and PGM (P5 binary, P2 ASCII). Every image becomes
 * 8-bit grayscale with MNIST's convention (0 = background, 255 = ink): alpha is composited over white,
 * and an image whose border is mostly bright (dark ink on light paper) is inverted. It is then padded
 * to a square and area-resampled to the model's source size. Malformed files raise an Error that
 * names the file and the problem.
 */
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { crc32 } from '../../runtime/crc32.ts';
import { UserError } from '../errors.ts';

export class ImageError extends UserError {
  override name = 'ImageError';
}

export interface GrayImage {
  width: number;
  height: number;
  /** 8-bit grayscale, row-major. */
  pixels: Uint8Array;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const MAX_PIXELS = 64 * 1024 * 1024;

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);
}

/** Decodes a PNG to 8-bit grayscale (alpha composited over white). */
export function decodePng(bytes: Uint8Array, name = 'PNG'): GrayImage {
  if (!isPng(bytes)) throw new ImageError(`${name}: not a PNG file (bad signature)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 8;
  let width = 0;
  let height = 0;
  let depth = 0;
  let colorType = -1;
  let palette: Uint8Array | null = null;
  let paletteAlpha: Uint8Array | null = null;
  const idat: Uint8Array[] = [];
  let sawEnd = false;
  while (pos < bytes.length) {
    if (pos + 12 > bytes.length) throw new ImageError(`${name}: truncated chunk header at byte ${pos}`);
    const len = view.getUint32(pos);
    const type = String.fromCharCode(bytes[pos + 4], bytes[pos + 5], bytes[pos + 6], bytes[pos + 7]);
    if (len > bytes.length - pos - 12) throw new ImageError(`${name}: chunk ${type} of ${len} bytes runs past the end of the file`);
    const data = bytes.subarray(pos + 8, pos + 8 + len);
    const crc = view.getUint32(pos + 8 + len);
    if (crc32(bytes, pos + 4, pos + 8 + len) !== crc) throw new ImageError(`${name}: CRC mismatch in chunk ${type}`);
    pos += 12 + len;
    if (type === 'IHDR') {
      if (len !== 13) throw new ImageError(`${name}: IHDR has ${len} bytes, expected 13`);
      width = view.getUint32(pos - 12 - len + 8);
      height = view.getUint32(pos - 12 - len + 12);
      depth = data[8];
      colorType = data[9];
      if (data[10] !== 0 || data[11] !== 0) throw new ImageError(`${name}: unsupported compression or filter method`);
      if (data[12] !== 0) throw new ImageError(`${name}: interlaced PNGs are not supported; save it non-interlaced`);
      if (width === 0 || height === 0 || width * height > MAX_PIXELS) throw new ImageError(`${name}: image size ${width}x${height} out of range`);
      const ok: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
      if (!ok[colorType]?.includes(depth)) throw new ImageError(`${name}: invalid color type ${colorType} with bit depth ${depth}`);
    } else if (type === 'PLTE') {
      palette = data;
    } else if (type === 'tRNS') {
      paletteAlpha = data;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      sawEnd = true;
      break;
    }
  }
  if (colorType < 0) throw new ImageError(`${name}: missing IHDR chunk`);
  if (!idat.length) throw new ImageError(`${name}: no image data (IDAT)`);
  if (!sawEnd) throw new ImageError(`${name}: truncated (no IEND chunk)`);
  if (colorType === 3 && !palette) throw new ImageError(`${name}: palette image without PLTE chunk`);
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType]!;
  const bpp = Math.max(1, (channels * depth) >> 3);
  const stride = Math.ceil((width * channels * depth) / 8);
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: (stride + 1) * height + 1 });
  } catch (error) {
    throw new ImageError(`${name}: corrupt compressed image data (${(error as Error).message})`);
  }
  if (raw.length < (stride + 1) * height) throw new ImageError(`${name}: image data too short (${raw.length} bytes, need ${(stride + 1) * height})`);
  const rows = new Uint8Array(stride * height);
  const prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = rows.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? rows.subarray((y - 1) * stride, y * stride) : prev;
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp] : 0;
      const b = up[i];
      const c = i >= bpp ? up[i - bpp] : 0;
      let v: number;
      switch (filter) {
        case 0: v = src[i]; break;
        case 1: v = src[i] + a; break;
        case 2: v = src[i] + b; break;
        case 3: v = src[i] + ((a + b) >> 1); break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = src[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default: throw new ImageError(`${name}: bad filter type ${filter} on row ${y}`);
      }
      cur[i] = v & 0xff;
    }
  }
  const sample = (row: Uint8Array, index: number): number => {
    if (depth === 8) return row[index];
    if (depth === 16) return row[2 * index];
    const perByte = 8 / depth;
    const byte = row[Math.floor(index / perByte)];
    const shift = 8 - depth * ((index % perByte) + 1);
    return (byte >> shift) & ((1 << depth) - 1);
  };
  const scale = depth < 8 ? 255 / ((1 << depth) - 1) : 1;
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = rows.subarray(y * stride, (y + 1) * stride);
    for (let x = 0; x < width; x++) {
      let gray: number;
      let alpha = 255;
      if (colorType === 0) {
        gray = sample(row, x) * scale;
      } else if (colorType === 3) {
        const idx = sample(row, x);
        if (idx * 3 + 2 >= palette!.length) throw new ImageError(`${name}: palette index ${idx} out of range`);
        gray = (299 * palette![idx * 3] + 587 * palette![idx * 3 + 1] + 114 * palette![idx * 3 + 2]) / 1000;
        if (paletteAlpha && idx < paletteAlpha.length) alpha = paletteAlpha[idx];
      } else if (colorType === 4) {
        gray = sample(row, 2 * x);
        alpha = sample(row, 2 * x + 1);
      } else {
        const r = sample(row, channels * x);
        const g = sample(row, channels * x + 1);
        const b = sample(row, channels * x + 2);
        gray = (299 * r + 587 * g + 114 * b) / 1000;
        if (colorType === 6) alpha = sample(row, 4 * x + 3);
      }
      // Composite over white paper.
      pixels[y * width + x] = Math.round((gray * alpha + 255 * (255 - alpha)) / 255);
    }
  }
  return { width, height, pixels };
}

/** Decodes a PGM (P5 binary or P2 ASCII; maxval up to 65535) to 8-bit grayscale. */
export function decodePgm(bytes: Uint8Array, name = 'PGM'): GrayImage {
  if (bytes.length < 2 || bytes[0] !== 0x50 || (bytes[1] !== 0x35 && bytes[1] !== 0x32)) throw new ImageError(`${name}: not a PGM file (expected P5 or P2 magic)`);
  const binary = bytes[1] === 0x35;
  let pos = 2;
  const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c;
  const token = (what: string): number => {
    for (;;) {
      while (pos < bytes.length && isSpace(bytes[pos])) pos++;
      if (bytes[pos] === 0x23) {
        while (pos < bytes.length && bytes[pos] !== 0x0a) pos++;
        continue;
      }
      break;
    }
    const start = pos;
    while (pos < bytes.length && bytes[pos] >= 0x30 && bytes[pos] <= 0x39) pos++;
    if (pos === start) throw new ImageError(`${name}: malformed header: expected ${what} at byte ${start}`);
    if (pos - start > 9) throw new ImageError(`${name}: ${what} is too large`);
    return Number(new TextDecoder().decode(bytes.subarray(start, pos)));
  };
  const width = token('width');
  const height = token('height');
  const maxval = token('maxval');
  if (width === 0 || height === 0 || width * height > MAX_PIXELS) throw new ImageError(`${name}: image size ${width}x${height} out of range`);
  if (maxval === 0 || maxval > 65535) throw new ImageError(`${name}: maxval ${maxval} out of range 1..65535`);
  const n = width * height;
  const pixels = new Uint8Array(n);
  if (binary) {
    if (pos >= bytes.length || !isSpace(bytes[pos])) throw new ImageError(`${name}: malformed header (no whitespace before the pixel data)`);
    pos++;
    const bpp = maxval > 255 ? 2 : 1;
    if (bytes.length - pos < n * bpp) throw new ImageError(`${name}: truncated pixel data (${bytes.length - pos} bytes, need ${n * bpp})`);
    for (let i = 0; i < n; i++) {
      const v = bpp === 2 ? (bytes[pos + 2 * i] << 8) | bytes[pos + 2 * i + 1] : bytes[pos + i];
      if (v > maxval) throw new ImageError(`${name}: pixel ${i} value ${v} exceeds maxval ${maxval}`);
      pixels[i] = Math.round((v * 255) / maxval);
    }
  } else {
    for (let i = 0; i < n; i++) {
      let v: number;
      try {
        v = token(`pixel ${i}`);
      } catch {
        throw new ImageError(`${name}: truncated or malformed pixel data at pixel ${i} of ${n}`);
      }
      if (v > maxval) throw new ImageError(`${name}: pixel ${i} value ${v} exceeds maxval ${maxval}`);
      pixels[i] = Math.round((v * 255) / maxval);
    }
  }
  return { width, height, pixels };
}

export function decodeImage(bytes: Uint8Array, name = 'image'): GrayImage {
  if (isPng(bytes)) return decodePng(bytes, name);
  if (bytes.length >= 2 && bytes[0] === 0x50 && (bytes[1] === 0x35 || bytes[1] === 0x32)) return decodePgm(bytes, name);
  throw new ImageError(`${name}: unsupported image format (expected PNG or PGM)`);
}

/** MNIST convention: inverts the image if its border is mostly bright (dark ink on light paper). */
export function toInkOnBlack(img: GrayImage): GrayImage {
  const { width: w, height: h, pixels } = img;
  let sum = 0;
  let count = 0;
  for (let x = 0; x < w; x++) {
    sum += pixels[x] + pixels[(h - 1) * w + x];
    count += 2;
  }
  for (let y = 0; y < h; y++) {
    sum += pixels[y * w] + pixels[y * w + w - 1];
    count += 2;
  }
  if (sum / count <= 127) return img;
  return { width: w, height: h, pixels: pixels.map((v) => 255 - v) };
}

/** Pads to a square (background 0) and area-resamples to size x size. */
export function resizeTo(img: GrayImage, size: number): GrayImage {
  const { width: w, height: h } = img;
  if (w === size && h === size) return img;
  const side = Math.max(w, h);
  const ox = (side - w) / 2;
  const oy = (side - h) / 2;
  const out = new Uint8Array(size * size);
  const scale = side / size;
  for (let Y = 0; Y < size; Y++) {
    const y0 = Y * scale;
    const y1 = y0 + scale;
    for (let X = 0; X < size; X++) {
      const x0 = X * scale;
      const x1 = x0 + scale;
      let acc = 0;
      for (let sy = Math.floor(y0); sy < Math.ceil(y1); sy++) {
        const wy = Math.min(y1, sy + 1) - Math.max(y0, sy);
        const iy = Math.floor(sy - oy);
        if (wy <= 0 || iy < 0 || iy >= h || sy - oy < 0) continue;
        for (let sx = Math.floor(x0); sx < Math.ceil(x1); sx++) {
          const wx = Math.min(x1, sx + 1) - Math.max(x0, sx);
          const ix = Math.floor(sx - ox);
          if (wx <= 0 || ix < 0 || ix >= w || sx - ox < 0) continue;
          acc += wx * wy * img.pixels[iy * w + ix];
        }
      }
      out[Y * size + X] = Math.min(255, Math.round(acc / (scale * scale)));
    }
  }
  return { width: size, height: size, pixels: out };
}

/** Reads an image file and returns width x height 8-bit pixels in MNIST convention. */
export function loadImageFile(path: string, width: number, height: number): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new ImageError(`${path}: cannot read (${(error as Error).message})`);
  }
  if (width !== height) throw new ImageError(`model input ${width}x${height} is not square`);
  return resizeTo(toInkOnBlack(decodeImage(bytes, path)), width).pixels;
}
