// The Hono app: shared middleware, then one router per concern, and the OpenAPI document of them.
import { createMiddleware } from 'hono/factory';
import { noRoute } from './allowedMethods.ts';
import { requireRole, type AuthEnv } from './auth.ts';
import { limitBody } from './bodyLimit.ts';
import type { ApiDeps } from './deps.ts';
import { ApiError, errorHandler } from './errors.ts';
import { router } from './openapi.ts';
import { airQualityRoutes } from './routes/airQuality.ts';
import { airQualityRunRoutes } from './routes/airQualityRuns.ts';
import { docsRoutes, registerDocs } from './routes/docs.ts';
import { forecastRoutes } from './routes/forecasts.ts';
import { healthRoutes } from './routes/health.ts';
import { importRoutes } from './routes/imports.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { onDemandForecastRoutes } from './routes/onDemandForecast.ts';
import { retrainRoutes } from './routes/retrain.ts';
import { runRoutes } from './routes/runs.ts';
import { salesRoutes } from './routes/sales.ts';
import { salesHistoryRoutes } from './routes/salesHistory.ts';
import { scheduleRoutes } from './routes/schedules.ts';
import { seedPredictRoutes } from './routes/seedPredict.ts';
import { segmentationRunRoutes } from './routes/segmentationRuns.ts';
import { segmentRoutes } from './routes/segments.ts';
import { stackCheckRoutes } from './routes/stackCheck.ts';
import { tabularRunRoutes } from './routes/tabularRuns.ts';
import { powerUserRunRoutes } from './routes/powerUserRuns.ts';
import { powerUserPredictRoutes } from './routes/powerUserPredict.ts';
import { tabularModelRoutes } from './routes/tabularModels.ts';
import { trainingRoutes } from './routes/training.ts';
import { tabularScoringRoutes } from './routes/tabularScoring.ts';
import { transactionImportRoutes } from './routes/transactionImports.ts';
import { webRoutes } from './routes/web.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { operationsRoutes } from './routes/operations.ts';
import { requestMetrics } from './requestMetrics.ts';
import { calendarRoutes } from './routes/calendar.ts';
import { codecRoutes } from './routes/codec.ts';
import { temporalDeadline } from './temporalCalls.ts';

/** POSTs that only read: they answer from the data and change nothing. */
const READING_POSTS = new Set(['/v1/forecast', '/v1/segments/predict']);
const isReadingPost = (path: string) => READING_POSTS.has(path) || /^\/v1\/models\/[^/]+\/predict$/.test(path);

/** With API_READS_NEED_KEY, reading the data (GET /v1/…, the reading POSTs) needs a key with the read role. */
function readsNeedKey(deps: ApiDeps) {
  const reader = requireRole(deps.keys, 'read');
  return createMiddleware<AuthEnv>(async (c, next) => {
    const reading = c.req.method === 'GET' || c.req.method === 'HEAD' || isReadingPost(c.req.path);
    return deps.cfg.api.readsNeedKey && reading ? reader(c, next) : next();
  });
}

export function createApp(deps: ApiDeps) {
  const limit = deps.cfg.api.bodyLimitBytes;
  const app = router();
  registerDocs(app);
  return app
    .use(requestMetrics)
    .use(
      limitBody(limit, () => {
        throw new ApiError(413, 'payload_too_large', `request body is larger than ${limit} bytes`);
      }),
    )
    .use('/v1/*', readsNeedKey(deps))
    .use('/v1/*', temporalDeadline(deps.temporal))
    .route('/', healthRoutes(deps))
    .route('/', metricsRoutes())
    .route('/', operationsRoutes(deps))
    .route('/', stackCheckRoutes(deps))
    .route('/', salesRoutes(deps))
    .route('/', salesHistoryRoutes(deps))
    .route('/', ingestRoutes(deps))
    .route('/', importRoutes(deps))
    .route('/', transactionImportRoutes(deps))
    .route('/', tabularScoringRoutes(deps))
    .route('/', trainingRoutes(deps))
    .route('/', runRoutes(deps))
    .route('/', forecastRoutes(deps))
    .route('/', onDemandForecastRoutes(deps))
    .route('/', calendarRoutes(deps))
    .route('/', retrainRoutes(deps))
    .route('/', scheduleRoutes(deps))
    .route('/', seedPredictRoutes(deps))
    .route('/', segmentRoutes(deps))
    .route('/', segmentationRunRoutes(deps))
    .route('/', tabularRunRoutes(deps))
    .route('/', tabularModelRoutes(deps))
    .route('/', powerUserRunRoutes(deps))
    .route('/', powerUserPredictRoutes(deps))
    .route('/', airQualityRoutes(deps))
    .route('/', airQualityRunRoutes(deps))
    .route('/', codecRoutes(deps))
    .route('/', docsRoutes())
    .route('/', webRoutes())
    .notFound(noRoute(app))
    .onError(errorHandler(deps.log));
}

export type App = ReturnType<typeof createApp>;
