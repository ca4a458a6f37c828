/**
 * A small PNG writer for the charts: RGBA, no filter, zlib at a fast level. Skia's own PNG encoder (what
 * `canvas.encode('png')` runs) spends about 60 ms on a 25-option chart here, most of the chart's budget; a chart
 * is a few flat colours and anti-aliased text, which zlib's fast levels pack almost as small in a tenth of the time.
 */
import { deflateSync } from 'node:zlib';

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const crcTable = (() => {
	const table = new Uint32Array(256);
	for (let n = 0; n < 256; n++) {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		table[n] = c >>> 0;
	}
	return table;
})();

function crc32(bytes: Uint8Array): number {
	let crc = 0xffffffff;
	for (const byte of bytes) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
	return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
	const out = Buffer.alloc(12 + data.length);
	out.writeUInt32BE(data.length, 0);
	out.write(type, 4, 'ascii');
	out.set(data, 8);
	out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
	return out;
}

/** Encodes RGBA pixels as an 8-bit RGBA PNG: each row is copied whole (dropping alpha costs more than it saves). */
export function encodePng(width: number, height: number, rgba: Uint8Array | Uint8ClampedArray): Buffer {
	const rowBytes = width * 4;
	const stride = rowBytes + 1;
	const pixels = new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength);
	const raw = Buffer.alloc(stride * height);
	// Each row starts with its filter type, 0 (none): left as allocated.
	for (let y = 0; y < height; y++) raw.set(pixels.subarray(y * rowBytes, (y + 1) * rowBytes), y * stride + 1);
	const header = Buffer.alloc(13);
	header.writeUInt32BE(width, 0);
	header.writeUInt32BE(height, 4);
	header[8] = 8; // bits per channel
	header[9] = 6; // colour type: RGBA
	return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 3 })), chunk('IEND', new Uint8Array())]);
}
