// POST /v1/forecast: forecasts for any range of days, computed now from each series' production
// model kept in memory (see platform/productionModels.ts), not stored. The reference's request and response.
import { createRoute } from '@hono/zod-openapi';
import {
  forecastRange,
  ForecastRequest,
  ForecastResponse,
  MAX_FORECAST_DAYS,
  roundedDrivers,
  wholeUnits,
  type ForecastRequestItem,
} from '../forecastSchemas.ts';
import { addDays, todayUtc } from '../../domain/dates.ts';
import type { GivenDay } from '../../ml/forecast/types.ts';
import { plannedDays } from '../../platform/plannedCalendar.ts';
import type { ApiDeps } from '../deps.ts';
import { ApiError, notFound } from '../errors.ts';
import { errors, json, router } from '../openapi.ts';
import { requireStore } from '../series.ts';

const forecast = createRoute({
  method: 'post',
  path: '/v1/forecast',
  tags: ['forecasts'],
  summary: `Forecast any days (at most ${MAX_FORECAST_DAYS} per item) from the production models`,
  description:
    "Compatible with the reference forecast service. Values are whole units; the interval is the model's 95% interval. " +
    "Days the series' history has keep their real calendar (open, promo, holidays); later days take the item's `calendar` " +
    '(a what-if, not stored), else the planned calendar of the store (POST /v1/calendar), else assume it: weekly closures repeat, ' +
    "promotions as 14 days earlier, no public holidays. Each point's `calendar` is the day's calendar and where it came from.",
  request: { body: { ...json(ForecastRequest, 'the series and days to forecast'), required: true } },
  responses: { 200: json(ForecastResponse, 'one forecast per item, in order'), ...errors(400, 404, 413) },
});

const timestamp = (date: string) => `${date}T00:00:00`;

/** The days whose calendar someone stated, from `from` to `to`: the store's plan, then the request's own days over it. */
async function statedCalendar(
  pool: ApiDeps['pool'],
  item: ForecastRequestItem,
  from: string,
  to: string,
): Promise<Map<string, GivenDay>> {
  const given = (await plannedDays(pool, [item.store_id], from, to)).get(item.store_id) ?? new Map<string, GivenDay>();
  for (const d of item.calendar ?? [])
    given.set(d.date, {
      date: d.date,
      open: d.open,
      promo: d.promo,
      stateHoliday: d.state_holiday,
      schoolHoliday: d.school_holiday,
      source: 'request',
    });
  return given;
}

export function onDemandForecastRoutes({ pool, models }: ApiDeps) {
  return router().openapi(forecast, async (c) => {
    const items = c.req.valid('json');
    const today = todayUtc();
    const answers: ForecastResponse = [];
    for (const [i, item] of items.entries()) {
      const range = forecastRange(item, today);
      if (!range.ok)
        throw new ApiError(400, 'invalid_request', `${i}.${range.field}: ${range.reason}`, `${i}.${range.field}`);
      const serving = await models.get(item.store_id, item.product_name);
      if (!serving) {
        await requireStore(pool, item.store_id);
        throw notFound(
          `${i}: store ${item.store_id} has no production model for product "${item.product_name}"`,
          `${i}.product_name`,
        );
      }
      const given = await statedCalendar(
        pool,
        item,
        serving.lastDay ? addDays(serving.lastDay, 1) : range.begin,
        range.end,
      );
      const points = serving.forecast(range.begin, range.end, given, { explain: item.explain === true });
      answers.push({
        request: {
          store_id: String(item.store_id),
          product_name: item.product_name,
          begin_date: range.begin,
          end_date: range.end,
        },
        forecast: points.map(wholeUnits).map((p) => ({
          timestamp: timestamp(p.date),
          value: p.forecast,
          lower_ci: p.lower,
          upper_ci: p.upper,
          calendar: {
            source: p.day.source,
            open: p.day.open,
            promo: p.day.promo,
            state_holiday: p.day.stateHoliday,
            school_holiday: p.day.schoolHoliday,
          },
          ...(p.drivers === undefined ? {} : { drivers: p.drivers && roundedDrivers(p.drivers) }),
        })),
        api: { model_name: serving.name, model_version: serving.version },
      });
    }
    return c.json(answers, 200);
  });
}
