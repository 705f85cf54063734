/** Thrown inside the compiler for a policy it cannot evaluate; caught per policy, never escapes compile. */
export class Uncompilable extends Error {}
