// Entry point: the API key field, the six views (#forecast, #segments, #experiments, #air-quality, #runs,
// #operations), and the error line.
import { showAirQuality } from './airQuality.js';
import { apiKey } from './api.js';
import { byId } from './dom.js';
import { initExperimentsView, showExperiments } from './experiments.js';
import { initForecastView } from './forecast.js';
import { clearError, showError } from './notice.js';
import { initOperationsView, showOperations } from './operations.js';
import { initRunsView, showRuns } from './runs.js';
import { initSegmentsView, showSegments } from './segments.js';

const VIEWS = ['forecast', 'segments', 'experiments', 'air-quality', 'runs', 'operations'];

function showView() {
  const view = VIEWS.find((name) => location.hash === `#${name}`) ?? 'forecast';
  for (const name of VIEWS) {
    byId(`view-${name}`).hidden = name !== view;
    document.querySelector(`nav a[href="#${name}"]`).setAttribute('aria-current', name === view ? 'page' : 'false');
  }
  showRuns(view === 'runs');
  showSegments(view === 'segments');
  showExperiments(view === 'experiments');
  showAirQuality(view === 'air-quality');
  showOperations(view === 'operations');
}

const key = byId('api-key');
key.value = apiKey.get();
key.addEventListener('input', () => apiKey.set(key.value.trim()));
byId('error-close').addEventListener('click', clearError);
initRunsView();
initSegmentsView();
initExperimentsView();
initOperationsView();
window.addEventListener('hashchange', showView);
showView();
initForecastView().catch(showError);
