import type { Hono } from "hono";
import { parseEvery, routes } from "../../contract/index.js";
import { createSchedule, resumeSchedule } from "../../services/schedules.js";
import type { AppEnv } from "../env.js";
import { HttpError, notFound } from "../errors.js";
import { mount } from "../mount.js";

export interface ScheduleRouteOptions {
  /** The clock next runs are computed with (tests move it). */
  now: () => Date;
}

/**
 * Schedules are tenant administration (the contract marks every route tenantOnly): a
 * schedule runs jobs for the tenant unattended. Another tenant's schedule is "not found".
 */
export function mountScheduleRoutes(app: Hono<AppEnv>, options: ScheduleRouteOptions): void {
  mount(app, routes.listSchedules, async (c, { query }) => c.var.store.schedules.list(c.var.auth.tenantId, query));

  mount(app, routes.createSchedule, async (c, { body }) => {
    const created = await createSchedule(
      c.var.store,
      {
        tenantId: c.var.auth.tenantId,
        name: body.name,
        jobType: body.jobType,
        payload: body.payload,
        // The contract checked `every` parses and that exactly one of the two is given.
        timing: body.every !== undefined ? { everyMs: parseEvery(body.every)! } : { cron: body.cron!, timezone: body.timezone },
        createdBy: c.var.auth.key.id,
      },
      options.now(),
    );
    if (created.kind === "invalid") {
      const first = created.errors[0]!;
      throw new HttpError("validation", `body.${first.field}: ${first.message}`, created.errors.map((error) => ({ ...error, field: `body.${error.field}` })));
    }
    if (created.kind === "name-taken") throw new HttpError("conflict", `a schedule named ${JSON.stringify(body.name)} exists already (${created.schedule.id}); delete it first or pick another name`);
    return created.schedule;
  });

  mount(app, routes.getSchedule, async (c, { params }) => {
    const schedule = await c.var.store.schedules.detail(c.var.auth.tenantId, params.scheduleId);
    if (!schedule) throw notFound(`schedule ${params.scheduleId}`);
    return schedule;
  });

  mount(app, routes.pauseSchedule, async (c, { params }) => {
    const schedule = await c.var.store.schedules.pause(c.var.auth.tenantId, params.scheduleId);
    if (!schedule) throw notFound(`schedule ${params.scheduleId}`);
    return schedule;
  });

  mount(app, routes.resumeSchedule, async (c, { params }) => {
    const schedule = await resumeSchedule(c.var.store, c.var.auth.tenantId, params.scheduleId, options.now());
    if (!schedule) throw notFound(`schedule ${params.scheduleId}`);
    return schedule;
  });

  mount(app, routes.deleteSchedule, async (c, { params }) => {
    if (!(await c.var.store.schedules.delete(c.var.auth.tenantId, params.scheduleId))) throw notFound(`schedule ${params.scheduleId}`);
    return undefined;
  });
}
