import { deflateSync } from 'node:zlib';

type Rgb = readonly [number, number, number];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(b: Buffer): number {
  let c = 0xffffffff;
  for (const x of b) c = CRC_TABLE[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(td.length + 8);
  out.writeUInt32BE(data.length, 0);
  td.copy(out, 4);
  out.writeUInt32BE(crc32(td), td.length + 4);
  return out;
}

/**
 * Real PNG bytes (8-bit RGB, one IDAT), drawn pixel by pixel: test images that pass the camera
 * door's and the attachment store's magic-byte checks.
 */
export function encodePng(width: number, height: number, pixel: (x: number, y: number) => Rgb): Buffer {
  const rows = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const o = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) rows.set(pixel(x, y), o + 1 + x * 3);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

/** A camera snapshot for the tests: a road at dusk with a brown heap on it. */
export function roadSnapshotPng(width = 320, height = 180): Buffer {
  const horizon = height * 0.4;
  return encodePng(width, height, (x, y) => {
    if (y < horizon) return [40 + (y * 60) / horizon, 60 + (y * 50) / horizon, 110];
    const lane = Math.abs(x - width / 2) < 3 && Math.floor(y / 8) % 2 === 0;
    const heap = ((x - width * 0.62) / (width * 0.16)) ** 2 + ((y - height * 0.78) / (height * 0.1)) ** 2 < 1;
    return heap ? [120, 84, 50] : lane ? [230, 220, 120] : [70, 72, 78];
  });
}
