// The business's date rule (domain/dates.ts) as a schema, for every request and event that carries a date.
import { z } from 'zod';
import { dateProblem, todayUtc, type DateKind } from '../domain/dates.ts';

/**
 * A date of this kind, checked against today at parse time (`today` moves it, e.g. a day ahead for
 * producers east of UTC). A bad date stops the parse, so no refinement of the whole object sees it.
 */
export const businessDate = (kind: DateKind, today: () => string = todayUtc) =>
  z
    .string({ error: (i) => `must be a date YYYY-MM-DD, got ${JSON.stringify(i.input) ?? 'nothing'}` })
    .superRefine((value, ctx) => {
      const problem = dateProblem(value, kind, today());
      if (problem) ctx.addIssue({ code: 'custom', message: problem, continue: false });
    });
