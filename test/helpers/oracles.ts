// The reference implementations the tests compare against, captured when
// this module loads: a test may install the polyfill over globalThis.crypto,
// and the oracles must still be Node's own objects.
import { webcrypto } from 'node:crypto';
import { Crypto as PeculiarCrypto } from '@peculiar/webcrypto';

/** Node's WebCrypto (OpenSSL). */
export const nodeCrypto = webcrypto;
export const nodeSubtle = webcrypto.subtle;

/** @peculiar/webcrypto (pure JS over node:crypto): a second opinion on bytes. */
export const peculiarCrypto = new PeculiarCrypto();
export const peculiarSubtle = peculiarCrypto.subtle;

/** A SubtleCrypto method called with arguments the type system would refuse. */
export type LooseSubtle = Record<'digest' | 'generateKey' | 'importKey' | 'encrypt', (...args: unknown[]) => Promise<unknown>>;
export const looseNodeSubtle = nodeSubtle as unknown as LooseSubtle;

/** Node's CryptoKey interface object (the global one, before any install). */
export const NodeCryptoKey = (globalThis as unknown as { CryptoKey: { prototype: object } }).CryptoKey;
