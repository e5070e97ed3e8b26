// Air quality data in the real AirQualityUCI.csv's format (`;` separated, `,` decimals, dd/mm/yyyy and
// HH.MM.SS, -200 for missing, two empty trailing fields, lines of `;` at the end), deterministic by
// seed, with the real file's shape: hourly from 10/03/2004 18.00.00 (9,357 rows by default), CO
// following traffic (morning and evening peaks, quieter weekends) and the season, weather with daily
// and yearly cycles, the gas analyzers' other gases following CO, metal-oxide sensors that respond to
// them and to temperature and humidity and drift over the year, and gaps: sensor outages (every
// sensor -200 for hours to days), analyzer outages (CO(GT), NOx(GT) and NO2(GT) missing in spans),
// and NMHC(GT) after its first weeks almost never. A stand-in for tests and benchmarks, not a
// model of Italian air to tune to: the real file is what accuracy is judged on.
import { AIR_QUALITY_HEADER, AIR_QUALITY_MEASURES } from '../../domain/airQuality.ts';
import { Random } from './generator.ts';

export interface AirQualityOptions {
  seed: number;
  /** Hourly rows (the real file: 9,357). */
  rows: number;
  /** Lines of nothing but `;` after the last row (the real file: 114). */
  blankLines: number;
}

export const DEFAULT_AIR_QUALITY_OPTIONS: AirQualityOptions = { seed: 42, rows: 9357, blankLines: 114 };
/** The real file's first hour. */
export const AIR_QUALITY_START = Date.UTC(2004, 2, 10, 18);
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Spans of `true` covering about `share` of n hours, each from `min` to `max` hours long. */
function gaps(random: Random, n: number, share: number, min: number, max: number): boolean[] {
  const out = new Array<boolean>(n).fill(false);
  const mean = (min + max) / 2;
  const spans = Math.round((n * share) / mean);
  for (let s = 0; s < spans; s++) {
    const start = random.int(0, n - 1);
    const length = random.int(min, max);
    for (let i = start; i < Math.min(n, start + length); i++) out[i] = true;
  }
  return out;
}

const comma = (v: number, decimals: number) => v.toFixed(decimals).replace('.', ',');
const two = (n: number) => String(n).padStart(2, '0');

/** The file's text. */
export function generateAirQuality(options: Partial<AirQualityOptions> = {}): string {
  const { seed, rows, blankLines } = { ...DEFAULT_AIR_QUALITY_OPTIONS, ...options };
  const random = new Random(seed);
  const sensorDown = gaps(random, rows, 0.04, 6, 60);
  const coDown = gaps(random, rows, 0.15, 2, 30);
  const noxDown = gaps(random, rows, 0.15, 2, 30);
  // NMHC(GT) was measured in the first weeks only (about 10% of the real file's hours)
  const nmhcUntil = Math.round(rows * 0.1);
  const drift = [0.18, -0.12, 0.1, 0.15, -0.2].map((d) => d * (0.7 + 0.6 * random.next()));
  let episode = 0;
  let weather = 0;
  let humid = 0;
  const lines = [AIR_QUALITY_HEADER];
  for (let i = 0; i < rows; i++) {
    const at = new Date(AIR_QUALITY_START + i * HOUR_MS);
    const hour = at.getUTCHours();
    const weekday = at.getUTCDay(); // 0 Sunday
    const dayOfYear = (at.getTime() - Date.UTC(at.getUTCFullYear(), 0, 1)) / DAY_MS;
    const traffic =
      0.35 +
      1.1 * Math.exp(-((hour - 8.5) ** 2) / 3) +
      1.2 * Math.exp(-((hour - 19) ** 2) / 5) +
      0.25 * (hour > 6 ? 1 : 0);
    const week = weekday === 0 ? 0.55 : weekday === 6 ? 0.75 : 1;
    const season = 1 + 0.35 * Math.cos((2 * Math.PI * (dayOfYear - 15)) / 365);
    episode = 0.97 * episode + random.normal(0, 0.07);
    const co = Math.max(0.1, 2.6 * traffic * week * season * Math.exp(episode + random.normal(0, 0.18)));

    weather = 0.98 * weather + random.normal(0, 0.35);
    const t =
      17 +
      11 * Math.sin((2 * Math.PI * (dayOfYear - 105)) / 365) +
      4.5 * Math.sin((2 * Math.PI * (hour - 9)) / 24) +
      weather;
    humid = 0.97 * humid + random.normal(0, 1.2);
    const rh = Math.min(88, Math.max(9, 50 - 1.3 * (t - 17) + 6 * Math.cos((2 * Math.PI * (hour - 4)) / 24) + humid));
    const ah = (rh * 6.112 * Math.exp((17.67 * t) / (t + 243.5)) * 2.1674) / (273.15 + t) / 7.5;

    const nox = 95 * co ** 1.1 * Math.exp(random.normal(0, 0.15));
    const no2 = 45 + 28 * co * Math.exp(random.normal(0, 0.15));
    const c6h6 = 4.2 * co ** 1.2 * Math.exp(random.normal(0, 0.1));
    const nmhc = 100 * co * Math.exp(random.normal(0, 0.2));

    const d = drift.map((k) => 1 + (k * i) / rows);
    const s1 = (720 + 260 * co ** 0.6 + 2.5 * rh) * d[0]! + random.normal(0, 25);
    const s2 = (420 + 210 * c6h6 ** 0.45 + 2 * t) * d[1]! + random.normal(0, 25);
    const s3 = (1350 - 160 * Math.log(1 + nox / 20) + 3 * (rh - 50)) * d[2]! + random.normal(0, 30);
    const s4 = (900 + 22 * t + 4.5 * rh + 3 * no2 ** 0.8) * d[3]! + random.normal(0, 30);
    const s5 = (450 + 330 * co ** 0.8 - 2 * rh) * d[4]! + random.normal(0, 60);

    const down = sensorDown[i]!;
    const value = (missing: boolean, v: number, decimals: number) => (missing ? '-200' : comma(v, decimals));
    const fields: Record<(typeof AIR_QUALITY_MEASURES)[number], string> = {
      'CO(GT)': value(coDown[i]!, co, 1),
      'PT08.S1(CO)': value(down, s1, 0),
      'NMHC(GT)': value(i >= nmhcUntil && random.next() > 0.01, nmhc, 0),
      'C6H6(GT)': value(down, c6h6, 1),
      'PT08.S2(NMHC)': value(down, s2, 0),
      'NOx(GT)': value(noxDown[i]!, nox, 0),
      'PT08.S3(NOx)': value(down, s3, 0),
      'NO2(GT)': value(noxDown[i]!, no2, 0),
      'PT08.S4(NO2)': value(down, s4, 0),
      'PT08.S5(O3)': value(down, s5, 0),
      T: value(down, t, 1),
      RH: value(down, rh, 1),
      AH: value(down, ah, 4),
    };
    const date = `${two(at.getUTCDate())}/${two(at.getUTCMonth() + 1)}/${at.getUTCFullYear()}`;
    const time = `${two(hour)}.00.00`;
    lines.push(`${date};${time};${AIR_QUALITY_MEASURES.map((m) => fields[m]).join(';')};;`);
  }
  for (let i = 0; i < blankLines; i++) lines.push(';'.repeat(AIR_QUALITY_MEASURES.length + 3));
  return `${lines.join('\r\n')}\r\n`;
}
