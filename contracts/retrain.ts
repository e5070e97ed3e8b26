// Retraining one series on demand: shared by the API, the workflow and its activity.
import type { BacktestResult } from '../ml/forecast/backtest.ts';

/** Days of history a retrain fits unless told otherwise: the weekly run's default window. */
export const DEFAULT_RETRAIN_WINDOW_DAYS = 120;

export interface RetrainInput {
  storeId: number;
  product: string;
  engine: string;
  windowDays: number;
}

export type RetrainResult =
  | {
      storeId: number;
      product: string;
      trained: true;
      model: string;
      version: number;
      promoted: boolean;
      promotionReason: string;
      metrics: BacktestResult;
      asOf: string;
    }
  | { storeId: number; product: string; trained: false; reason: string };

export const retrainWorkflowId = (storeId: number, product: string): string => `retrain-${storeId}-${product}`;
