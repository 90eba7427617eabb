// `node --import afalg-webcrypto/register app.mjs` or `import 'afalg-webcrypto/register'`:
// the kernel's WebCrypto becomes globalThis.crypto for the whole process.
import { install } from './install';

install();
