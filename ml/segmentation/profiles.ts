// Segment profiles for people: size, mean and median R/F/M/T, share of revenue, and a label in
// plain words. The label compares the segment's medians with the medians over all customers:
//   recency above the overall median (not seen lately):
//     median frequency 1                                       -> "one-off"
//     frequency and monetary at or above the overall medians   -> "at risk"
//     otherwise                                                -> "lapsed"
//   recency at or below the overall median (seen lately):
//     frequency and monetary above the overall medians         -> "loyal big spenders"
//     tenure below and frequency at or below the overall median -> "new"
//     frequency at or above the overall median                 -> "regulars"
//     otherwise                                                -> "occasional"
// A label that two segments share gets a number ("regulars 2") in order of segment size.
import type { CustomerFeatures } from './features.ts';
import { quantileSorted } from './quantile.ts';

export const PROFILE_FEATURES = ['recency', 'frequency', 'monetary', 'tenure'] as const;
export type ProfileFeature = (typeof PROFILE_FEATURES)[number];
export type FeatureSummary = Record<ProfileFeature, number>;

export interface SegmentProfile {
  segment: number;
  label: string;
  size: number;
  /** Share of all customers. */
  customerShare: number;
  /** Share of all customers' monetary. */
  revenueShare: number;
  mean: FeatureSummary;
  median: FeatureSummary;
}

export function segmentProfiles(
  customers: readonly CustomerFeatures[],
  segments: readonly number[],
  k: number,
): SegmentProfile[] {
  if (segments.length !== customers.length)
    throw new Error(`segmentProfiles: ${customers.length} customers but ${segments.length} segments`);
  if (customers.length === 0) throw new Error('segmentProfiles: no customers');
  const members: CustomerFeatures[][] = Array.from({ length: k }, () => []);
  segments.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 0 || s >= k)
      throw new Error(`segmentProfiles: customer ${customers[i]!.customerId} has segment ${s}, not 0 to ${k - 1}`);
    members[s]!.push(customers[i]!);
  });
  const overall = medians(customers);
  const revenue = customers.reduce((sum, c) => sum + c.monetary, 0);
  const profiles = members.map((group, segment) => {
    const median = group.length ? medians(group) : overall;
    return {
      segment,
      label: group.length ? labelFor(median, overall) : 'empty',
      size: group.length,
      customerShare: group.length / customers.length,
      revenueShare: revenue === 0 ? 0 : group.reduce((sum, c) => sum + c.monetary, 0) / revenue,
      mean: summary((f) => (group.length ? group.reduce((sum, c) => sum + c[f], 0) / group.length : Number.NaN)),
      median: group.length ? median : summary(() => Number.NaN),
    };
  });
  numberRepeatedLabels(profiles);
  return profiles;
}

export function labelFor(segment: FeatureSummary, overall: FeatureSummary): string {
  if (segment.recency > overall.recency) {
    if (segment.frequency <= 1) return 'one-off';
    if (segment.frequency >= overall.frequency && segment.monetary >= overall.monetary) return 'at risk';
    return 'lapsed';
  }
  if (segment.frequency > overall.frequency && segment.monetary > overall.monetary) return 'loyal big spenders';
  if (segment.tenure < overall.tenure && segment.frequency <= overall.frequency) return 'new';
  if (segment.frequency >= overall.frequency) return 'regulars';
  return 'occasional';
}

const summary = (value: (f: ProfileFeature) => number) =>
  Object.fromEntries(PROFILE_FEATURES.map((f) => [f, value(f)])) as FeatureSummary;

const medians = (group: readonly CustomerFeatures[]) =>
  summary((f) => quantileSorted(Float64Array.from(group, (c) => c[f]).sort(), 0.5));

function numberRepeatedLabels(profiles: SegmentProfile[]): void {
  const byLabel = new Map<string, SegmentProfile[]>();
  for (const p of profiles) byLabel.set(p.label, [...(byLabel.get(p.label) ?? []), p]);
  for (const [label, group] of byLabel) {
    if (group.length < 2) continue;
    [...group]
      .sort((a, b) => b.size - a.size || a.segment - b.segment)
      .forEach((p, i) => (p.label = i ? `${label} ${i + 1}` : label));
  }
}
