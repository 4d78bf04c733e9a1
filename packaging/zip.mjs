/** Minimal deterministic ZIP writer and CRX3 signer for the extension packages (no dependencies). */

import { createHash, createPrivateKey, createPublicKey, sign } from "node:crypto";
import { crc32, deflateRawSync } from "node:zlib";

const DOS_DATE_1980 = (0 << 9) | (1 << 5) | 1; // 1980-01-01: fixed so builds are byte-identical

/** Writes the fields a local header and its central directory record share, from offset `at`. */
function writeEntryFields(header, at, { method, crc, compressed, size, nameLength }) {
  header.writeUInt16LE(20, at); // version needed
  header.writeUInt16LE(0x0800, at + 2); // UTF-8 names
  header.writeUInt16LE(method, at + 4);
  header.writeUInt16LE(0, at + 6); // 00:00
  header.writeUInt16LE(DOS_DATE_1980, at + 8);
  header.writeUInt32LE(crc, at + 10);
  header.writeUInt32LE(compressed, at + 14);
  header.writeUInt32LE(size, at + 18);
  header.writeUInt16LE(nameLength, at + 22);
  header.writeUInt16LE(0, at + 24); // no extra field
}

/** Builds a ZIP archive from `[{name, data}]` (entries sorted by the caller). */
export function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBuf = Buffer.from(name, "utf8");
    const deflated = deflateRawSync(data, { level: 9 });
    const stored = deflated.length >= data.length;
    const body = stored ? data : deflated;
    const entry = {
      method: stored ? 0 : 8,
      crc: crc32(data),
      compressed: body.length,
      size: data.length,
      nameLength: nameBuf.length,
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    writeEntryFields(local, 4, entry);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x031e, 4); // made by: unix, 3.0
    writeEntryFields(central, 6, entry);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, body);
    centrals.push(central, nameBuf);
    offset += local.length + nameBuf.length + body.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

function varint(n) {
  const out = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}

/** One protobuf length-delimited field. */
function field(num, bytes) {
  return Buffer.concat([varint(num * 8 + 2), varint(bytes.length), bytes]);
}

/** The Chrome extension id of a DER public key: sha256, first 16 bytes, hex digits mapped to a–p. */
export function extensionId(publicKeyDer) {
  const hex = createHash("sha256").update(publicKeyDer).digest("hex").slice(0, 32);
  return [...hex].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join("");
}

/** The DER (SubjectPublicKeyInfo) public key of a PEM private key. */
export function publicKeyDer(privatePem) {
  return createPublicKey(createPrivateKey(privatePem)).export({ type: "spki", format: "der" });
}

/** Wraps a ZIP into a CRX3 package signed with the RSA key (format: Chromium components/crx_file). */
export function crx3(zipBytes, privatePem) {
  const pub = publicKeyDer(privatePem);
  const crxId = createHash("sha256").update(pub).digest().subarray(0, 16);
  const signedData = field(1, crxId);
  const lenLe = Buffer.alloc(4);
  lenLe.writeUInt32LE(signedData.length);
  const payload = Buffer.concat([Buffer.from("CRX3 SignedData\x00", "binary"), lenLe, signedData, zipBytes]);
  const signature = sign("sha256", payload, createPrivateKey(privatePem));
  const proof = Buffer.concat([field(1, pub), field(2, signature)]);
  const header = Buffer.concat([field(2, proof), field(10000, signedData)]);
  const prefix = Buffer.alloc(12);
  prefix.write("Cr24", 0, "ascii");
  prefix.writeUInt32LE(3, 4);
  prefix.writeUInt32LE(header.length, 8);
  return Buffer.concat([prefix, header, zipBytes]);
}
