/** Test support: the problem body of a gateway call that must fail. Not used by the gateway itself. */
import { expect } from "vitest";
import { GatewayError, type GatewayProblem } from "./problems.js";

export async function problemOf(promise: Promise<unknown>): Promise<GatewayProblem> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return (error as GatewayError).problem;
}
