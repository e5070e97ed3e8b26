// Segments of two model versions matched by nearest centroid, and the customers who changed
// segment. Centroids must be in one space (the raw features scaled by one scaler): each version's
// own scaled space differs. Pairs are taken closest first, one to one; a segment of the new version
// left without a partner (it has more segments) matches nothing, and its customers count as changed.

import { inverseTransform, transform, type Scaler } from './scaler.ts';

export interface SegmentChanges {
  /** For each new segment, the old segment it continues, or null. */
  match: (number | null)[];
  /** Customers in both versions whose segment is not the match of their old one. */
  changed: number;
  unchanged: number;
  /** Customers only in the new version, only in the old one. */
  added: number;
  removed: number;
}

export function matchSegments(
  oldCentroids: readonly (readonly number[])[],
  newCentroids: readonly (readonly number[])[],
): (number | null)[] {
  const pairs: { oldSegment: number; newSegment: number; distance: number }[] = [];
  newCentroids.forEach((n, newSegment) =>
    oldCentroids.forEach((o, oldSegment) => {
      if (o.length !== n.length)
        throw new Error(
          `matchSegments: new centroid ${newSegment} has ${n.length} values, old ${oldSegment} ${o.length}`,
        );
      pairs.push({ oldSegment, newSegment, distance: o.reduce((sum, v, t) => sum + (v - n[t]!) ** 2, 0) });
    }),
  );
  pairs.sort((a, b) => a.distance - b.distance || a.newSegment - b.newSegment || a.oldSegment - b.oldSegment);
  const match: (number | null)[] = newCentroids.map(() => null);
  const taken = new Set<number>();
  for (const { oldSegment, newSegment } of pairs) {
    if (match[newSegment] !== null || taken.has(oldSegment)) continue;
    match[newSegment] = oldSegment;
    taken.add(oldSegment);
  }
  return match;
}

export interface Assignment {
  customerId: string;
  segment: number;
}

export function segmentChanges(
  oldCentroids: readonly (readonly number[])[],
  newCentroids: readonly (readonly number[])[],
  oldAssignments: readonly Assignment[],
  newAssignments: readonly Assignment[],
): SegmentChanges {
  const match = matchSegments(oldCentroids, newCentroids);
  const before = new Map(oldAssignments.map((a) => [a.customerId, a.segment]));
  let changed = 0;
  let unchanged = 0;
  let added = 0;
  for (const { customerId, segment } of newAssignments) {
    const old = before.get(customerId);
    if (old === undefined) added++;
    else if (match[segment] === old) unchanged++;
    else changed++;
  }
  const now = new Set(newAssignments.map((a) => a.customerId));
  const removed = oldAssignments.filter((a) => !now.has(a.customerId)).length;
  return { match, changed, unchanged, added, removed };
}

export interface ScaledCentroids {
  scaler: Scaler;
  centroids: readonly (readonly number[])[];
}

/**
 * Changes between two versions, each with centroids in its own scaled space: the old centroids
 * are brought back to raw feature values and scaled by the new version's scaler, so both sets are
 * matched in the new space.
 */
export function versionChanges(
  old: ScaledCentroids,
  next: ScaledCentroids,
  oldAssignments: readonly Assignment[],
  newAssignments: readonly Assignment[],
): SegmentChanges {
  const oldInNewSpace = transform(next.scaler, inverseTransform(old.scaler, old.centroids));
  return segmentChanges(oldInNewSpace, next.centroids, oldAssignments, newAssignments);
}
