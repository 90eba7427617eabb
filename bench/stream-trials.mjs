// Streaming against one-shot: the same large input through this library's
// streaming API (digestStream, encryptStream) in 64 KiB chunks, and through
// crypto.subtle in one call. The peer `ours:stream` is the streaming run;
// `ours`, Node and the floor run the one-shot operation, so the row's
// "other path" cell reads streaming MiB/s, and its ratio one-shot ÷ streaming.
import { data, ivBytes, keyBytes } from './inputs.mjs';
import { sizeLabel, trial } from './trials.mjs';

const KiB = 1024;
const MiB = 1024 * KiB;
const CHUNK_BYTES = 64 * KiB;

/** A ReadableStream of message, CHUNK_BYTES at a time (views, no copies). */
function chunked(message) {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= message.length) return controller.close();
      controller.enqueue(message.subarray(offset, offset + CHUNK_BYTES));
      offset += CHUNK_BYTES;
    },
  }, { highWaterMark: 0 });
}

/** A sink that drops what it is given, or keeps it (for the output check) when `keep`. */
function sink(keep) {
  const parts = [];
  const writable = new WritableStream({ write: (chunk) => void (keep && parts.push(chunk)) });
  const bytes = () => {
    const joined = Buffer.concat(parts);
    return joined.buffer.slice(joined.byteOffset, joined.byteOffset + joined.length);
  };
  return { writable, bytes };
}

// case.mjs calls op(true) once to compare outputs with Node's, then op() in
// the timed rounds: a streaming encryption then discards its chunks as a
// real consumer would write them away, and does not pay for concatenating.
function streamTrial(id, family, bytes, { floor, oneShot, streamed }) {
  return trial({
    id: `${id} ${sizeLabel(bytes)}, streamed in ${sizeLabel(CHUNK_BYTES)} chunks`,
    family,
    bytes,
    peers: ['ours', 'ours:stream', 'node'],
    floor: [floor, bytes],
    async prepare(crypto, loaded) {
      const message = data(bytes);
      return loaded.streams ? await streamed(crypto, loaded.streams, message) : await oneShot(crypto, message);
    },
  });
}

function aesKey(crypto, name) {
  return crypto.subtle.importKey('raw', keyBytes(), name, false, ['encrypt']);
}

const AES = {
  'AES-GCM': () => ({ name: 'AES-GCM', iv: ivBytes(12) }),
  'AES-CTR': () => ({ name: 'AES-CTR', counter: ivBytes(16), length: 64 }),
};

/** The streaming cases: SHA-256, AES-GCM and AES-CTR encrypt; 64 MiB (1 MiB with `quick`). */
export function streamTrials({ quick = false } = {}) {
  const bytes = quick ? MiB : 64 * MiB;
  const list = [streamTrial('stream digest SHA-256', 'stream-digest', bytes, {
    floor: 'sha256',
    oneShot: (crypto, message) => () => crypto.subtle.digest('SHA-256', message),
    streamed: (crypto, streams, message) => async () => {
      const { writable, digest } = streams.digestStream('SHA-256');
      await chunked(message).pipeTo(writable);
      return digest;
    },
  })];
  for (const [name, params] of Object.entries(AES)) {
    list.push(streamTrial(`stream ${name} encrypt`, 'stream-aes', bytes, {
      floor: `${name.slice(4).toLowerCase()}-enc`,
      oneShot: async (crypto, message) => {
        const key = await aesKey(crypto, name);
        return () => crypto.subtle.encrypt(params(), key, message);
      },
      streamed: async (crypto, streams, message) => {
        const key = await aesKey(crypto, name);
        return async (keep = false) => {
          const out = sink(keep);
          await chunked(message).pipeThrough(streams.encryptStream(params(), key)).pipeTo(out.writable);
          return keep ? out.bytes() : undefined;
        };
      },
    }));
  }
  return list;
}
