import { cleanup } from '@testing-library/preact';
import { afterEach, beforeEach, vi } from 'vitest';

// happy-dom has no navigator.sendBeacon: the call-quality beacons of the pages under test are
// queued here, where a test can read them, instead of going to a server that is not there.
beforeEach(() => {
  Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: vi.fn(() => true) });
});

afterEach(() => {
  cleanup();
  localStorage.clear();
});
