// Entry point: the API key field, the two views (#forecast, #runs), and the error line.
import { apiKey } from './api.js';
import { byId } from './dom.js';
import { initForecastView } from './forecast.js';
import { clearError, showError } from './notice.js';
import { initRunsView, showRuns } from './runs.js';

function showView() {
  const view = location.hash === '#runs' ? 'runs' : 'forecast';
  for (const name of ['forecast', 'runs']) {
    byId(`view-${name}`).hidden = name !== view;
    document.querySelector(`nav a[href="#${name}"]`).setAttribute('aria-current', name === view ? 'page' : 'false');
  }
  showRuns(view === 'runs');
}

const key = byId('api-key');
key.value = apiKey.get();
key.addEventListener('input', () => apiKey.set(key.value.trim()));
byId('error-close').addEventListener('click', clearError);
initRunsView();
window.addEventListener('hashchange', showView);
showView();
initForecastView().catch(showError);
