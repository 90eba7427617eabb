import '../dist/polyfill/register.js';
