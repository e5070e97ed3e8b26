// The public-holiday kinds of Rossmann's calendar: '0' none, 'a' public holiday, 'b' Easter, 'c' Christmas.
export const STATE_HOLIDAYS = ['0', 'a', 'b', 'c'] as const;
export type StateHoliday = (typeof STATE_HOLIDAYS)[number];
