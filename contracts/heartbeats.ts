// How soon a worker killed mid-activity is noticed: its activity's heartbeats stop, and after
// HEARTBEAT_TIMEOUT without one Temporal retries the activity on another worker. Activities beat
// every HEARTBEAT_EVERY_MS (activities/heartbeat.ts) and workers pass beats on at most
// HEARTBEAT_THROTTLE apart: the SDK's default would hold them for 80% of the timeout, leaving a
// stalled event loop only 3 s before a healthy activity times out; this leaves it 10 s.
export const HEARTBEAT_TIMEOUT = '15 seconds';
export const HEARTBEAT_EVERY_MS = 5_000;
export const HEARTBEAT_THROTTLE = '5 seconds';
