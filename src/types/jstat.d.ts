/** The subset of jStat (https://github.com/jstat/jstat) Slipway uses. */
declare module 'jstat' {
  interface StudentT {
    /** P(T ≤ x) for Student's t with `dof` degrees of freedom. */
    cdf(x: number, dof: number): number;
    /** The p-quantile of Student's t with `dof` degrees of freedom. */
    inv(p: number, dof: number): number;
  }
  interface JStatStatic {
    readonly studentt: StudentT;
  }
  // A CommonJS module: under ESM its module.exports is the default import.
  const jStat: JStatStatic;
  export default jStat;
}
