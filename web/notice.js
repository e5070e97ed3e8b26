// The page's error line: what went wrong, in words, until the next action succeeds or it is dismissed.
import { byId } from './dom.js';

export function showError(err) {
  byId('error-text').textContent = err instanceof Error ? err.message : String(err);
  byId('error').hidden = false;
}

export function clearError() {
  byId('error').hidden = true;
}
