// jest's globalTeardown for global_setup.ts (vitest needs none: setup returns its teardown).
export { teardown as default } from './global_setup.js';
