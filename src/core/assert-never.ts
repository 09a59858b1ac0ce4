/**
 * The `default` of a switch over a union: with every case handled the value is `never` there, so
 * a case added to the union and missed by the switch is a compile error. Reaching it at run time
 * (a value from outside the type system) is a bug, thrown as such.
 */
export function assertNever(x: never, what = 'case'): never {
  throw new Error(`unhandled ${what}: ${JSON.stringify(x)}`);
}
