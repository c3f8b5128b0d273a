/**
 * PNG text chunks, as AUTOMATIC1111 writes its infotext ("parameters") into every PNG it makes, so a
 * picture carries the prompt it was made from.
 *
 * A PNG is an 8-byte signature followed by chunks: length (4 bytes, big-endian, of the data only), type
 * (4 ASCII letters), data, CRC-32 (big-endian) over type + data. A text chunk may go anywhere after IHDR and
 * before IEND; it is inserted right after IHDR here. Like Pillow's PngInfo.add_text (what A1111 uses): a
 * text that Latin-1 can hold is a tEXt chunk (keyword NUL text), anything else an iTXt chunk (keyword NUL,
 * compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, UTF-8 text).
 */
import * as zlib from 'node:zlib';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** The PNG with a text chunk `keyword` = `text` after IHDR. Throws when `png` is not a PNG. */
export function withPngText(png: Buffer, keyword: string, text: string): Buffer {
  if (png.length < 33 || !png.subarray(0, 8).equals(SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG: no signature and IHDR chunk');
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword)) throw new Error(`PNG text keyword ${JSON.stringify(keyword)} is not 1-79 printable ASCII characters`);
  const ihdrEnd = 8 + 12 + png.readUInt32BE(8);
  const latin1 = /^[\x00-\xff]*$/.test(text) && !text.includes('\0');
  const data = latin1
    ? Buffer.concat([Buffer.from(`${keyword}\0`, 'latin1'), Buffer.from(text, 'latin1')])
    : Buffer.concat([Buffer.from(`${keyword}\0\0\0\0\0`, 'latin1'), Buffer.from(text.replace(/\0/g, ''), 'utf8')]);
  return Buffer.concat([png.subarray(0, ihdrEnd), chunk(latin1 ? 'tEXt' : 'iTXt', data), png.subarray(ihdrEnd)]);
}

/** Every tEXt and iTXt chunk of a PNG, keyword -> text (uncompressed iTXt only). */
export function readPngText(png: Buffer): Record<string, string> {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG: no signature');
  const out: Record<string, string> = {};
  for (let at = 8; at + 12 <= png.length; ) {
    const len = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const data = png.subarray(at + 8, at + 8 + len);
    const nul = data.indexOf(0);
    if (type === 'tEXt' && nul > 0) out[data.toString('latin1', 0, nul)] = data.toString('latin1', nul + 1);
    if (type === 'iTXt' && nul > 0 && data[nul + 1] === 0) {
      const lang = data.indexOf(0, nul + 3);
      const translated = lang < 0 ? -1 : data.indexOf(0, lang + 1);
      if (translated >= 0) out[data.toString('latin1', 0, nul)] = data.toString('utf8', translated + 1);
    }
    if (type === 'IEND') break;
    at += 12 + len;
  }
  return out;
}
