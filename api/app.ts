// The Hono app: shared middleware, then one router per concern.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { ApiDeps } from './deps.ts';
import { ApiError, errorBody, errorHandler } from './errors.ts';
import { forecastRoutes } from './routes/forecasts.ts';
import { healthRoutes } from './routes/health.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { retrainRoutes } from './routes/retrain.ts';
import { salesRoutes } from './routes/sales.ts';
import { stackCheckRoutes } from './routes/stackCheck.ts';
import { trainingRoutes } from './routes/training.ts';
import { webRoutes } from './routes/web.ts';

export function createApp(deps: ApiDeps) {
  const limit = deps.cfg.api.bodyLimitBytes;
  return new Hono()
    .use(bodyLimit({
      maxSize: limit,
      onError: () => { throw new ApiError(413, 'payload_too_large', `request body is larger than ${limit} bytes`); },
    }))
    .route('/', healthRoutes(deps))
    .route('/', stackCheckRoutes(deps))
    .route('/', salesRoutes(deps))
    .route('/', ingestRoutes(deps))
    .route('/', trainingRoutes(deps))
    .route('/', forecastRoutes(deps))
    .route('/', retrainRoutes(deps))
    .route('/', webRoutes())
    .notFound((c) => c.json(errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404))
    .onError(errorHandler(deps.log));
}

export type App = ReturnType<typeof createApp>;
