/** `@tenant` names the tenant's default client (app names are slugs, so it never names an app). */
export const TENANT_TARGET = "@tenant";

export function isTenantTarget(target: string): boolean {
  return target === TENANT_TARGET;
}
